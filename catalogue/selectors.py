"""Reads for the public catalogue: the faceted search and the detail page."""

import threading
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from catalogue.facet_index import NO_DATE, Snapshot, facet_index, latest_log_entry
from catalogue.facets import FACETS, RANGE_FACETS, Facet, facet_by_key
from catalogue.filters import SearchParams
from catalogue.models import MAX_ID, CatalogueChange
from catalogue.text import WORD
from catalogue.text_engine import TextMatches, text_engine
from catalogue.text_search import snippets, text_query
from descriptors.models import LearningOpportunity, LearningOutcome
from descriptors.text import normalize
from taxonomies.models import EscoSkill

_results_lock = threading.Lock()


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool
    children: list["FacetValue"] = field(default_factory=list)


@dataclass
class FacetResult:
    key: str
    label: str
    values: list[FacetValue]
    searchable: bool = False
    more: int = 0  # values with a count that are not shown
    missing: int = 0  # results without any value for this facet


@dataclass
class SearchResult:
    version: str
    params: SearchParams
    total: int
    page: int
    page_size: int
    opportunities: list[LearningOpportunity]
    facets: list[FacetResult]
    snippets: dict[int, SafeString]
    # Each misspelt word of the query and the word searched instead.
    corrections: dict[str, str] = field(default_factory=dict)
    # Not every word of the query is in every result: all of them together found too little.
    optional_words: bool = False

    @property
    def corrected_text(self) -> str:
        """The query as searched: the misspelt words replaced by their corrections."""
        if not self.corrections:
            return ""
        return WORD.sub(
            lambda word: self.corrections.get(normalize(word[0]), word[0]), self.params.text
        )

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _days_from_epoch(value) -> int:
    return (value - timezone.datetime(1970, 1, 1).date()).days


def _filter_masks(snapshot: Snapshot, params: SearchParams) -> dict[str, np.ndarray]:
    """One mask per active filter, keyed by the facet whose counts ignore it."""
    size = snapshot.size
    masks: dict[str, np.ndarray] = {}
    for facet in FACETS:
        chosen = params.facets.get(facet.key)
        if chosen:
            if facet.expand_selection:
                chosen = facet.expand_selection(chosen)
            masks[facet.key] = snapshot.columns[facet.key].having(chosen, size)
    for range_facet in RANGE_FACETS:
        chosen = params.ranges.get(range_facet.key)
        if chosen:
            values = snapshot.numbers[range_facet.field]
            mask = np.zeros(size, bool)
            for bucket in range_facet.buckets:
                if bucket.key in chosen:
                    mask |= _in_bucket(values, bucket.low, bucket.high)
            masks[range_facet.key] = mask
    for key in CHOICE_FILTERS:
        choice = getattr(params, key)
        if choice and not (key == "start" and (params.start_from or params.start_to)):
            masks[key] = _choice_documents(snapshot, key, choice)
    if params.max_fee is not None:
        with np.errstate(invalid="ignore"):
            cheap = snapshot.editions.fee <= float(params.max_fee)
        masks["max_fee"] = snapshot.documents_with(cheap)
    if params.start_from or params.start_to:
        masks["start"] = snapshot.documents_with(_start_mask(snapshot, params))
    if params.modified_since is not None:
        masks["modified_since"] = snapshot.modified >= params.modified_since.timestamp()
    return masks


