"""Reads for "courses for this job": ESCO occupations, the skills they need, and the published
opportunities that teach the ones a learner is still missing.

Ranking, coverage and the path run on the search's in-memory index (its ``skill`` column says
which skills each opportunity teaches) combined with the search's own filter masks, so every
facet of the search page applies here with the same meaning.
"""

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
import numpy as np
from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalogue.filters import OpportunitySearchFilterSet, SearchParams, ValuesFilter
from catalogue.search.arrays import runs, sorted_unique
from catalogue.search.facet_counts import FacetResult, search_facets
from catalogue.search.facet_index import Snapshot, facet_index
from catalogue.search.filtering import all_of, search_masks
from descriptors.models import LearningOpportunity
from taxonomies.models import (
    EscoBroaderRelation,
    EscoOccupation,
    EscoOccupationLabel,
    EscoOccupationSkill,
    EscoRelease,
    EscoSkill,
    EscoSkillLabel,
    labels_in_visitor_language,
)

# An opportunity teaching one more missing essential skill always ranks above any number of
# optional ones (an occupation has at most a few hundred skills).
ESSENTIAL_WEIGHT = 1000


class CoursesForJobFilterSet(OpportunitySearchFilterSet):
    """The search parameters, plus the occupation's skills the learner already has and
    whether to build a path."""

    have = ValuesFilter(
        label=_("Skills I already have"),
        method="evaluated_in_selector",
        help_text=_("ESCO skill keys (the last part of the URI) to leave out of the ranking."),
    )
    path = django_filters.BooleanFilter(
        label=_("Build a path"),
        method="evaluated_in_selector",
        help_text=_("Add the fewest opportunities that teach every missing essential skill."),
    )

    def held(self) -> set[str]:
        return set(self.cleaned().get("have") or [])

    def wants_path(self) -> bool:
        return bool(self.cleaned().get("path"))


@dataclass
class SkillNeed:
    skill: EscoSkill
    essential: bool
    held: bool


@dataclass
class CourseMatch:
    opportunity: LearningOpportunity
    essential: list[EscoSkill]  # missing essential skills it teaches
    optional: list[EscoSkill]


@dataclass
class LearningPath:
    """The fewest opportunities (greedily) that together teach the missing essential skills."""

    steps: list[CourseMatch]
    uncovered: list[EscoSkill]  # missing essential skills no matching opportunity teaches
    ects: Decimal = Decimal(0)
    hours: int = 0
    prices: dict[str, Decimal] = field(default_factory=dict)  # currency -> total fee
    unknown_ects: int = 0  # steps whose ECTS (hours, fee) the provider did not state
    unknown_hours: int = 0
    unknown_price: int = 0


@dataclass
class CoursesForJob:
    occupation: EscoOccupation
    needs: list[SkillNeed]
    params: SearchParams
    total: int
    page: int
    page_size: int
    matches: list[CourseMatch]
    facets: list[FacetResult]
    path: LearningPath | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def missing_essential(self) -> int:
        return sum(1 for need in self.needs if need.essential and not need.held)


def occupation_by_key(key: str) -> EscoOccupation:
    """An occupation by the last segment of its URI, or 404."""
    return get_object_or_404(
        EscoOccupation.objects.occupations().prefetch_related(
            labels_in_visitor_language(EscoOccupationLabel)
        ),
        uri=f"{EscoOccupation.URI_PREFIXES[0]}{key}",
    )


def occupation_suggestions(term: str, *, limit: int = 10) -> list[EscoOccupation]:
    """Occupations with a label in any loaded language containing ``term`` (type-ahead)."""
    return list(
        EscoOccupation.objects.occupations()
        .search(term[:100])
        .prefetch_related(labels_in_visitor_language(EscoOccupationLabel))[:limit]
    )


NEEDS_CACHE_SIZE = 512
_needs_cache: OrderedDict = OrderedDict()


def occupation_needs(occupation: EscoOccupation, held: set[str]) -> list[SkillNeed]:
    """The occupation's skills, essential first, then by label. ESCO changes only by an
    import, so each occupation's list is read once per release and language."""
    key = (occupation.pk, _skill_tree().marker, get_language())
    with _skill_tree_lock:
        skills = _needs_cache.get(key)
        if skills is not None:
            _needs_cache.move_to_end(key)
    if skills is None:
        relations = (
            EscoOccupationSkill.objects.filter(occupation=occupation)
            .select_related("skill")
            # Skills carry long descriptions; a job needs up to 250 and shows labels only.
            .only("relation", "skill__uri", "skill__preferred_label", "skill__concept_type")
            .prefetch_related(labels_in_visitor_language(EscoSkillLabel, "skill__labels"))
        )
        skills = sorted(
            (
                (relation.skill, relation.relation == EscoOccupationSkill.Relation.ESSENTIAL)
                for relation in relations
            ),
            key=lambda item: (not item[1], item[0].localized_label.lower()),
        )
        with _skill_tree_lock:
            _needs_cache[key] = skills
            while len(_needs_cache) > NEEDS_CACHE_SIZE:
                _needs_cache.popitem(last=False)
    return [SkillNeed(skill, essential, skill.key in held) for skill, essential in skills]


