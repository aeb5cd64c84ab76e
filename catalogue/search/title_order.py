"""Where each document of the facet snapshot sorts by title, kept in arrays a file can hold.

A list of 1,000,000 Python title strings took 86 MB in every worker; as one UTF-8 byte array
with offsets the keys can be memory-mapped and shared by every worker of a machine (see
``search.snapshot_files``).
"""

import bisect
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from catalogue.search.arrays import appended


@dataclass
class TitleOrder:
    """The sort keys (accent-free titles) of the first documents, read from ``text`` and
    ``offsets``, with each one's rank; documents added since (``added_keys``) rank between the
    first ones without reordering them, so adding a few keys never copies the others."""

    text: np.ndarray  # uint8: the keys of the first documents, one after the other
    offsets: np.ndarray  # int64: where each first document's key starts, and the end
    by_title: np.ndarray  # int64: the first documents in title order
    ranks: np.ndarray  # float64 per document: comparing two gives their title order
    added_keys: list[str] = field(default_factory=list)
    added_gaps: list[int] = field(default_factory=list)  # per added key: see ``extended``

    @classmethod
    def from_keys(cls, keys: list[str]) -> "TitleOrder":
        encoded = [key.encode() for key in keys]
        offsets = np.zeros(len(keys) + 1, np.int64)
        np.cumsum([len(key) for key in encoded], out=offsets[1:])
        by_title = np.asarray(sorted(range(len(keys)), key=keys.__getitem__), np.int64)
        ranks = np.empty(len(keys), np.float64)
        ranks[by_title] = np.arange(len(keys))
        return cls(np.frombuffer(b"".join(encoded), np.uint8), offsets, by_title, ranks)

    @property
    def first_count(self) -> int:
        return len(self.offsets) - 1

    def key(self, document: int) -> str:
        if document >= self.first_count:
            return self.added_keys[document - self.first_count]
        return self.text[self.offsets[document] : self.offsets[document + 1]].tobytes().decode()

    def keys(self) -> list[str]:
        return [self.key(document) for document in range(len(self.ranks))]

    def extended(self, keys: list[str], room: np.ndarray | None = None) -> "TitleOrder":
        """The order with documents of these keys added after the others. An added key ranks
        just before the first document whose key is not smaller, after the added ones already
        there that are not greater: the ranks already given never change, so searches still
        sorting by them are not disturbed, and they can be written into ``room``."""
        added_keys, gaps = list(self.added_keys), list(self.added_gaps)
        added_ranks = self.ranks[self.first_count :].tolist()
        in_gap = self._added_by_gap()
        for key in keys:
            gap = self._gap(key)
            lower, upper = _between(key, gap, in_gap[gap])
            added_keys.append(key)
            gaps.append(gap)
            added_ranks.append((lower + upper) / 2)
            in_gap[gap].append((key, added_ranks[-1]))
        new_ranks = np.asarray(added_ranks[len(self.added_keys) :], np.float64)
        return TitleOrder(
            self.text,
            self.offsets,
            self.by_title,
            appended(self.ranks, new_ranks, room),
            added_keys,
            gaps,
        )

    def ranks_between(self, keys: list[str]) -> np.ndarray:
        """Ranks for titles that are not documents' own (translations), each in its place
        among the documents' and apart from all of them; keys that fall between the same two
        documents share that space in their own order."""
        in_gap = self._added_by_gap()
        places = []
        for key in keys:
            gap = self._gap(key)
            places.append(_between(key, gap, in_gap[gap]))
        ranks = np.empty(len(keys), np.float64)
        by_place = sorted(range(len(keys)), key=lambda index: (places[index], keys[index]))
        for (lower, upper), indexes in itertools.groupby(by_place, key=places.__getitem__):
            together = list(indexes)
            for order, index in enumerate(together, 1):
                ranks[index] = lower + (upper - lower) * order / (len(together) + 1)
        return ranks

    def _added_by_gap(self) -> defaultdict[int, list[tuple[str, float]]]:
        """The added documents' keys and ranks by the gap they fell into."""
        in_gap = defaultdict(list)
        added_ranks = self.ranks[self.first_count :].tolist()
        for key, gap, rank in zip(self.added_keys, self.added_gaps, added_ranks, strict=True):
            in_gap[gap].append((key, rank))
        return in_gap

    def _gap(self, key: str) -> int:
        """How many of the first documents' keys are smaller than ``key``."""
        return bisect.bisect_left(
            range(self.first_count), key, key=lambda place: self.key(self.by_title[place])
        )

    def compacted(self) -> "TitleOrder":
        """The same order with every key among the first documents (for writing to files)."""
        return self if not self.added_keys else TitleOrder.from_keys(self.keys())


def _between(key: str, gap: int, in_gap: list[tuple[str, float]]) -> tuple[float, float]:
    """The two ranks ``key`` sorts between: those of the first documents around its ``gap``,
    narrowed by the (key, rank) of the documents added into the same gap."""
    lower, upper = gap - 1.0, float(gap)
    for other_key, other_rank in in_gap:
        if other_key <= key:
            lower = max(lower, other_rank)
        else:
            upper = min(upper, other_rank)
    return lower, upper
