"""The order of search results: relevance, newest, next start, ECTS, workload or title."""

import numpy as np

from catalogue.search.facet_index import Snapshot
from catalogue.search.text_engines import TextMatches


def ordered(
    snapshot: Snapshot, positions: np.ndarray, sort: str, relevance, needed: int
) -> np.ndarray:
    """Positions in the requested order; ``needed`` is how many the page needs at least."""
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
        return _first_by_title(positions, titles, needed)
    return positions[np.lexsort(keys)]


def _first_by_title(positions: np.ndarray, titles: np.ndarray, needed: int) -> np.ndarray:
    """Positions in title order; only the first ``needed`` are sorted when that is cheaper."""
    if needed < len(positions) // 4:
        nearest = np.argpartition(titles, needed - 1)[:needed]
        return positions[nearest[np.argsort(titles[nearest])]]
    return positions[np.argsort(titles)]


def relevance_by_position(
    snapshot: Snapshot, positions: np.ndarray, matches: TextMatches
) -> np.ndarray:
    ids, ranks = matches.relevance(snapshot.ids[positions])
    relevance = np.zeros(snapshot.size)
    if len(ids):
        order = np.argsort(ids)
        ids, ranks = ids[order], ranks[order]
        where = np.clip(np.searchsorted(ids, snapshot.ids[positions]), 0, len(ids) - 1)
        found = ids[where] == snapshot.ids[positions]
        relevance[positions[found]] = ranks[where[found]]
    return relevance
