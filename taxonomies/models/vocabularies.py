"""The controlled vocabularies descriptors point to (ELM / EU Vocabularies code lists and our
own closed lists), one SKOS concept per row.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def visitor_language_code() -> str:
    return (get_language() or "en").split("-")[0]


class Scheme(models.TextChoices):
    """The controlled vocabularies a descriptor points to.

    The first group are the official ELM / EU Vocabularies schemes; the second are our own
    closed lists for descriptors that have no EU list (ECCOE criteria 6 and 18, Annex I 11).
    """

    LEARNING_OPPORTUNITY_TYPE = "learning-opportunity", _("Learning opportunity type")
    MODE = "learning-assessment", _("Mode of learning and assessment")
    LEARNING_SETTING = "learning-setting", _("Learning setting")
    LEARNING_SCHEDULE = "learning-schedule", _("Learning schedule")
    ACTIVITY_TYPE = "learning-activity", _("Learning activity type")
    ASSESSMENT_TYPE = "assessment", _("Assessment type")
    CREDIT_SYSTEM = "education-credit", _("Educational credit system")
    ELM_CREDENTIAL_TYPE = "credential", _("ELM credential profile")
    TARGET_GROUP = "target-group", _("Target group")
    SUPERVISION = "supervision-verification", _("Supervision and identity verification")
    SKILL_TYPE = "skill-type", _("Skill type")
    SKILL_REUSE_LEVEL = "skill-reuse-level", _("Skill reuse level")
    LANGUAGE = "language", _("Language")
    COUNTRY = "country", _("Country")
    NUTS = "nuts", _("NUTS region")
    CURRENCY = "currency", _("Currency")
    PROVIDER_TYPE = "provider-type", _("Type of provider")
    CREDENTIAL_TYPE = "credential-type", _("Type of credential")
    QUALITY_ASSURANCE = "quality-assurance", _("Type of quality assurance")


class Concept(models.Model):
    """One entry of a controlled vocabulary (a SKOS concept), e.g. "MOOC" or "Blended"."""

    scheme = models.CharField(
        _("vocabulary"),
        max_length=40,
        choices=Scheme.choices,
        db_index=True,
        help_text=_("The controlled list this concept belongs to."),
    )
    code = models.CharField(
        _("code"),
        max_length=64,
        help_text=_("The code within its vocabulary, e.g. 17744a2647 for MOOC or ITA for Italian."),
    )
    uri = models.URLField(
        _("URI"),
        max_length=255,
        unique=True,
        help_text=_(
            "The concept's identifier, e.g. "
            "http://data.europa.eu/snb/learning-opportunity/17744a2647."
        ),
    )
    label = models.CharField(_("label"), max_length=255, help_text=_("English preferred label."))
    labels = models.JSONField(
        _("labels in other languages"),
        default=dict,
        blank=True,
        help_text=_('Preferred labels keyed by ISO 639-1 language code, e.g. {"it": "Corso"}.'),
    )
    short_code = models.CharField(
        _("short code"),
        max_length=8,
        blank=True,
        db_index=True,
        help_text=_("ISO 639-1 code for languages (it), ISO 3166-1 alpha-2 for countries (IT)."),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"),
        default=0,
        help_text=_("Order in the list; lower comes first."),
    )

    class Meta:
        verbose_name = _("vocabulary concept")
        verbose_name_plural = _("vocabulary concepts")
        ordering = ["scheme", "sort_order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], name="concept_unique_code_per_scheme"
            ),
        ]

    def __str__(self) -> str:
        return self.localized_label

    @property
    def localized_label(self) -> str:
        return self.labels.get(visitor_language_code()) or self.label
