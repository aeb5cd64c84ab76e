"""The ESCO occupations pillar: occupations and ISCO-08 groups, their hierarchy, the skills
each occupation needs and their labels in other languages.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from taxonomies.models.esco import EscoConcept, EscoLabel, label_search_text
from taxonomies.models.esco_skills import EscoSkill


class EscoOccupationQuerySet(models.QuerySet):
    def occupations(self) -> "EscoOccupationQuerySet":
        return self.filter(concept_type=EscoOccupation.ConceptType.OCCUPATION)

    def search(self, text: str) -> "EscoOccupationQuerySet":
        """Occupations with a label (preferred, alternative or hidden, in any loaded language)
        containing ``text``; those whose English preferred label starts with it first."""
        needle = label_search_text(text.strip())
        if not needle:
            return self.none()
        return (
            self.filter(search_text__contains=needle)
            .annotate(
                starts_with=models.Case(
                    models.When(preferred_label__istartswith=text.strip(), then=models.Value(0)),
                    default=models.Value(1),
                )
            )
            .order_by("starts_with", "preferred_label")
        )


class EscoOccupation(EscoConcept, models.Model):  # noqa: DJ008 (EscoConcept gives __str__)
    """An ESCO occupation or an ISCO-08 group of the occupations pillar.

    Learners look for courses by the job they want; the occupation's essential and optional
    skills (``EscoOccupationSkill``) say what to learn.
    """

    class ConceptType(models.TextChoices):
        OCCUPATION = "Occupation", _("Occupation")
        ISCO_GROUP = "ISCOGroup", _("ISCO group")

    URI_PREFIXES = ("http://data.europa.eu/esco/occupation/", "http://data.europa.eu/esco/isco/")

    uri = models.URLField(
        _("URI"),
        max_length=255,
        unique=True,
        help_text=_(
            "The concept's ESCO identifier, e.g. http://data.europa.eu/esco/occupation/ and a "
            "UUID, or http://data.europa.eu/esco/isco/C2512 for an ISCO group."
        ),
    )
    concept_type = models.CharField(
        _("concept type"),
        max_length=16,
        choices=ConceptType.choices,
        default=ConceptType.OCCUPATION,
        help_text=_("An ESCO occupation, or an ISCO-08 group above occupations."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        blank=True,
        help_text=_("ISCO-08 code of a group (e.g. 2642) or ESCO code of an occupation (2642.1)."),
    )
    isco_code = models.CharField(
        _("ISCO-08 group"),
        max_length=8,
        blank=True,
        help_text=_("The 4-digit ISCO-08 unit group an occupation belongs to."),
    )
    preferred_label = models.CharField(
        _("preferred label"),
        max_length=255,
        db_index=True,
        help_text=_("The English preferred label ESCO gives the concept."),
    )
    alt_labels = models.TextField(_("alternative labels"), blank=True, help_text=_("One per line."))
    hidden_labels = models.TextField(
        _("hidden labels"),
        blank=True,
        help_text=_("Misspellings and outdated terms: searched, never shown. One per line."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("ESCO's English description of the concept."),
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
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_("Every label in every loaded language, normalised for the type-ahead."),
    )
    broader = models.ManyToManyField(
        "self",
        verbose_name=_("broader concepts"),
        symmetrical=False,
        blank=True,
        related_name="narrower",
        through="EscoOccupationBroader",
        help_text=_("The ISCO groups or occupations above it in the occupations hierarchy."),
    )
    skills = models.ManyToManyField(
        EscoSkill,
        verbose_name=_("skills"),
        blank=True,
        related_name="occupations",
        through="EscoOccupationSkill",
        help_text=_("The skills ESCO says the occupation needs, essential or optional."),
    )

    objects = EscoOccupationQuerySet.as_manager()
    esco_page_kind = "occupation"

    class Meta:
        verbose_name = _("ESCO occupation")
        verbose_name_plural = _("ESCO occupations")
        ordering = ["preferred_label"]


class EscoOccupationBroader(models.Model):
    """An edge of the occupations pillar (``broaderRelationsOccPillar``): occupation -> ISCO
    group, occupation -> broader occupation, or ISCO group -> ISCO group."""

    narrower = models.ForeignKey(
        EscoOccupation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("narrower concept"),
        help_text=_("The concept below in the hierarchy."),
    )
    broader = models.ForeignKey(
        EscoOccupation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("broader concept"),
        help_text=_("The concept above it in the hierarchy."),
    )

    class Meta:
        verbose_name = _("ESCO occupation broader relation")
        verbose_name_plural = _("ESCO occupation broader relations")
        constraints = [
            models.UniqueConstraint(
                fields=["narrower", "broader"], name="esco_occupation_broader_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.narrower_id} -> {self.broader_id}"


class EscoOccupationSkill(models.Model):
    """A skill an occupation needs (``occupationSkillRelations``): essential or optional."""

    class Relation(models.TextChoices):
        ESSENTIAL = "essential", _("essential")
        OPTIONAL = "optional", _("optional")

    occupation = models.ForeignKey(
        EscoOccupation,
        on_delete=models.CASCADE,
        related_name="skill_relations",
        verbose_name=_("ESCO occupation"),
        help_text=_("The occupation that needs the skill."),
    )
    skill = models.ForeignKey(
        EscoSkill,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("ESCO skill"),
        help_text=_("The skill the occupation needs."),
    )
    relation = models.CharField(
        _("relation"),
        max_length=10,
        choices=Relation.choices,
        help_text=_(
            "Essential: every holder of the occupation needs it; optional: some do, depending on "
            "the job."
        ),
    )

    class Meta:
        verbose_name = _("ESCO occupation skill")
        verbose_name_plural = _("ESCO occupation skills")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "skill"], name="esco_occupation_skill_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} {self.relation} {self.skill_id}"


class EscoOccupationLabel(EscoLabel):
    """Labels of an occupation or ISCO group in a language other than English
    (``occupations_<lang>.csv``, ``ISCOGroups_<lang>.csv``)."""

    occupation = models.ForeignKey(
        EscoOccupation,
        on_delete=models.CASCADE,
        related_name="labels",
        verbose_name=_("ESCO occupation"),
        help_text=_("The occupation or ISCO group these labels name."),
    )

    class Meta:
        verbose_name = _("ESCO occupation label")
        verbose_name_plural = _("ESCO occupation labels")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "language"], name="esco_occupation_label_unique_language"
            ),
        ]
