"""The order of search results: relevance, newest, next start, ECTS, workload or title."""

import numpy as np

from catalogue.search.arrays import found_in
from catalogue.search.facet_index import Snapshot
from catalogue.search.text_engines import TextMatches


def ordered(
    snapshot: Snapshot,
    positions: np.ndarray,
    sort: str,
    relevance,
    needed: int,
    *,
    titles_in: str | None = None,
) -> np.ndarray:
    """The positions in the requested order, at least the first ``needed`` of them. Sorted by
    title, the titles are those shown in ``titles_in`` (a translation into it where there is
    one), else the records' own; between otherwise equal results, always the own ones."""
    if sort == "title" and titles_in:
        titles = snapshot.title_ranks(positions, titles_in)
    else:
        titles = snapshot.title_order()[positions]
    if sort == "relevance" and relevance is not None:
        # Of equally relevant results: the more complete, then the more recently changed.
        completeness = snapshot.numbers["completeness"][positions]
        keys = (titles, -snapshot.modified[positions], -completeness, -relevance[positions])
    elif sort == "newest":
        keys = (titles, -snapshot.modified[positions])
    elif sort == "start":
        keys = (titles, snapshot.edition_day().next_start[positions])
    elif sort in ("ects", "workload"):
        values = snapshot.numbers["ects_credits" if sort == "ects" else "workload_hours"]
        values = values[positions]
        keys = (titles, -values, np.isnan(values))
    else:
        keys = (titles,)
    return _first_in_order(positions, keys, needed)


def _first_in_order(positions: np.ndarray, keys: tuple, needed: int) -> np.ndarray:
    """The positions sorted by ``keys`` (the last one first, as ``np.lexsort``); when a page
    needs few of many, only those that can come first are sorted: the ones whose first key is
    at most the ``needed``-th smallest (ties included). Sorting all 288,617 matches of a common
    word at 1,000,000 records took 45 ms."""
    if needed < len(positions) // 4:
        first = keys[-1]
        cutoff = np.partition(first, needed - 1)[needed - 1]
        candidates = np.flatnonzero(first <= cutoff)
        order = np.lexsort(tuple(key[candidates] for key in keys))
        return positions[candidates[order]]
    return positions[np.lexsort(keys)]


def relevance_by_position(
    snapshot: Snapshot, positions: np.ndarray, matches: TextMatches
) -> np.ndarray:
    ids, ranks = matches.relevance(snapshot.ids[positions])
    order = np.argsort(ids)
    where, found = found_in(ids[order], snapshot.ids[positions])
    relevance = np.zeros(snapshot.size)
    relevance[positions[found]] = ranks[order][where[found]]
    return relevance
