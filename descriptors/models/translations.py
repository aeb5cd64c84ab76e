"""The multilingual descriptors of a micro-credential in the languages beyond its default one
(decision 0003)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from descriptors.models.base import history_user, in_scheme
from descriptors.models.opportunities import LearningOpportunity
from taxonomies.models import Concept, Scheme


class OpportunityTranslation(models.Model):
    """The multilingual descriptors of an opportunity in one more language (ELM langString).

    Carries ECCOE 1 (title), 2 (description), 13 (admission procedure), 14 (entry requirements)
    and Annex I 16 (further information) in that language: the ELM ``LearningOpportunity`` and
    ``LearningAchievementSpecification`` text properties hold one value per language.
    """

    opportunity = models.ForeignKey(
        LearningOpportunity,
        verbose_name=_("learning opportunity"),
        on_delete=models.CASCADE,
        related_name="translations",
        help_text=_("The opportunity whose descriptors this translates."),
    )
    language = models.ForeignKey(
        Concept,
        verbose_name=_("language"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=in_scheme(Scheme.LANGUAGE),
        help_text=_("The language of this translation; not the opportunity's default language."),
    )
    title = models.CharField(
        _("title"), max_length=255, help_text=_("ECCOE 1 / Annex I 2: the title in this language.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("ECCOE 2: the summary in this language.")
    )
    admission_procedure = models.TextField(
        _("admission procedure"),
        blank=True,
        help_text=_("ECCOE 13: how to apply, in this language."),
    )
    entry_requirements = models.TextField(
        _("entry requirements"),
        blank=True,
        help_text=_("ECCOE 14 / Annex I 12: what a learner must meet to start, in this language."),
    )
    further_information = models.TextField(
        _("further information"),
        blank=True,
        help_text=_("Annex I 16: anything else a learner should know, in this language."),
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "language"], name="translation_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language.code})"

    def clean(self) -> None:
        if self.opportunity_id and self.language_id == self.opportunity.default_language_id:
            raise ValidationError(
                {"language": _("This is the default language: edit the main fields instead.")}
            )
