"""Which mandatory elements an opportunity still lacks.

The list combines the EU Council Recommendation's Annex I mandatory elements that describe a
learning opportunity (1, 5 and 14 describe an issued credential, not the catalogue entry) and the
ELM LOQ SHACL minimum cardinalities (LOQ-constraints.ttl) that our model can miss.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    source: str
    is_met: Callable[[LearningOpportunity], bool]


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "title",
        _("Title"),
        "Annex I 2; ELM LearningOpportunity.title [1..*]",
        lambda o: bool(o.title.strip()),
    ),
    Requirement(
        "homepage",
        _("Web page"),
        "ELM LearningOpportunity.homepage [1..*]",
        lambda o: bool(o.homepage),
    ),
    Requirement(
        "awarding_bodies",
        _("Awarding body"),
        "Annex I 3 and 4",
        lambda o: bool(o.awarding_bodies.all()),
    ),
    Requirement(
        "outcomes",
        _("Learning outcomes"),
        "Annex I 6; ELM LearningAchievementSpecification.learningOutcome [1..*]",
        lambda o: bool(o.outcomes.all()),
    ),
    Requirement(
        "workload",
        _("Notional workload (hours or ECTS)"),
        "Annex I 7",
        lambda o: bool(o.workload_hours or o.ects_credits),
    ),
    Requirement(
        "level",
        _("Level (EQF or NQF)"),
        "Annex I 8",
        lambda o: bool(o.eqf_level_id or o.nqf_level_id),
    ),
    Requirement(
        "assessments", _("Type of assessment"), "Annex I 9", lambda o: bool(o.assessments.all())
    ),
    Requirement(
        "modes",
        _("Form of participation (mode of learning)"),
        "Annex I 10",
        lambda o: bool(o.modes.all()),
    ),
    Requirement(
        "quality_assurance_type",
        _("Type of quality assurance"),
        "Annex I 11",
        lambda o: bool(o.quality_assurance_type_id),
    ),
    Requirement(
        "isced_fields",
        _("ISCED-F field"),
        "ELM LearningAchievementSpecification.ISCEDFCode [1..*]",
        lambda o: bool(o.isced_fields.all()),
    ),
    Requirement(
        "languages",
        _("Language of instruction"),
        "ELM LearningAchievementSpecification.language [1..*]",
        lambda o: bool(o.languages.all()),
    ),
)


@dataclass(frozen=True)
class Completeness:
    score: int
    missing: list[Requirement]

    @property
    def is_complete(self) -> bool:
        return not self.missing


def opportunity_completeness(opportunity: LearningOpportunity) -> Completeness:
    """Score (0-100) and the list of mandatory elements the opportunity still lacks."""
    if opportunity.pk is None:
        missing = list(REQUIREMENTS)
    else:
        missing = [
            requirement for requirement in REQUIREMENTS if not requirement.is_met(opportunity)
        ]
    met = len(REQUIREMENTS) - len(missing)
    return Completeness(score=round(100 * met / len(REQUIREMENTS)), missing=missing)


# What the requirements read: these fields, and whether each relation has any row.
_SCORED_FIELDS = (
    "title",
    "homepage",
    "workload_hours",
    "ects_credits",
    "eqf_level",
    "nqf_level",
    "quality_assurance_type",
)
_SCORED_RELATIONS = (
    "awarding_bodies",
    "outcomes",
    "assessments",
    "modes",
    "isced_fields",
    "languages",
)


def completeness_scores(ids: list[int]) -> dict[int, int]:
    """The score of each of these opportunities, reading only what the score reads: the
    indexer scores every record it writes, and reading whole rows and related objects made
    that a fifth slower. A requirement that reads another field must add it here (the test
    that counts queries fails otherwise)."""
    meta = LearningOpportunity._meta
    opportunities = (
        LearningOpportunity.objects.filter(pk__in=ids)
        .order_by()
        .only(*_SCORED_FIELDS)
        .prefetch_related(
            *(
                # The key back to the opportunity too, or each row would fetch it on its own.
                Prefetch(name, queryset=_bare(meta.get_field(name)))
                for name in _SCORED_RELATIONS
            )
        )
    )
    return {
        opportunity.pk: opportunity_completeness(opportunity).score for opportunity in opportunities
    }


def _bare(relation) -> QuerySet:
    """The related rows with nothing but their keys."""
    model = relation.related_model
    if relation.many_to_many:
        return model.objects.only("pk").order_by()
    return model.objects.only("pk", relation.remote_field.name).order_by()
