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
    """The multilingual descriptors of an opportunity in one more language (ELM langString)."""

    opportunity = models.ForeignKey(
        LearningOpportunity,
        on_delete=models.CASCADE,
        related_name="translations",
    )
    language = models.ForeignKey(
        Concept,
        verbose_name=_("language"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=in_scheme(Scheme.LANGUAGE),
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    admission_procedure = models.TextField(_("admission procedure"), blank=True)
    entry_requirements = models.TextField(_("entry requirements"), blank=True)
    further_information = models.TextField(_("further information"), blank=True)

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
