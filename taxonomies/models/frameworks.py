"""Qualification frameworks and fields of education: EQF levels, ISCED-F 2013 fields, national
frameworks and their levels referenced to the EQF, Italy's QNQ sub-levels.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from taxonomies.models.vocabularies import Concept, Scheme, visitor_language_code


class EqfLevel(models.Model):
    """A level of the European Qualifications Framework (ECCOE criterion 20, Annex I element 8)."""

    class Cycle(models.TextChoices):
        SHORT = "short", _("Short cycle")
        FIRST = "first", _("First cycle (bachelor)")
        SECOND = "second", _("Second cycle (master)")
        THIRD = "third", _("Third cycle (doctorate)")

    level = models.PositiveSmallIntegerField(
        _("level"),
        primary_key=True,
        help_text=_("The level's number, 1 to 8."),
    )
    uri = models.URLField(
        _("URI"),
        unique=True,
        help_text=_(
            "The level's identifier in the ELM list, e.g. http://data.europa.eu/snb/eqf/6."
        ),
    )
    knowledge = models.TextField(
        _("knowledge"),
        help_text=_(
            "The EQF descriptor of knowledge (theoretical and/or factual) at this level, in "
            "English."
        ),
    )
    skills = models.TextField(
        _("skills"),
        help_text=_(
            "The EQF descriptor of skills (cognitive and practical) at this level, in English."
        ),
    )
    responsibility_autonomy = models.TextField(
        _("responsibility and autonomy"),
        help_text=_("The EQF descriptor of responsibility and autonomy at this level, in English."),
    )
    qf_ehea_cycle = models.CharField(
        _("QF-EHEA cycle"),
        max_length=10,
        choices=Cycle.choices,
        blank=True,
        help_text=_("Only EQF levels 5 to 8 correspond to a cycle of the EHEA framework."),
    )
    translations = models.JSONField(
        _("descriptors in other languages"),
        default=dict,
        blank=True,
        help_text=_(
            "The three descriptors as the EU publishes them in other languages, keyed by ISO 639-1 "
            'code: {"it": {"knowledge": ..., "skills": ..., "responsibility_autonomy": ...}}.'
        ),
    )

    class Meta:
        verbose_name = _("EQF level")
        verbose_name_plural = _("EQF levels")
        ordering = ["level"]

    def __str__(self) -> str:
        return _("EQF level %(level)s") % {"level": self.level}

    def _localized(self, descriptor: str) -> str:
        return self.translations.get(visitor_language_code(), {}).get(descriptor) or getattr(
            self, descriptor
        )

    @property
    def localized_knowledge(self) -> str:
        return self._localized("knowledge")

    @property
    def localized_skills(self) -> str:
        return self._localized("skills")

    @property
    def localized_responsibility_autonomy(self) -> str:
        return self._localized("responsibility_autonomy")


class IscedField(models.Model):
    """A field of education and training of ISCED-F 2013 (ECCOE criterion 19)."""

    class Level(models.TextChoices):
        BROAD = "broad", _("Broad field")
        NARROW = "narrow", _("Narrow field")
        DETAILED = "detailed", _("Detailed field")

    URI_PREFIX = "http://data.europa.eu/snb/isced-f/"

    code = models.CharField(
        _("code"),
        max_length=4,
        primary_key=True,
        help_text=_(
            "The ISCED-F 2013 code: 2 digits for a broad field, 3 for a narrow one, 4 for a "
            "detailed one (e.g. 0613)."
        ),
    )
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=Level.choices,
        help_text=_("Broad, narrow or detailed: the three levels of ISCED-F 2013."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The broad field of a narrow one, the narrow field of a detailed one."),
    )
    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_("The field's English name, as UNESCO publishes it."),
    )
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('Names keyed by ISO 639-1 language code, e.g. {"it": "Istruzione"}.'),
    )

    class Meta:
        verbose_name = _("ISCED-F field")
        verbose_name_plural = _("ISCED-F fields")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.localized_name}"

    @property
    def uri(self) -> str:
        return f"{self.URI_PREFIX}{self.code}"

    @property
    def localized_name(self) -> str:
        return self.names.get(visitor_language_code()) or self.name

    def path(self) -> list["IscedField"]:
        """The chain broad -> ... -> this field."""
        chain = [self]
        while chain[0].parent_id:
            chain.insert(0, chain[0].parent)
        return chain


class NqfFramework(models.Model):
    """A national qualifications framework referenced to the EQF (e.g. Italy's QNQ)."""

    code = models.CharField(
        _("QDR code"),
        max_length=32,
        unique=True,
        help_text=_(
            "The code in the EU Vocabularies list of qualification frameworks (QDR), e.g. "
            "c_02d8bc18."
        ),
    )
    uri = models.URLField(
        _("URI"),
        unique=True,
        help_text=_(
            "The identifier in EU Vocabularies, e.g. http://data.europa.eu/snb/qdr/c_02d8bc18."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_("The framework's English name."),
    )
    country = models.ForeignKey(
        Concept,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        limit_choices_to={"scheme": Scheme.COUNTRY},
        related_name="+",
        help_text=_("The country whose framework it is."),
    )
    has_sublevels = models.BooleanField(
        _("has sub-levels"),
        default=False,
        help_text=_("Italy's QNQ articulates each level into sub-levels; 0 is a micro-credential."),
    )

    class Meta:
        verbose_name = _("national qualifications framework")
        verbose_name_plural = _("national qualifications frameworks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NqfLevel(models.Model):
    """A level of a national framework and the EQF level it is referenced to (criterion 21)."""

    framework = models.ForeignKey(
        NqfFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="levels",
        help_text=_("The national framework the level belongs to."),
    )
    code = models.CharField(
        _("QDR code"),
        max_length=32,
        unique=True,
        help_text=_(
            "The code in the EU Vocabularies list of qualification frameworks (QDR), e.g. "
            "c_02d8bc18."
        ),
    )
    uri = models.URLField(
        _("URI"),
        unique=True,
        help_text=_(
            "The identifier in EU Vocabularies, e.g. http://data.europa.eu/snb/qdr/c_02d8bc18."
        ),
    )
    label = models.CharField(
        _("label"),
        max_length=64,
        help_text=_("The national level's own name: not always a number (Malta's A and B)."),
    )
    eqf_level = models.ForeignKey(
        EqfLevel,
        verbose_name=_("EQF equivalent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nqf_levels",
        help_text=_(
            "The EQF level the country referenced this level to; empty when it is not referenced."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"),
        default=0,
        help_text=_("Order in the list; lower comes first."),
    )

    class Meta:
        verbose_name = _("NQF level")
        verbose_name_plural = _("NQF levels")
        ordering = ["framework__name", "sort_order"]

    def __str__(self) -> str:
        return f"{self.framework.name} {self.label}"


class QnqSublevel(models.IntegerChoices):
    """Italy's internal articulation of each QNQ level (CIMEA, 2026)."""

    MICRO_CREDENTIAL = 0, _("0 - micro-credential (competences of a broader qualification)")
    NO_ACCESS = 1, _("1 - no direct access to the next level")
    ACCESS = 2, _("2 - direct access to the next level")
    SPECIALISING_NO_ACCESS = 3, _("3 - specialising or vocational, no direct access")
    SPECIALISING_ACCESS = 4, _("4 - specialising or vocational, with direct access")
    INTERNATIONAL = 5, _("5 - international qualification not in the national repository")