@dataclass(frozen=True)
class _SkillTree:
    """The skills hierarchy downwards (broader id -> narrower ids) and each concept's key:
    read once per ESCO release and process instead of walked with queries on every request."""

    marker: tuple
    narrower: dict[int, list[int]]
    keys: dict[int, str]


_skill_tree_cache: list[_SkillTree] = []
_skill_tree_lock = threading.Lock()


def _skill_tree() -> _SkillTree:
    release = EscoRelease.objects.order_by("-loaded_at", "-pk").values_list("pk", "loaded_at")
    marker = tuple(release.first() or ())
    with _skill_tree_lock:
        if _skill_tree_cache and _skill_tree_cache[0].marker == marker:
            return _skill_tree_cache[0]
        narrower: dict[int, list[int]] = defaultdict(list)
        for narrow, broad in EscoBroaderRelation.objects.values_list("narrower_id", "broader_id"):
            narrower[broad].append(narrow)
        keys = {pk: EscoSkill.key_of(uri) for pk, uri in EscoSkill.objects.values_list("pk", "uri")}
        _skill_tree_cache[:] = [_SkillTree(marker, dict(narrower), keys)]
        return _skill_tree_cache[0]


def _teaching_keys(skill_ids: list[int]) -> dict[str, set[int]]:
    """For each skill id, the keys of every concept that counts as teaching it: itself and
    everything below it (a course on Python teaches "computer programming")."""
    tree = _skill_tree()
    origins: dict[int, set[int]] = {pk: {pk} for pk in skill_ids}
    frontier = set(skill_ids)
    while frontier:
        next_frontier = set()
        for broad in frontier:
            for narrow in tree.narrower.get(broad, ()):
                new = origins[broad] - origins.get(narrow, set())
                if new:
                    origins.setdefault(narrow, set()).update(new)
                    next_frontier.add(narrow)
        frontier = next_frontier
    return {tree.keys[pk]: needs for pk, needs in origins.items() if pk in tree.keys}


def _coverage(snapshot: Snapshot, needs: list[SkillNeed], base: np.ndarray):
    """(document, need index) pairs: which missing needs each document in ``base`` teaches."""
    missing = [index for index, need in enumerate(needs) if not need.held]
    index_of = {needs[index].skill.pk: index for index in missing}
    column = snapshot.columns["skill"]
    value_needs: dict[int, list[int]] = {}
    for key, origins in _teaching_keys(list(index_of)).items():
        position = column.positions.get(key)
        if position is not None:
            value_needs[position] = [index_of[origin] for origin in origins]
    if not value_needs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # The needs of each skill value as one flat array with offsets (vectorised expansion: an
    # occupation's skills can be taught by tens of thousands of (document, skill) pairs).
    positions = np.fromiter(value_needs, np.int64)
    lengths = np.array([len(value_needs[position]) for position in positions.tolist()])
    flat_needs = np.concatenate([value_needs[position] for position in positions.tolist()])
    starts = np.cumsum(lengths) - lengths
    documents, slots = column.documents_with(positions)
    keep = base[documents]
    documents, slots = documents[keep].astype(np.int64), slots[keep]
    # One pair per (document, need) that each (document, value) stands for.
    counts = lengths[slots]
    need_index = flat_needs[runs(starts[slots], counts)].astype(np.int64)
    documents = np.repeat(documents, counts)
    combined = sorted_unique(documents * len(needs) + need_index)
    return combined // len(needs), combined % len(needs)


def courses_for_job(
    occupation: EscoOccupation,
    params: SearchParams,
    *,
    held: set[str] = frozenset(),
    page: int = 1,
    page_size: int = 20,
    with_path: bool = False,
) -> CoursesForJob:
    """Published opportunities that teach skills the occupation needs and the learner lacks,
    ranked by how many missing essential skills they teach, then optional ones, then title;
    the search's text and filters apply, and facets are counted over the opportunities that
    teach at least one missing skill."""
    snapshot = facet_index.current()
    tree = _skill_tree()
    # Like the search's (search.results.opportunity_search): answers are kept with the snapshot
    # they were computed on, so a catalogue change drops them; an ESCO import changes the tree.
    key = (
        "jobs",
        tree.marker,
        occupation.pk,
        params.cache_key(),
        tuple(sorted(held)),
        page,
        page_size,
        with_path,
        get_language(),
        timezone.localdate(),
    )
    if settings.OCLO_SEARCH_CACHE:
        with _skill_tree_lock:
            cached = snapshot.results.get(key)
            if cached is not None:
                snapshot.results.move_to_end(key)
                return cached
    result = _courses_for_job(snapshot, occupation, params, held, page, page_size, with_path)
    if settings.OCLO_SEARCH_CACHE:
        with _skill_tree_lock:
            snapshot.results[key] = result
            while len(snapshot.results) > settings.OCLO_SEARCH_CACHE_SIZE:
                snapshot.results.popitem(last=False)
    return result


