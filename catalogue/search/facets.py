"""The search facets: what can be filtered and counted, and where each value comes from.

A facet is declared once (here, in ``choice_facets`` for those computed from the editions, or
registered by another app, e.g. recognition's "recognised by") and serves the search page, the
API and the in-memory index that counts it: its label and its values' labels are what both
show, in the visitor's language.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalogue.models import record_id
from descriptors.models import Edition, LearningOpportunity, LearningOutcome, Organisation
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, Scheme

Pairs = Iterable[tuple[int, str]]
# Pairs are streamed from the database in chunks of this many rows: at 1,000,000 records a
# facet has millions (seven million opportunity-skill pairs), too many to hold as rows at once.
PAIRS_CHUNK = 20_000


@dataclass(frozen=True)
class Facet:
    """A multi-valued, multi-select facet.

    ``pairs(opportunities)`` yields (opportunity id, value key) for a queryset of
    opportunities; ``labels`` maps value keys to what a visitor reads; ``expand_selection``
    turns a chosen value into every value it stands for (a group stands for its narrower
    skills). A facet whose values depend on the date (agreements in force) ``changes_daily``:
    the index re-reads it each day. A ``tree`` facet's keys nest by prefix (ISCED-F 0613 under
    061 under 06; NUTS ITH35 under ITH3 under ITH under IT) and each opportunity counts for
    every value above its own (``with_broader``).
    """

    key: str
    label: str
    pairs: Callable[[QuerySet], Pairs]
    labels: Callable[[Iterable[str]], dict[str, str]]
    expand_selection: Callable[[set[str]], set[str]] | None = None
    show: int = 12
    searchable: bool = False
    order: str = "count"  # or "key" for ordinal values such as EQF levels
    changes_daily: bool = False
    tree: bool = False

    def with_broader(self, key: str) -> list[str]:
        """The value keys an opportunity with ``key`` counts for: itself, and in a tree every
        broader value (the shortest, two characters, is a tree's root: an ISCED-F broad field,
        a country)."""
        if not self.tree:
            return [key]
        return [key[:length] for length in range(2, len(key) + 1)] or [key]


@dataclass(frozen=True)
class ChoiceFacet:
    """A facet of a few fixed choices, one chosen at a time (fees, start, applications,
    editions), found from the editions' fees and dates rather than stored values.

    ``choices`` are (key, label) pairs; ``documents(snapshot, choice)`` is the boolean mask of
    the documents a choice keeps, which depends on the day, not on the rest of the search.
    """

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]
    documents: Callable[[Any, str], np.ndarray]


@dataclass(frozen=True)
class RangeBucket:
    key: str
    label: str
    low: float | None  # inclusive
    high: float | None  # exclusive


@dataclass(frozen=True)
class RangeFacet:
    """A numeric descriptor offered as buckets (ECTS, workload)."""

    key: str
    label: str
    field: str
    buckets: tuple[RangeBucket, ...] = field(default_factory=tuple)


def _through_pairs(relation, opportunities: QuerySet, value: str) -> Pairs:
    through = relation.through
    return (
        through.objects.filter(learningopportunity__in=opportunities)
        .values_list("learningopportunity_id", value)
        .iterator(chunk_size=PAIRS_CHUNK)
    )


def _concept_pairs(relation) -> Callable[[QuerySet], Pairs]:
    return lambda opportunities: _through_pairs(relation, opportunities, "concept__code")


def _edition_concept_pairs(name: str) -> Callable[[QuerySet], Pairs]:
    """A micro-credential's own values and those of its published editions (an edition that
    differs, such as a summer edition on site, adds its own)."""

    def pairs(opportunities: QuerySet) -> Pairs:
        yield from _concept_pairs(getattr(LearningOpportunity, name))(opportunities)
        yield from (
            getattr(Edition, name)
            .through.objects.filter(
                edition__opportunity__in=opportunities, edition__is_published=True
            )
            .values_list("edition__opportunity_id", "concept__code")
            .iterator(chunk_size=PAIRS_CHUNK)
        )

    return pairs


def _schedule_pairs(opportunities: QuerySet) -> Pairs:
    """The learning schedules of a micro-credential's published editions (part time light,
    part time intensive, full time)."""
    return (
        Edition.objects.published()
        .filter(opportunity__in=opportunities, learning_schedule__isnull=False)
        .order_by()  # a sort column would be part of what DISTINCT compares
        .values_list("opportunity_id", "learning_schedule__code")
        .distinct()
        .iterator(chunk_size=PAIRS_CHUNK)
    )


def _field_pairs(path: str) -> Callable[[QuerySet], Pairs]:
    return lambda opportunities: (
        opportunities.filter(**{f"{path}__isnull": False})
        .values_list("pk", path)
        .iterator(chunk_size=PAIRS_CHUNK)
    )


def _concept_labels(scheme: str) -> Callable[[Iterable[str]], dict[str, str]]:
    def labels(keys: Iterable[str]) -> dict[str, str]:
        return {
            concept.code: concept.localized_label
            for concept in Concept.objects.filter(scheme=scheme, code__in=list(keys))
        }

    return labels


def _isced_labels(keys: Iterable[str]) -> dict[str, str]:
    return {field.code: str(field) for field in IscedField.objects.filter(code__in=list(keys))}


def _skill_pairs(opportunities: QuerySet) -> Pairs:
    rows = (
        LearningOutcome.skills.through.objects.filter(
            learningoutcome__opportunity__in=opportunities
        )
        .values_list("learningoutcome__opportunity_id", "escoskill__uri")
        .iterator(chunk_size=PAIRS_CHUNK)
    )
    return ((opportunity_id, EscoSkill.key_of(uri)) for opportunity_id, uri in rows)


def _skill_uris(keys: Iterable[str]) -> list[str]:
    return [f"{prefix}{key}" for key in keys for prefix in EscoSkill.URI_PREFIXES]


def _skill_labels(keys: Iterable[str]) -> dict[str, str]:
    skills = EscoSkill.objects.filter(uri__in=_skill_uris(keys)).prefetch_related("labels")
    return {skill.key: skill.localized_label for skill in skills}


def _skill_with_narrower(keys: set[str]) -> set[str]:
    """A chosen skill group stands for every skill below it."""
    frontier = set(EscoSkill.objects.filter(uri__in=_skill_uris(keys)).values_list("pk", flat=True))
    found = set(frontier)
    while frontier:
        frontier = (
            set(
                EscoSkill.broader.through.objects.filter(broader_id__in=frontier).values_list(
                    "narrower_id", flat=True
                )
            )
            - found
        )
        found |= frontier
    return keys | {
        EscoSkill.key_of(uri)
        for uri in EscoSkill.objects.filter(pk__in=found).values_list("uri", flat=True)
    }


def organisation_labels(keys: Iterable[str]) -> dict[str, str]:
    """Organisation names by id (as facet value keys), for facets whose values are organisations."""
    ids = [pk for pk in map(record_id, keys) if pk is not None]
    return {
        str(pk): name
        for pk, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "name")
    }


def _eqf_labels(keys: Iterable[str]) -> dict[str, str]:
    return {
        str(level.level): str(level)
        for level in EqfLevel.objects.filter(
            level__in=[level for level in map(record_id, keys) if level is not None]
        )
    }


FACETS: list[Facet] = [
    Facet("eqf", _("EQF level"), _field_pairs("eqf_level_id"), _eqf_labels, order="key"),
    Facet(
        "isced",
        _("Field of education (ISCED-F)"),
        lambda opportunities: _through_pairs(
            LearningOpportunity.isced_fields, opportunities, "iscedfield_id"
        ),
        _isced_labels,
        show=0,
        tree=True,
    ),
    Facet(
        "skill",
        _("ESCO skills"),
        _skill_pairs,
        _skill_labels,
        _skill_with_narrower,
        show=15,
        searchable=True,
    ),
    Facet(
        "provider", _("Provider"), _field_pairs("provider_id"), organisation_labels, searchable=True
    ),
    Facet(
        "provider_type",
        _("Type of provider"),
        _field_pairs("provider__provider_type__code"),
        _concept_labels(Scheme.PROVIDER_TYPE),
    ),
    Facet(
        "country",
        _("Country"),
        _concept_pairs(LearningOpportunity.countries),
        _concept_labels(Scheme.COUNTRY),
    ),
    Facet(
        "region",
        _("Region (NUTS)"),
        _field_pairs("region__code"),
        _concept_labels(Scheme.NUTS),
        show=0,
        tree=True,
    ),
    Facet(
        "language",
        _("Language of instruction"),
        _edition_concept_pairs("languages"),
        _concept_labels(Scheme.LANGUAGE),
    ),
    Facet(
        "type",
        _("Type of learning opportunity"),
        _field_pairs("opportunity_type__code"),
        _concept_labels(Scheme.LEARNING_OPPORTUNITY_TYPE),
    ),
    Facet(
        "mode",
        _("Mode of learning"),
        _edition_concept_pairs("modes"),
        _concept_labels(Scheme.MODE),
    ),
    Facet(
        "schedule",
        _("Learning schedule"),
        _schedule_pairs,
        _concept_labels(Scheme.LEARNING_SCHEDULE),
    ),
    Facet(
        "credential",
        _("Type of credential"),
        _field_pairs("credential_type__code"),
        _concept_labels(Scheme.CREDENTIAL_TYPE),
    ),
]

RANGE_FACETS: list[RangeFacet] = [
    RangeFacet(
        "ects",
        _("ECTS credits"),
        "ects_credits",
        (
            RangeBucket("0-2", _("up to 2"), 0, 2.001),
            RangeBucket("2-5", _("more than 2, up to 5"), 2.001, 5.001),
            RangeBucket("5-10", _("more than 5, up to 10"), 5.001, 10.001),
            RangeBucket("10-", _("more than 10"), 10.001, None),
        ),
    ),
    RangeFacet(
        "workload",
        _("Workload"),
        "workload_hours",
        (
            RangeBucket("0-25", _("under 25 hours"), 0, 25),
            RangeBucket("25-50", _("25 to 49 hours"), 25, 50),
            RangeBucket("50-100", _("50 to 99 hours"), 50, 100),
            RangeBucket("100-200", _("100 to 199 hours"), 100, 200),
            RangeBucket("200-", _("200 hours or more"), 200, None),
        ),
    ),
]


def register_facet(facet: Facet) -> None:
    """Let another app add a facet (it must not be imported by the catalogue)."""
    if any(existing.key == facet.key for existing in FACETS):
        raise ValueError(f"a facet named {facet.key!r} exists already")
    FACETS.append(facet)


def facet_by_key(key: str) -> Facet:
    return next(facet for facet in FACETS if facet.key == key)
