"""Facet counts: how many results each value of each facet would give, and its label.

Counts are disjunctive: a facet's values are counted with every filter applied except the
facet's own, so choosing one value still shows how many the others would add.
"""

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import get_language

from catalogue.filters import SearchParams
from catalogue.search.choice_facets import CHOICE_FACETS
from catalogue.search.facet_index import Snapshot, facet_index
from catalogue.search.facets import FACETS, RANGE_FACETS, Facet, facet_by_key
from catalogue.search.filtering import all_of, choice_documents, in_bucket, search_masks


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
    # The values with a count that are not shown first, most frequent first: every value of a
    # facet that is not searchable stays one click away (a searchable one is found by name).
    more_values: list[FacetValue] = field(default_factory=list)
    one_choice: bool = False  # one value at a time (a choice facet)


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
        # The chosen values are kept in their place among the most frequent: moved to the top,
        # the value under a visitor's finger changed as the list was redrawn after a tick.
        kept = set(chosen) | set(
            [key for key in keys if key not in chosen][: max(0, facet.show - len(chosen))]
        )
        keys = [key for key in keys if key in kept]
    labels = _labels(facet, snapshot, keys)
    values = [FacetValue(key, labels.get(key, key), shown[key], key in chosen) for key in keys]
    more = int(np.count_nonzero(counts)) - sum(1 for key in keys if shown[key])
    more_values = [] if facet.searchable or not more else _more_values(column, counts, keys, labels)
    if facet.tree:
        values = _as_tree(values)
    missing = column.count_missing(snapshot.alive if mask is None else mask)
    return FacetResult(
        facet.key,
        str(facet.label),
        values,
        facet.searchable,
        more,
        missing,
        more_values=more_values,
    )


def _more_values(column, counts: np.ndarray, shown: list[str], labels: dict) -> list[FacetValue]:
    listed = set(shown)
    hidden = [
        (int(counts[index]), column.keys[index])
        for index in np.flatnonzero(counts)
        if column.keys[index] not in listed
    ]
    hidden.sort(key=lambda pair: (-pair[0], pair[1]))
    return [FacetValue(key, labels.get(key, key), count, False) for count, key in hidden]


def _labels(facet: Facet, snapshot: Snapshot, keys: list[str]) -> dict[str, str]:
    """Labels of the shown values, kept with the snapshot: small vocabularies are labelled at
    once, large ones (skills, providers) as their values are first shown."""
    labels = snapshot.labels.setdefault((facet.key, get_language()), {})
    if facet.searchable and facet.show:
        if unlabelled := [key for key in keys if key not in labels]:
            labels.update(facet.labels(unlabelled))
    elif not labels:
        labels.update(facet.labels(snapshot.columns[facet.key].keys))
    return labels


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
        mask = all_of(base, masks, ignoring=range_facet.key)
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
                        int(np.count_nonzero(in_bucket(values, bucket.low, bucket.high))),
                        bucket.key in chosen,
                    )
                    for bucket in range_facet.buckets
                ],
                missing=missing,
            )
        )
    return results


def _choice_results(snapshot: Snapshot, base, masks, params) -> list[FacetResult]:
    results = []
    for choice_facet in CHOICE_FACETS:
        mask = all_of(base, masks, ignoring=choice_facet.key)
        chosen = getattr(params, choice_facet.key)
        results.append(
            FacetResult(
                choice_facet.key,
                str(choice_facet.label),
                [
                    FacetValue(
                        choice,
                        str(label),
                        int(
                            np.count_nonzero(
                                mask & choice_documents(snapshot, choice_facet, choice)
                            )
                        ),
                        chosen == choice,
                    )
                    for choice, label in choice_facet.choices
                ],
                one_choice=True,
            )
        )
    return results


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
            else all_of(base, masks, ignoring=facet.key),
            params.facets.get(facet.key, set()),
        )
        for facet in FACETS
    ]
    return (
        facets
        + _range_results(snapshot, base, masks, params)
        + _choice_results(snapshot, base, masks, params)
    )


def facet_values_matching(params: SearchParams, facet_key: str, keys: list[str]):
    """Values of a facet among ``keys`` (those a visitor looked for by name) that the search
    leaves a count for, counted like the facet itself (ignoring its own selection), most
    frequent first."""
    snapshot = facet_index.current()
    base, masks = search_masks(snapshot, params)
    counts = snapshot.counts(facet_key, all_of(base, masks, ignoring=facet_key))
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


def facet_totals(facet_key: str) -> dict[str, int]:
    """How many published opportunities have each value of a facet (for the browse pages)."""
    snapshot = facet_index.current()
    column = snapshot.columns[facet_key]
    counts = column.count(snapshot.alive)
    return {column.keys[index]: int(count) for index, count in enumerate(counts) if count}
