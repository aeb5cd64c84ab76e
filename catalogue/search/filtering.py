"""Which documents a search keeps: the text's matches, and one boolean mask per active filter.

Masks are kept apart, keyed by the facet whose counts ignore them, so that facet counts can be
disjunctive (see ``facet_counts``) and other reads can combine them (see
``catalogue.occupations``).
"""

import math

import numpy as np

from catalogue.filters import SearchParams
from catalogue.search.choice_facets import CHOICE_FACETS, starting_editions
from catalogue.search.facet_index import UNKNOWN_FEE, Snapshot
from catalogue.search.facets import FACETS, RANGE_FACETS, ChoiceFacet
from catalogue.search.text_engines import TextMatches, text_engine
from catalogue.search.words import parse_web_search


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
                    mask |= in_bucket(values, bucket.low, bucket.high)
            masks[range_facet.key] = mask
    for choice_facet in CHOICE_FACETS:
        choice = getattr(params, choice_facet.key)
        if choice and not (choice_facet.key == "start" and (params.start_from or params.start_to)):
            masks[choice_facet.key] = choice_documents(snapshot, choice_facet, choice)
    if params.max_fee is not None:
        fees = snapshot.editions.fee_cents
        cheap = (fees != UNKNOWN_FEE) & (fees <= math.floor(params.max_fee * 100))
        masks["max_fee"] = snapshot.documents_with(cheap)
    if params.start_from or params.start_to:
        masks["start"] = snapshot.documents_with(starting_editions(snapshot, params))
    if params.modified_since is not None:
        masks["modified_since"] = snapshot.modified >= params.modified_since.timestamp()
    return masks


def in_bucket(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        mask = ~np.isnan(values)
        if low is not None:
            mask &= values >= low
        if high is not None:
            mask &= values < high
    return mask


def choice_documents(snapshot: Snapshot, facet: ChoiceFacet, choice: str) -> np.ndarray:
    """The documents a choice keeps, computed once per snapshot: they depend on the day, not
    on the rest of the search."""
    cache_key = (facet.key, choice)
    if cache_key not in snapshot.choice_documents:
        snapshot.choice_documents[cache_key] = facet.documents(snapshot, choice)
    return snapshot.choice_documents[cache_key]


def all_of(base: np.ndarray, masks: dict[str, np.ndarray], *, ignoring: str = "") -> np.ndarray:
    """The documents of ``base`` that every mask keeps (but the one keyed ``ignoring``)."""
    result = base.copy()
    for key, mask in masks.items():
        if key != ignoring:
            result &= mask
    return result


def _text_mask(snapshot: Snapshot, matches: TextMatches | None) -> np.ndarray:
    """The documents matching the text query; all of them when there is none."""
    if matches is None:
        return np.ones(snapshot.size, bool)
    found = np.isin(snapshot.ids, matches.ids)
    return ~found if matches.excluding else found


def text_matches(params: SearchParams) -> TextMatches | None:
    """The text engine's answer to the query, or None when it asks for nothing (no words)."""
    parsed = parse_web_search(params.text)
    if parsed.is_empty:
        return None
    if not parsed.required:
        # Only words to leave out ("-beginner"): every record but those that have one. Asked
        # of the engine as the words themselves, so that every engine answers it alike.
        having = text_engine().search(
            " OR ".join(f'"{term}"' for term in parsed.excluded), verbatim=True
        )
        return TextMatches(having.ids, scores=np.zeros(len(having.ids)), excluding=True)
    return text_engine().search(params.text, verbatim=params.verbatim)


def search_masks(
    snapshot: Snapshot, params: SearchParams, matches: TextMatches | None = None
) -> tuple[np.ndarray, dict]:
    """The published documents matching the text, and one mask per active filter (keyed by
    the facet whose counts ignore it): what other selectors combine with the search's filters
    (see catalogue.occupations). ``matches`` is the text engine's answer to ``params.text``
    when the caller has it already."""
    if matches is None:
        matches = text_matches(params)
    return snapshot.alive & _text_mask(snapshot, matches), _filter_masks(snapshot, params)
