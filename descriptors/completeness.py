"""Which mandatory elements an opportunity still lacks.

The list combines the EU Council Recommendation's Annex I mandatory elements that describe a
learning opportunity (1, 5 and 14 describe an issued credential, not the catalogue entry) and the
ELM LOQ SHACL minimum cardinalities (LOQ-constraints.ttl) that our model can miss.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from descriptors.models import LearningOpportunity


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    source: str
    # Met when any of these is filled in: a field of the opportunity (text that is not blank,
    # a number that is not 0, a chosen concept) or a relation with at least one row.
    any_of: tuple[str, ...]


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("title", _("Title"), "Annex I 2; ELM LearningOpportunity.title [1..*]", ("title",)),
    Requirement(
        "homepage", _("Web page"), "ELM LearningOpportunity.homepage [1..*]", ("homepage",)
    ),
    Requirement("awarding_bodies", _("Awarding body"), "Annex I 3 and 4", ("awarding_bodies",)),
    Requirement(
        "outcomes",
        _("Learning outcomes"),
        "Annex I 6; ELM LearningAchievementSpecification.learningOutcome [1..*]",
        ("outcomes",),
    ),
    Requirement(
        "workload",
        _("Notional workload (hours or ECTS)"),
        "Annex I 7",
        ("workload_hours", "ects_credits"),
    ),
    Requirement("level", _("Level (EQF or NQF)"), "Annex I 8", ("eqf_level", "nqf_level")),
    Requirement("assessments", _("Type of assessment"), "Annex I 9", ("assessments",)),
    Requirement("modes", _("Form of participation (mode of learning)"), "Annex I 10", ("modes",)),
    Requirement(
        "quality_assurance_type",
        _("Type of quality assurance"),
        "Annex I 11",
        ("quality_assurance_type",),
    ),
    Requirement(
        "isced_fields",
        _("ISCED-F field"),
        "ELM LearningAchievementSpecification.ISCEDFCode [1..*]",
        ("isced_fields",),
    ),
    Requirement(
        "languages",
        _("Language of instruction"),
        "ELM LearningAchievementSpecification.language [1..*]",
        ("languages",),
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
        return _completeness(lambda name: False)
    return _completeness(lambda name: _is_filled(_value(opportunity, name)))


def completeness_scores(ids: list[int]) -> dict[int, int]:
    """The score of each of these opportunities, reading only what the requirements read: the
    fields in one query, then which of the records have a row in each relation, a query each
    (the indexer scores every record it writes: loading the related rows themselves took a
    fifth of a bulk load's time)."""
    having = {name: set(_having_rows(name, ids)) for name in _names() if _is_relation(name)}
    rows = LearningOpportunity.objects.filter(pk__in=ids).order_by().values("pk", *_scored_fields())

    def score(row: dict) -> int:
        return _completeness(
            lambda name: row["pk"] in having[name] if name in having else _is_filled(row[name])
        ).score

    return {row["pk"]: score(row) for row in rows}


def _completeness(is_filled: Callable[[str], bool]) -> Completeness:
    missing = [
        requirement
        for requirement in REQUIREMENTS
        if not any(is_filled(name) for name in requirement.any_of)
    ]
    met = len(REQUIREMENTS) - len(missing)
    return Completeness(score=round(100 * met / len(REQUIREMENTS)), missing=missing)


def _is_filled(value) -> bool:
    return bool(value.strip() if isinstance(value, str) else value)


def _is_relation(name: str) -> bool:
    field = LearningOpportunity._meta.get_field(name)
    return field.many_to_many or field.one_to_many


def _value(opportunity: LearningOpportunity, name: str):
    """The field's value (a concept's key, not the concept: no query), or whether the
    relation has a row (from the prefetched rows when there are)."""
    if _is_relation(name):
        return bool(getattr(opportunity, name).all())
    return getattr(opportunity, LearningOpportunity._meta.get_field(name).attname)


def _names() -> set[str]:
    return {name for requirement in REQUIREMENTS for name in requirement.any_of}


def _scored_fields() -> list[str]:
    return sorted(name for name in _names() if not _is_relation(name))


def _having_rows(relation: str, ids: list[int]):
    """Which of these opportunities have a row in the relation. Not an EXISTS per record:
    PostgreSQL answered that by hashing the whole relation when most records have a row."""
    field = LearningOpportunity._meta.get_field(relation)
    if field.many_to_many:
        rows, key = field.remote_field.through.objects, field.m2m_field_name()
    else:
        rows, key = field.related_model.objects, field.remote_field.name
    return rows.filter(**{f"{key}__in": ids}).order_by().values_list(key, flat=True).distinct()
