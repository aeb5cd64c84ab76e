"""The ESCO skills pillar: skills, knowledge and competences, skill groups, their hierarchy
and their labels in other languages.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from taxonomies.models.esco import EscoConcept, EscoLabel


class EscoSkillQuerySet(models.QuerySet):
    def skills(self) -> "EscoSkillQuerySet":
        return self.filter(concept_type=EscoSkill.ConceptType.SKILL)

    def search(self, text: str) -> "EscoSkillQuerySet":
        """Skills whose preferred or alternative labels contain ``text``, best matches first."""
        text = text.strip()
        if not text:
            return self.none()
        starts = models.Q(preferred_label__istartswith=text)
        return (
            self.filter(
                models.Q(preferred_label__icontains=text) | models.Q(alt_labels__icontains=text)
            )
            .annotate(
                starts_with=models.Case(
                    models.When(starts, then=models.Value(0)), default=models.Value(1)
                )
            )
            .order_by("starts_with", "preferred_label")
        )


class EscoSkill(EscoConcept, models.Model):  # noqa: DJ008 (EscoConcept gives __str__)
    """An ESCO skill, knowledge or competence concept, or a skill group of the skills pillar.

    Learning outcomes link to these (ECCOE criterion 23, ELM ``relatedESCOSkill``).
    """

    class ConceptType(models.TextChoices):
        SKILL = "KnowledgeSkillCompetence", _("Skill, knowledge or competence")
        GROUP = "SkillGroup", _("Skill group")

    class SkillType(models.TextChoices):
        SKILL = "skill/competence", _("skill/competence")
        KNOWLEDGE = "knowledge", _("knowledge")

    class ReuseLevel(models.TextChoices):
        TRANSVERSAL = "transversal", _("transversal")
        CROSS_SECTOR = "cross-sector", _("cross-sector")
        SECTOR_SPECIFIC = "sector-specific", _("sector-specific")
        OCCUPATION_SPECIFIC = "occupation-specific", _("occupation-specific")

    # Skills and S/T/L groups live under /skill/, the knowledge groups under /isced-f/.
    URI_PREFIXES = ("http://data.europa.eu/esco/skill/", "http://data.europa.eu/esco/isced-f/")

    uri = models.URLField(
        _("URI"),
        max_length=255,
        unique=True,
        help_text=_(
            "The concept's ESCO identifier, e.g. http://data.europa.eu/esco/skill/ and a UUID: "
            "imports update by it."
        ),
    )
    concept_type = models.CharField(
        _("concept type"),
        max_length=32,
        choices=ConceptType.choices,
        default=ConceptType.SKILL,
        help_text=_(
            "A skill, knowledge or competence that learning outcomes link to, or a group of the "
            "skills hierarchy."
        ),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        help_text=_("Hierarchy code of a skill group, e.g. S1.1 or the ISCED-F code."),
    )
    preferred_label = models.CharField(
        _("preferred label"),
        max_length=255,
        db_index=True,
        help_text=_("The English preferred label ESCO gives the concept."),
    )
    alt_labels = models.TextField(
        _("alternative labels"),
        blank=True,
        help_text=_("One label per line."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("ESCO's English description of the concept."),
    )
    skill_type = models.CharField(
        _("skill type"),
        max_length=20,
        choices=SkillType.choices,
        blank=True,
        help_text=_(
            "Whether ESCO classes it as a skill/competence or as knowledge; empty for groups."
        ),
    )
    reuse_level = models.CharField(
        _("reuse level"),
        max_length=20,
        choices=ReuseLevel.choices,
        blank=True,
        help_text=_(
            "How widely it applies: transversal, cross-sector, sector-specific or "
            "occupation-specific; empty for groups."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        default="released",
        help_text=_("ESCO's publication status of the concept, usually released."),
    )
    modified = models.DateTimeField(
        _("modified in ESCO"),
        null=True,
        blank=True,
        help_text=_("When ESCO last changed the concept (its modifiedDate)."),
    )
    broader = models.ManyToManyField(
        "self",
        verbose_name=_("broader concepts"),
        symmetrical=False,
        blank=True,
        related_name="narrower",
        through="EscoBroaderRelation",
        help_text=_("The groups above it in the skills hierarchy."),
    )

    objects = EscoSkillQuerySet.as_manager()
    esco_page_kind = "skill"

    class Meta:
        verbose_name = _("ESCO skill")
        verbose_name_plural = _("ESCO skills")
        ordering = ["preferred_label"]


class EscoBroaderRelation(models.Model):
    """An edge of the skills pillar hierarchy (``broaderRelationsSkillPillar``)."""

    narrower = models.ForeignKey(
        EscoSkill,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("narrower concept"),
        help_text=_("The concept below in the hierarchy."),
    )
    broader = models.ForeignKey(
        EscoSkill,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("broader concept"),
        help_text=_("The concept above it in the hierarchy."),
    )

    class Meta:
        verbose_name = _("ESCO broader relation")
        verbose_name_plural = _("ESCO broader relations")
        constraints = [
            models.UniqueConstraint(fields=["narrower", "broader"], name="esco_broader_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.narrower_id} -> {self.broader_id}"


class EscoSkillLabel(EscoLabel):
    """Labels of an ESCO concept in a language other than English (``skills_<lang>.csv``)."""

    skill = models.ForeignKey(
        EscoSkill,
        on_delete=models.CASCADE,
        related_name="labels",
        verbose_name=_("ESCO skill"),
        help_text=_("The skill or skill group these labels name."),
    )

    class Meta:
        verbose_name = _("ESCO label")
        verbose_name_plural = _("ESCO labels")
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "language"], name="esco_label_unique_language"
            ),
        ]