def _courses_for_job(snapshot, occupation, params, held, page, page_size, with_path):
    needs = occupation_needs(occupation, held)
    base, masks = search_masks(snapshot, params)
    documents, need_index = _coverage(snapshot, needs, base)
    teaching = np.zeros(snapshot.size, bool)
    teaching[documents] = True
    matching = all_of(base & teaching, masks)
    essential = np.array([need.essential for need in needs], bool)
    in_result = matching[documents]
    documents, need_index = documents[in_result], need_index[in_result]
    weights = np.where(essential[need_index], ESSENTIAL_WEIGHT, 1) if len(need_index) else []
    score = np.bincount(documents, weights=weights, minlength=snapshot.size)
    positions = np.flatnonzero(matching)
    order = positions[np.lexsort((snapshot.title_order()[positions], -score[positions]))]
    page = max(1, page)
    shown = order[(page - 1) * page_size : page * page_size]
    result = CoursesForJob(
        occupation=occupation,
        needs=needs,
        params=params,
        total=len(positions),
        page=page,
        page_size=page_size,
        matches=_matches(snapshot, needs, shown, documents, need_index),
        facets=search_facets(snapshot, params, base & teaching, masks, whole=False),
    )
    if with_path:
        result.path = _path(snapshot, needs, documents, need_index, score)
    return result


def _matches(snapshot, needs, shown, documents, need_index) -> list[CourseMatch]:
    ids = [int(pk) for pk in snapshot.ids[shown]]
    by_id = LearningOpportunity.objects.with_card_data().in_bulk(ids)
    covered: dict[int, list[int]] = defaultdict(list)
    on_page = np.isin(documents, shown)
    for document, need in zip(
        documents[on_page].tolist(), need_index[on_page].tolist(), strict=True
    ):
        covered[document].append(need)
    matches = []
    for position, pk in zip(shown.tolist(), ids, strict=True):
        if pk not in by_id:
            continue
        taught = [needs[index] for index in covered[position]]
        matches.append(
            CourseMatch(
                by_id[pk],
                [need.skill for need in taught if need.essential],
                [need.skill for need in taught if not need.essential],
            )
        )
    return matches


def _path(snapshot, needs, documents, need_index, score) -> LearningPath:
    """Greedy set cover: take the opportunity teaching the most still-uncovered essential
    skills (ties: the better ranked), until none is left or nothing teaches the rest."""
    essential = np.array([need.essential for need in needs], bool)
    keep = essential[need_index] if len(need_index) else np.zeros(0, bool)
    documents, need_index = documents[keep], need_index[keep]
    uncovered = {index for index, need in enumerate(needs) if need.essential and not need.held}
    chosen: list[tuple[int, list[int]]] = []
    titles = snapshot.title_order()
    while uncovered and len(documents):
        open_pairs = np.isin(need_index, list(uncovered))
        if not open_pairs.any():
            break
        gains = np.bincount(documents[open_pairs], minlength=snapshot.size)
        best = np.flatnonzero(gains == gains.max())
        pick = int(best[np.lexsort((titles[best], -score[best]))[0]])
        taught = sorted(set(need_index[open_pairs & (documents == pick)].tolist()))
        chosen.append((pick, taught))
        uncovered -= set(taught)
    ids = [int(snapshot.ids[position]) for position, _ in chosen]
    by_id = LearningOpportunity.objects.with_card_data().in_bulk(ids)
    path = LearningPath(
        steps=[
            CourseMatch(by_id[pk], [needs[index].skill for index in taught], [])
            for pk, (_, taught) in zip(ids, chosen, strict=True)
            if pk in by_id
        ],
        uncovered=[needs[index].skill for index in sorted(uncovered)],
    )
    for step in path.steps:
        opportunity = step.opportunity
        if opportunity.ects_credits is None:
            path.unknown_ects += 1
        else:
            path.ects += opportunity.ects_credits
        if opportunity.workload_hours is None:
            path.unknown_hours += 1
        else:
            path.hours += opportunity.workload_hours
        edition = opportunity.headline_edition
        if edition is not None and edition.is_free:
            continue
        if edition is None or edition.fee_amount is None or edition.currency is None:
            path.unknown_price += 1
        else:
            currency = edition.currency.code
            path.prices[currency] = path.prices.get(currency, Decimal(0)) + edition.fee_amount
    return path