def _in_bucket(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        mask = ~np.isnan(values)
        if low is not None:
            mask &= values >= low
        if high is not None:
            mask &= values < high
    return mask


def _choice_documents(snapshot: Snapshot, key: str, choice: str) -> np.ndarray:
    """The documents a filter with fixed choices keeps (price, start, application, when),
    computed once per snapshot: they depend on the day, not on the rest of the search."""
    cache_key = (key, choice)
    if cache_key not in snapshot.choice_documents:
        if key == "when":
            documents = _when_mask(snapshot, choice)
        elif key == "price":
            documents = snapshot.documents_with(_price_mask(snapshot, choice))
        elif key == "start":
            documents = snapshot.documents_with(_start_mask(snapshot, SearchParams(start=choice)))
        else:
            documents = snapshot.documents_with(_application_mask(snapshot, choice))
        snapshot.choice_documents[cache_key] = documents
    return snapshot.choice_documents[cache_key]


def _price_mask(snapshot: Snapshot, choice: str) -> np.ndarray:
    """Editions that are free, or that cost something."""
    editions = snapshot.editions
    if choice == "free":
        return editions.is_free
    return ~editions.is_free & (np.nan_to_num(editions.fee) > 0)


def _when_mask(snapshot: Snapshot, choice: str) -> np.ndarray:
    """Documents with an edition still to come or running ("current"; also those with no
    edition yet: dates to be announced), or whose editions are all over ("past")."""
    day = snapshot.edition_day()
    past = day.has_editions & ~day.has_current
    return past if choice == "past" else ~past


def _start_mask(snapshot: Snapshot, params: SearchParams) -> np.ndarray | None:
    """Editions starting in the chosen window (or any time); None when no start is chosen."""
    today = timezone.localdate()
    editions = snapshot.editions
    dated = editions.start != NO_DATE
    if params.start == "any":
        return editions.any_start
    low = high = None
    if params.start in ("30", "90"):
        low, high = today, today + timedelta(days=int(params.start))
    if params.start_from:
        low = max(low, params.start_from) if low else params.start_from
    if params.start_to:
        high = min(high, params.start_to) if high else params.start_to
    if low is None and high is None:
        return None
    mask = dated.copy()
    if low is not None:
        mask &= editions.start >= _days_from_epoch(low)
    if high is not None:
        mask &= editions.start <= _days_from_epoch(high)
    return mask


def _application_mask(snapshot: Snapshot, choice: str) -> np.ndarray:
    """Editions whose applications are open today ("open"), or open and closing within 30
    days ("closing"); not those cancelled or over."""
    today = _days_from_epoch(timezone.localdate())
    deadline = snapshot.editions.deadline
    last = np.iinfo(np.int32).max if choice == "open" else today + 30
    return (
        (deadline != NO_DATE)
        & (deadline >= today)
        & (deadline <= last)
        & ~snapshot.edition_day().past
    )


def _all_of(base: np.ndarray, masks: dict[str, np.ndarray], *, ignoring: str = "") -> np.ndarray:
    result = base.copy()
    for key, mask in masks.items():
        if key != ignoring:
            result &= mask
    return result


def _facet_result(facet: Facet, snapshot: Snapshot, mask: np.ndarray | None, chosen: set[str]):
    column = snapshot.columns[facet.key]
    counts = snapshot.counts(facet.key, mask)
    present = np.flatnonzero(counts)
    if facet.show and len(present) > facet.show:
        # Only the most frequent values are shown: pick them without sorting thousands.
        present = present[np.argpartition(-counts[present], facet.show - 1)[: facet.show]]
    shown = {column.keys[index]: int(counts[index]) for index in present}
    for key in chosen:
        position = column.positions.get(key)
        shown[key] = int(counts[position]) if position is not None else 0
    if facet.order == "key":
        keys = sorted(shown, key=lambda key: (len(key), key))
    else:
        keys = sorted(shown, key=lambda key: (-shown[key], key))
    if facet.show:
        keys = [key for key in keys if key in chosen] + [key for key in keys if key not in chosen][
            : max(0, facet.show - len(chosen))
        ]
    labels = _labels(facet, snapshot, keys)
    values = [FacetValue(key, labels.get(key, key), shown[key], key in chosen) for key in keys]
    more = int(np.count_nonzero(counts)) - sum(1 for key in keys if shown[key])
    if facet.tree:
        values = _as_tree(values)
    has_value = np.zeros(snapshot.size, bool)
    has_value[column.documents] = True
    missing = int(np.count_nonzero((snapshot.alive if mask is None else mask) & ~has_value))
    return FacetResult(facet.key, str(facet.label), values, facet.searchable, more, missing)


def _labels(facet: Facet, snapshot: Snapshot, keys: list[str]) -> dict[str, str]:
    """Labels of the shown values; small vocabularies are labelled once per snapshot."""
    if facet.searchable and facet.show:
        return facet.labels(keys)
    cache_key = (facet.key, get_language())
    if cache_key not in snapshot.labels:
        snapshot.labels[cache_key] = facet.labels(snapshot.columns[facet.key].keys)
    return snapshot.labels[cache_key]


def _as_tree(values: list[FacetValue]) -> list[FacetValue]:
    """Nest codes by prefix: ISCED-F broad (2 digits) > narrow (3) > detailed (4), NUTS
    country (2 characters) > 1 > 2 > 3. A value's children are shown once it, or something
    below it, is chosen."""
    by_code = {value.key: value for value in sorted(values, key=lambda value: value.key)}
    roots = []
    for code, value in by_code.items():
        parent = by_code.get(code[:-1]) if len(code) > 2 else None
        (parent.children if parent else roots).append(value)

    def prune(value: FacetValue) -> bool:
        opened = [child for child in value.children if prune(child)]
        if not (value.selected or opened):
            value.children = []
        return value.selected or bool(opened)

    for root in roots:
        prune(root)
    return roots


def _range_results(snapshot: Snapshot, base, masks, params) -> list[FacetResult]:
    results = []
    for range_facet in RANGE_FACETS:
        mask = _all_of(base, masks, ignoring=range_facet.key)
        values = snapshot.numbers[range_facet.field][mask]
        chosen = params.ranges.get(range_facet.key, set())
        missing = int(np.count_nonzero(np.isnan(values)))
        results.append(
            FacetResult(
                range_facet.key,
                str(range_facet.label),
                [
                    FacetValue(
                        bucket.key,
                        str(bucket.label),
                        int(np.count_nonzero(_in_bucket(values, bucket.low, bucket.high))),
                        bucket.key in chosen,
                    )
                    for bucket in range_facet.buckets
                ],
                missing=missing,
            )
        )
    for key, choices in CHOICE_FILTERS.items():
        mask = _all_of(base, masks, ignoring=key)
        chosen = getattr(params, key)
        results.append(
            FacetResult(
                key,
                key,
                [
                    FacetValue(
                        choice,
                        choice,
                        int(np.count_nonzero(mask & _choice_documents(snapshot, key, choice))),
                        chosen == choice,
                    )
                    for choice in choices
                ],
            )
        )
    return results


# The filters whose choices are fixed, in the order their facets are shown.
CHOICE_FILTERS = {
    "price": ("free", "paid"),
    "start": ("30", "90", "any"),
    "application": ("open", "closing"),
    "when": ("current", "past"),
}


def _ordered(
    snapshot: Snapshot, positions: np.ndarray, sort: str, relevance, needed: int
) -> np.ndarray:
    """Positions in the requested order; ``needed`` is how many the page needs at least."""
    titles = snapshot.title_order()[positions]
    if sort == "relevance" and relevance is not None:
        keys = (titles, -relevance[positions])
    elif sort == "newest":
        keys = (titles, -snapshot.modified[positions])
    elif sort == "start":
        keys = (titles, snapshot.edition_day().next_start[positions])
    elif sort in ("ects", "workload"):
        values = snapshot.numbers["ects_credits" if sort == "ects" else "workload_hours"]
        values = values[positions]
        keys = (titles, -values, np.isnan(values))
    else:
        return _first_by_title(positions, titles, needed)
    return positions[np.lexsort(keys)]


def _first_by_title(positions: np.ndarray, titles: np.ndarray, needed: int) -> np.ndarray:
    """Positions in title order; only the first ``needed`` are sorted when that is cheaper."""
    if needed < len(positions) // 4:
        nearest = np.argpartition(titles, needed - 1)[:needed]
        return positions[nearest[np.argsort(titles[nearest])]]
    return positions[np.argsort(titles)]


def _text_mask(snapshot: Snapshot, matches: TextMatches | None) -> np.ndarray:
    """The documents matching the text query; all of them when there is none."""
    if matches is None:
        return np.ones(snapshot.size, bool)
    return np.isin(snapshot.ids, matches.ids)


def _text_matches(params: SearchParams) -> TextMatches | None:
    if not params.text:
        return None
    return text_engine().search(params.text, verbatim=params.verbatim)


def _relevance(snapshot: Snapshot, positions: np.ndarray, matches: TextMatches) -> np.ndarray:
    ids, ranks = matches.relevance(snapshot.ids[positions])
    relevance = np.zeros(snapshot.size)
    if len(ids):
        order = np.argsort(ids)
        ids, ranks = ids[order], ranks[order]
        where = np.clip(np.searchsorted(ids, snapshot.ids[positions]), 0, len(ids) - 1)
        found = ids[where] == snapshot.ids[positions]
        relevance[positions[found]] = ranks[where[found]]
    return relevance


def opportunity_search(
    params: SearchParams, *, page: int = 1, page_size: int = 20, after_id: int | None = None
) -> SearchResult:
    """Published opportunities matching the parameters, one page of them, and facet counts.

    Counts are disjunctive: a facet's values are counted with every filter applied except the
    facet's own, so choosing one value still shows how many the others would add.
    """
    snapshot = facet_index.current()
    # Today is part of the key: "starts within 30 days" changes at midnight.
    key = (params.cache_key(), page, page_size, after_id, get_language(), timezone.localdate())
    with _results_lock:
        cached = snapshot.results.get(key) if settings.OCLO_SEARCH_CACHE else None
        if cached is not None:
            snapshot.results.move_to_end(key)
            return cached
    result = _search(snapshot, params, page=page, page_size=page_size, after_id=after_id)
    if settings.OCLO_SEARCH_CACHE:
        with _results_lock:
            snapshot.results[key] = result
            while len(snapshot.results) > settings.OCLO_SEARCH_CACHE_SIZE:
                snapshot.results.popitem(last=False)
    return result


def search_masks(
    snapshot: Snapshot, params: SearchParams, matches: TextMatches | None = None
) -> tuple[np.ndarray, dict]:
    """The published documents matching the text, and one mask per active filter (keyed by
    the facet whose counts ignore it): what other selectors combine with the search's filters
    (see catalogue.occupations). ``matches`` is the text engine's answer to ``params.text``
    when the caller has it already."""
    if matches is None:
        matches = _text_matches(params)
    return snapshot.alive & _text_mask(snapshot, matches), _filter_masks(snapshot, params)


def all_of(base: np.ndarray, masks: dict[str, np.ndarray]) -> np.ndarray:
    return _all_of(base, masks)


def search_facets(
    snapshot: Snapshot, params: SearchParams, base: np.ndarray, masks: dict, *, whole: bool
) -> list[FacetResult]:
    """Disjunctive facet counts over ``base``; ``whole`` says that ``base`` is every published
    document (no text, no other restriction), which lets unfiltered counts come from the
    snapshot's cache."""
    facets = [
        _facet_result(
            facet,
            snapshot,
            # None: nothing but this facet's own selection applies, so the counts over the
            # whole catalogue (computed once per snapshot) are the answer.
            None
            if whole and set(masks) <= {facet.key}
            else _all_of(base, masks, ignoring=facet.key),
            params.facets.get(facet.key, set()),
        )
        for facet in FACETS
    ]
    return facets + _range_results(snapshot, base, masks, params)


def _search(snapshot: Snapshot, params: SearchParams, *, page: int, page_size: int, after_id):
    matches = _text_matches(params)
    base, masks = search_masks(snapshot, params, matches)
    matching = _all_of(base, masks)
    total = int(np.count_nonzero(matching))
    facets = search_facets(snapshot, params, base, masks, whole=not params.text)

    page = max(1, page)
    positions = np.flatnonzero(matching)
    if after_id is not None:
        # Harvesting: a stable order by id, resumed after the last id seen (keyset cursor).
        positions = positions[np.argsort(snapshot.ids[positions], kind="stable")]
        positions = positions[snapshot.ids[positions] > after_id]
        page_ids = [int(pk) for pk in snapshot.ids[positions[:page_size]]]
    else:
        sort = params.effective_sort
        relevance = _relevance(snapshot, positions, matches) if sort == "relevance" else None
        positions = _ordered(snapshot, positions, sort, relevance, page * page_size)
        page_ids = [
            int(pk) for pk in snapshot.ids[positions[(page - 1) * page_size : page * page_size]]
        ]
    by_id = opportunity_cards().in_bulk(page_ids)
    opportunities = [by_id[pk] for pk in page_ids if pk in by_id]
    return SearchResult(
        version=snapshot.version,
        params=params,
        total=total,
        page=page,
        page_size=page_size,
        opportunities=opportunities,
        facets=facets,
        snippets=snippets(opportunities, _searched_query(params, matches)),
        corrections=matches.corrections if matches else {},
        optional_words=bool(matches and matches.optional),
    )


def _searched_query(params: SearchParams, matches: TextMatches | None):
    """The query whose words the snippets highlight: as the engine searched it."""
    if matches is not None and matches.query is not None:
        return matches.query
    return text_query(params.text, verbatim=True)


CARD_OUTCOMES = 2


def opportunity_cards():
    """What a learner's card shows: the list data plus the credential and the first outcomes
    (``first_outcomes``: only those are read, a window per opportunity in the same query)."""
    first = LearningOutcome.objects.only("opportunity_id", "title", "title_translations")
    return (
        LearningOpportunity.objects.with_card_data()
        .select_related("credential_type")
        .prefetch_related(Prefetch("outcomes", first[:CARD_OUTCOMES], to_attr="first_outcomes"))
    )


def facet_values_matching(params: SearchParams, facet_key: str, keys: list[str]):
    """Values of a facet among ``keys`` (those a visitor looked for by name) that the search
    leaves a count for, counted like the facet itself (ignoring its own selection), most
    frequent first."""
    snapshot = facet_index.current()
    base, masks = search_masks(snapshot, params)
    counts = snapshot.counts(facet_key, _all_of(base, masks, ignoring=facet_key))
    positions = snapshot.columns[facet_key].positions
    found = {key: int(counts[positions[key]]) for key in keys if key in positions}
    found = {key: count for key, count in found.items() if count}
    labels = facet_by_key(facet_key).labels(list(found))
    chosen = params.facets.get(facet_key, set())
    return [
        FacetValue(key, labels.get(key, key), count, key in chosen)
        for key, count in sorted(
            found.items(), key=lambda item: (-item[1], labels.get(item[0], ""))
        )
    ]


def opportunity_search_total(params: SearchParams) -> int:
    """How many opportunities match, without building a page (for "remove this filter")."""
    snapshot = facet_index.current()
    base = snapshot.alive & _text_mask(snapshot, _text_matches(params))
    return int(np.count_nonzero(_all_of(base, _filter_masks(snapshot, params))))


def skill_suggestions(term: str, *, limit: int = 10) -> list[FacetValue]:
    """ESCO skills (the full set, not only those in use) whose labels contain ``term``."""
    skills = EscoSkill.objects.skills().search(term).prefetch_related("labels")[:limit]
    return [FacetValue(skill.key, skill.localized_label, 0, False) for skill in skills]


# Raw SQL because every detail answer runs it first (for its ETag), and building the same
# query through the ORM cost four times its round trip to the database.
LATEST_CHANGE_SQL = (
    f"SELECT change.sequence, change.changed_at FROM {CatalogueChange._meta.db_table} change "
    f"JOIN {LearningOpportunity._meta.db_table} opportunity "
    "ON opportunity.id = change.opportunity_id "
    "WHERE change.opportunity_id = %s AND opportunity.status = %s "
    "ORDER BY change.sequence DESC LIMIT 1"
)


def opportunity_version(*, pk: int):
    """(sequence, time) of the latest change to a published opportunity, or 404."""
    if not 0 < pk <= MAX_ID:  # the raw query would overflow instead of finding nothing
        raise Http404("No LearningOpportunity matches the given query.")
    published = LearningOpportunity.Status.PUBLISHED
    for change in CatalogueChange.objects.raw(LATEST_CHANGE_SQL, [pk, published]):
        return change.sequence, change.changed_at
    # Records loaded without the change log (raw fixtures) fall back to their own timestamp.
    modified = (
        LearningOpportunity.objects.published()
        .filter(pk=pk)
        .values_list("modified", flat=True)
        .first()
    )
    if modified is None:
        raise Http404("No LearningOpportunity matches the given query.")
    return 0, modified


def catalogue_changes(*, since: int, limit: int) -> tuple[list[CatalogueChange], int]:
    """Up to ``limit`` log entries after sequence ``since``, and the newest sequence. Each
    entry reads as it was written (``search_index``): what was served once is served again."""
    changes = list(CatalogueChange.objects.filter(sequence__gt=since)[:limit])
    latest, _ = latest_log_entry()
    return changes, latest


def opportunity_detail(*, pk: int) -> LearningOpportunity:
    """One published opportunity with every descriptor, or 404."""
    return get_object_or_404(LearningOpportunity.objects.published().with_detail_data(), pk=pk)


def opportunity_related(opportunity: LearningOpportunity, *, limit: int = 4):
    """Published opportunities sharing ESCO skills or an ISCED-F field, most shared first."""
    skills = [skill.pk for outcome in opportunity.outcomes.all() for skill in outcome.skills.all()]
    fields = [field.pk for field in opportunity.isced_fields.all()]
    return (
        opportunity_cards()
        .published()
        .exclude(pk=opportunity.pk)
        .annotate(
            shared_skills=Count(
                "outcomes__skills", filter=Q(outcomes__skills__in=skills), distinct=True
            ),
            shared_fields=Count("isced_fields", filter=Q(isced_fields__in=fields), distinct=True),
        )
        .filter(Q(shared_skills__gt=0) | Q(shared_fields__gt=0))
        .order_by("-shared_skills", "-shared_fields", "title")[:limit]
    )


def facet_totals(facet_key: str) -> dict[str, int]:
    """How many published opportunities have each value of a facet (for the browse pages)."""
    snapshot = facet_index.current()
    column = snapshot.columns[facet_key]
    counts = column.count(snapshot.alive)
    return {column.keys[index]: int(count) for index, count in enumerate(counts) if count}


def skill_by_key(key: str) -> EscoSkill:
    """An ESCO concept by the last segment of its URI, with its neighbours, or 404."""
    return get_object_or_404(
        EscoSkill.objects.prefetch_related("labels", "broader", "narrower"),
        uri__in=[f"{prefix}{key}" for prefix in EscoSkill.URI_PREFIXES],
    )
