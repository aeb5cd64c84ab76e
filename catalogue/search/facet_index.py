"""An in-memory index of the published catalogue that filters and counts facets with numpy.

Counting facets with GROUP BY costs about 3.5 us per matching row in PostgreSQL (340 ms for
browse-all at 100k); the same counts over integer arrays take a few milliseconds. The index is
built once per process and kept current by replaying ``CatalogueChange`` rows (see
docs/decisions/0005-search-and-facet-counts.md).
"""

import gc
import logging
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.utils import timezone

from catalogue.models import CatalogueChange
from catalogue.search.arrays import Room, appended, found_in, no_room, runs, sorted_unique
from catalogue.search.facets import FACETS, Facet
from catalogue.search.title_order import TitleOrder
from catalogue.search.words import normalize
from descriptors.models import Edition, Grant, LearningOpportunity, OpportunityTranslation

logger = logging.getLogger(__name__)

# A snapshot is built again rather than patched when more than a quarter of it changed, or
# a quarter of its rows are retired ones, and at least this many: at 1,000,000 records
# patching in 50,000 changed ones read them in 3.2 s, where building took 62 s.
REBUILD_AT_LEAST = 5000
NO_DATE = np.iinfo(np.int32).min
UNKNOWN_FEE = -1


def value_dtype(key_count: int) -> np.dtype:
    """The narrowest unsigned integer that numbers ``key_count`` keys: counting reads every
    value of a facet, and one byte a value instead of four is a quarter of the pages."""
    for dtype in (np.uint8, np.uint16):
        if key_count <= np.iinfo(dtype).max + 1:
            return np.dtype(dtype)
    return np.dtype(np.uint32)


@dataclass
class FacetColumn:
    """Which values each document has for one facet: the values ordered by document, and where
    each document's run of them starts. When every document has exactly one value (level,
    provider, type ...) there are no runs: ``values`` is indexed by document."""

    values: np.ndarray  # positions in ``keys``, of the narrowest dtype (``value_dtype``)
    offsets: np.ndarray | None  # int32: where each document's values start; size + 1 of them
    keys: list[str]
    positions: dict[str, int]
    covered: np.ndarray  # which documents have any value
    # The documents of the pairs ordered by value, and where each value's run starts, over the
    # pairs there were when it was built (see ``documents_with``): a filter or a job reads only
    # its own values' runs. Built with the column when it has runs, on demand when it has not.
    by_value: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, str]], size: int) -> "FacetColumn":
        """The column of ``size`` documents from (document position, value key) pairs in any
        order; a document counts once per value however often the pairs repeat it (two
        outcomes with one skill)."""
        documents, values, keys, positions = _distinct_pairs(pairs, [])
        covered = np.zeros(size, bool)
        covered[documents] = True
        if _one_value_each(documents, covered):
            return cls(values, None, keys, positions, covered)
        offsets = np.searchsorted(documents, np.arange(size + 1)).astype(np.int32)
        by_value = _ordered_by_value(documents, values, keys)
        return cls(values, offsets, keys, positions, covered, by_value)

    def extend(
        self, pairs: Iterable[tuple[int, str]], size: int, added: int, room: Room = no_room
    ) -> "FacetColumn":
        """The column with the pairs of ``added`` documents placed after the first ``size``.
        The new pairs stay out of ``by_value``: they are few, and read as they are."""
        documents, values, keys, positions = _distinct_pairs(pairs, self.keys)
        extra_covered = np.zeros(added, bool)
        extra_covered[documents - size] = True
        # New keys may need a wider dtype: the values are copied then, not written after.
        all_values = appended(self.values.astype(values.dtype, copy=False), values, room("values"))
        covered = appended(self.covered, extra_covered, room("covered"))
        if self.offsets is None and _one_value_each(documents, extra_covered):
            return FacetColumn(all_values, None, keys, positions, covered)
        offsets = self.offsets
        if offsets is None:
            # One value per document until now, so ``by_value`` still holds for those pairs.
            offsets = np.arange(size + 1, dtype=np.int32)
        ends = np.searchsorted(documents, np.arange(size + 1, size + added + 1))
        extra_offsets = (len(self.values) + ends).astype(np.int32)
        return FacetColumn(
            all_values,
            appended(offsets, extra_offsets, room("offsets")),
            keys,
            positions,
            covered,
            self.by_value,
        )

    def having(self, keys: set[str], size: int) -> np.ndarray:
        """Mask of the documents that have any of ``keys``."""
        wanted = [self.positions[key] for key in keys if key in self.positions]
        if self.offsets is None:
            return np.isin(self.values, wanted)
        mask = np.zeros(size, bool)
        mask[self.documents_with(np.array(wanted, np.intp))[0]] = True
        return mask

    def count(self, mask: np.ndarray) -> np.ndarray:
        """How many documents in ``mask`` have each value."""
        few = np.count_nonzero(mask) * 20 < len(self.values)
        if self.offsets is None:
            # ``values`` is indexed by document already, and counting value * 2 + matched
            # spares selecting the matches: 3 ms instead of 8 per facet for 288,617 matches of
            # 1,000,000.
            if few:
                return np.bincount(self.values[np.flatnonzero(mask)], minlength=len(self.keys))
            doubled = self.values.astype(np.intp) * 2 + mask
            return np.bincount(doubled, minlength=2 * len(self.keys))[1::2]
        if few:
            # Few documents: read just their runs instead of testing every pair.
            matching = np.flatnonzero(mask)
            starts = self.offsets[matching]
            lengths = self.offsets[matching + 1] - starts
            pairs = runs(starts, lengths)
            return np.bincount(self.values[pairs], minlength=len(self.keys))
        if len(self.values) < len(mask):
            # Fewer values than documents (regions, schedules, recognitions): each value's
            # documents read from ``by_value`` are fewer pages than every document's offset.
            documents, which = self.documents_with(np.arange(len(self.keys)))
            return np.bincount(which[mask[documents]], minlength=len(self.keys))
        # Each document's match repeated over its run: as fast as looking up a document per
        # pair, without four bytes a pair to keep for it.
        matched = np.repeat(mask, np.diff(self.offsets))
        return np.bincount(self.values[matched], minlength=len(self.keys))

    def count_missing(self, mask: np.ndarray) -> int:
        """How many documents in ``mask`` have no value."""
        if self.offsets is None:  # one value each: ``covered`` need not be read
            return 0
        return int(np.count_nonzero(mask & ~self.covered))

    def documents_with(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, index in ``values``) of each pair whose value is one of ``values``
        (distinct positions in ``keys``)."""
        values = np.asarray(values, np.intp)  # ``values + 1`` must not wrap round
        documents, starts = self._by_value()
        indexed = np.flatnonzero(values < len(starts) - 1)  # keys added since have no run
        first, last = starts[values[indexed]], starts[values[indexed] + 1]
        lengths = last - first
        found = [documents[runs(first, lengths)]]
        which = [np.repeat(indexed, lengths)]
        built_over = len(documents)
        if built_over < len(self.values):
            # Pairs patched in since, read as they are: at most about a quarter of them
            # before the snapshot is built again (``REBUILD_AT_LEAST``).
            slot = np.full(len(self.keys), -1, np.intp)
            slot[values] = np.arange(len(values))
            pairs = built_over + np.flatnonzero(slot[self.values[built_over:]] >= 0)
            found.append(self._document_of(pairs))
            which.append(slot[self.values[pairs]])
        return np.concatenate(found), np.concatenate(which)

    def _document_of(self, pairs: np.ndarray) -> np.ndarray:
        """The document each pair (an index of ``values``) belongs to."""
        if self.offsets is None:
            return pairs
        return np.searchsorted(self.offsets, pairs, side="right") - 1

    def prepared(self) -> "FacetColumn":
        """The column, its ``by_value`` completed in place with the pairs patched in since it
        was built (to be written to files, where every pair is sorted)."""
        if self.offsets is not None and len(self._by_value()[0]) < len(self.values):
            self.by_value = self._every_pair_by_value()
        return self

    def _by_value(self) -> tuple[np.ndarray, np.ndarray]:
        if self.by_value is None:
            self.by_value = self._every_pair_by_value()
        return self.by_value

    def _every_pair_by_value(self) -> tuple[np.ndarray, np.ndarray]:
        # Each document repeated over its run: ``_document_of`` would search once per pair.
        if self.offsets is None:
            documents = np.arange(len(self.values))
        else:
            documents = np.repeat(np.arange(len(self.covered)), np.diff(self.offsets))
        return _ordered_by_value(documents, self.values, self.keys)


def _one_value_each(documents: np.ndarray, covered: np.ndarray) -> bool:
    """Whether distinct pairs' ``documents`` give each document exactly one value."""
    return len(documents) == len(covered) and bool(covered.all())


def _distinct_pairs(
    pairs: Iterable[tuple[int, str]], keys: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, int]]:
    """(documents, values, keys, positions): the distinct pairs ordered by document then value,
    the value keys numbered after ``keys``."""
    keys = list(keys)
    positions = {key: index for index, key in enumerate(keys)}
    documents, values = array("q"), array("q")
    for document, key in pairs:
        code = positions.get(key)
        if code is None:
            code = positions[key] = len(keys)
            keys.append(key)
        documents.append(document)
        values.append(code)
    unique = sorted_unique(
        np.frombuffer(documents, np.int64) << 32 | np.frombuffer(values, np.int64)
    )
    return (
        (unique >> 32).astype(np.int32),
        (unique & 0xFFFFFFFF).astype(value_dtype(len(keys))),
        keys,
        positions,
    )


def _ordered_by_value(
    documents: np.ndarray, values: np.ndarray, keys: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(values, kind="stable")
    starts = np.zeros(len(keys) + 1, np.int32)
    np.cumsum(np.bincount(values, minlength=len(keys)), out=starts[1:])
    return documents[order].astype(np.int32), starts


@dataclass
class EditionArrays:
    """The published editions of the indexed micro-credentials, one position each, with the
    document they belong to: date and fee filters keep a document when one of its editions
    matches."""

    document: np.ndarray  # int32 document position
    is_free: np.ndarray
    # int32 cents (a fee has two decimals and at most nine digits), 0 when free, -1 unknown
    fee_cents: np.ndarray
    any_start: np.ndarray
    start: np.ndarray  # int32 days since 1970, NO_DATE when none
    end: np.ndarray
    deadline: np.ndarray
    closed: np.ndarray  # bool: the provider marked it finished or cancelled

    def extend(self, other: "EditionArrays", room: Room = no_room) -> "EditionArrays":
        return EditionArrays(
            *(
                appended(getattr(self, name), getattr(other, name), room(name))
                for name in self.__dataclass_fields__
            )
        )


@dataclass
class EditionDay:
    """What the editions are on one day (the snapshot's): which are over, which count."""

    past: np.ndarray  # per edition: ended, or marked finished or cancelled
    relevant: np.ndarray  # per edition: what filters look at (see Snapshot.edition_day)
    has_current: np.ndarray  # per document: a published edition not over
    has_editions: np.ndarray  # per document
    next_start: np.ndarray  # per document: int32 days of its next start, max when none


@dataclass
class Snapshot:
    """One immutable state of the index; refreshing builds a new one and swaps it in."""

    sequence: int
    marker: object  # see _log_marker
    ids: np.ndarray  # int64 opportunity id per document position
    alive: np.ndarray  # bool: False for positions superseded by a later change
    columns: dict[str, FacetColumn]
    numbers: dict[str, np.ndarray]  # float per document, NaN when unknown
    editions: EditionArrays
    modified: np.ndarray  # float64 timestamps
    titles: TitleOrder
    # Facets may depend on the day (an agreement in force until yesterday): one day's index.
    built_on: date = field(default_factory=timezone.localdate)
    # (facet key, language) -> {value key: label}, filled on first use (see search.facet_counts).
    labels: dict = field(default_factory=dict)
    # Recent search results against this snapshot (see search.results.opportunity_search).
    results: OrderedDict = field(default_factory=OrderedDict)
    # facet key -> counts over the whole published catalogue (no filter at all).
    unfiltered_counts: dict = field(default_factory=dict)
    _edition_day: EditionDay | None = None
    # (filter, choice) -> the documents it keeps, for the filters whose choices are fixed.
    choice_documents: dict = field(default_factory=dict)
    # The files it was mapped from (see search.snapshot_files), None when built in memory.
    mapped_from: Path | None = None
    # Array name -> the whole array mapped from those files, with room for more rows after
    # the snapshot's part (see ``appended``).
    room: dict[str, np.ndarray] = field(default_factory=dict)
    # Language -> (positions, title ranks) of the documents translated into it, read on
    # first use (see ``title_ranks``).
    translated_titles: dict = field(default_factory=dict)

    def counts(self, facet_key: str, mask: np.ndarray | None) -> np.ndarray:
        """Value counts of a facet over ``mask``; ``None`` means every published document."""
        column = self.columns[facet_key]
        if mask is not None:
            return column.count(mask)
        if facet_key not in self.unfiltered_counts:
            self.unfiltered_counts[facet_key] = column.count(self.alive)
        return self.unfiltered_counts[facet_key]

    def edition_day(self) -> EditionDay:
        """The editions as of the snapshot's day, computed once. Filters on dates and fees
        look at a document's editions that are not over; at all of them when every one is
        over (so a course that has only run in the past is still found by its fee)."""
        if self._edition_day is None:
            editions = self.editions
            today = _days(self.built_on)
            past = editions.closed | ((editions.end != NO_DATE) & (editions.end < today))
            alive = self.alive[editions.document]
            has_current = np.zeros(self.size, bool)
            has_current[editions.document[alive & ~past]] = True
            has_editions = np.zeros(self.size, bool)
            has_editions[editions.document[alive]] = True
            relevant = alive & (~past | ~has_current[editions.document])
            self._edition_day = EditionDay(
                past, relevant, has_current, has_editions, self._next_start(today, past, relevant)
            )
        return self._edition_day

    def _next_start(self, today: int, past: np.ndarray, relevant: np.ndarray) -> np.ndarray:
        """Each document's next start (today for "any time"); the largest number when it has
        none to come (running, over, or no dates), so those sort last."""
        editions = self.editions
        start = np.where(editions.any_start, today, editions.start).astype(np.int32)
        coming = relevant & ~past & (start != NO_DATE) & (start >= today)
        upcoming = np.full(self.size, np.iinfo(np.int32).max, np.int32)
        np.minimum.at(upcoming, editions.document[coming], start[coming])
        return upcoming

    def documents_with(self, edition_mask: np.ndarray) -> np.ndarray:
        """The documents having a relevant edition in ``edition_mask``."""
        mask = np.zeros(self.size, bool)
        mask[self.editions.document[edition_mask & self.edition_day().relevant]] = True
        return mask

    @property
    def version(self) -> str:
        """Identifies the catalogue state this snapshot reflects (for caches keyed on it)."""
        marker = self.marker.timestamp() if self.marker else 0
        return f"{self.sequence}-{marker}-{self.built_on.isoformat()}"

    @property
    def size(self) -> int:
        return len(self.ids)

    def title_order(self) -> np.ndarray:
        """Per document, a number that sorts it in alphabetical (accent-free) title order."""
        return self.titles.ranks

    def title_ranks(self, positions: np.ndarray, language: str) -> np.ndarray:
        """Per position (in ascending order, as a mask's ``flatnonzero`` gives them), a number
        that sorts it in the alphabetical order of the title a visitor reading ``language``
        sees: its translation into it when there is one."""
        ranks = self.titles.ranks[positions]
        if language not in self.translated_titles:
            self.translated_titles[language] = self._translated_title_ranks(language)
        translated_positions, translated_ranks = self.translated_titles[language]
        # Looked up from the few translated documents, not from every position searched.
        at, found = found_in(positions, translated_positions)
        ranks[at[found]] = translated_ranks[found]
        return ranks

    def _translated_title_ranks(self, language: str) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the documents with a title in ``language`` other than their own,
        in ascending order, and the rank of that title."""
        titles = dict(
            OpportunityTranslation.objects.filter(
                language__short_code=language,
                opportunity__status=LearningOpportunity.Status.PUBLISHED,
            )
            .exclude(title="")
            .values_list("opportunity_id", "title")
        )
        live = np.flatnonzero(self.alive)
        positions = live[np.isin(self.ids[live], list(titles))]
        keys = [normalize(titles[int(pk)]) for pk in self.ids[positions]]
        return positions, self.titles.ranks_between(keys)


def _published(ids: list[int] | None):
    queryset = LearningOpportunity.objects.published()
    return queryset if ids is None else queryset.filter(pk__in=ids)


def _rows(ids: list[int] | None):
    return list(
        _published(ids)
        .order_by("pk")
        .values_list(
            "pk",
            "ects_credits",
            "workload_hours",
            "modified",
            "title",
            "search_document__completeness",
        )
    )


CLOSED = (Edition.Status.FINISHED, Edition.Status.CANCELLED)


def _editions(ids: list[int] | None, position: dict[int, int]) -> EditionArrays:
    rows = [
        row
        for row in Edition.objects.published()
        .filter(opportunity__in=_published(ids))
        .order_by("opportunity_id", "id")
        .values_list(
            "opportunity_id",
            "is_free",
            "fee_amount",
            "any_start_date",
            "start_date",
            "end_date",
            "application_deadline",
            "status",
        )
        if row[0] in position
    ]

    def days(column: int) -> np.ndarray:
        return np.asarray([_days(row[column]) for row in rows], np.int32)

    return EditionArrays(
        document=np.asarray([position[row[0]] for row in rows], np.int32),
        is_free=np.asarray([row[1] for row in rows], bool),
        fee_cents=np.asarray(
            [
                0 if row[1] else UNKNOWN_FEE if row[2] is None else round(row[2] * 100)
                for row in rows
            ],
            np.int32,
        ),
        any_start=np.asarray([row[3] for row in rows], bool),
        start=days(4),
        end=days(5),
        deadline=days(6),
        closed=np.asarray([row[7] in CLOSED for row in rows], bool),
    )


def _days(value: date | None) -> int:
    return (value - date(1970, 1, 1)).days if value else NO_DATE


def _column_pairs(
    facet: Facet, ids: list[int] | None, position: dict[int, int]
) -> Iterator[tuple[int, str]]:
    """(document position, value key) of a facet for the opportunities at ``position``, as
    they come from the database, repeats included (``FacetColumn.from_pairs`` drops them)."""
    return (
        (position[opportunity_id], value)
        for opportunity_id, key in facet.pairs(_published(ids))
        if key is not None and opportunity_id in position
        for value in facet.with_broader(str(key))
    )


def _load(ids: list[int] | None, offset: int) -> dict:
    """Read the given published opportunities (all when ``ids`` is None) as index columns;
    each facet's pairs are read when its entry in ``columns`` is called."""
    rows = _rows(ids)
    position = {row[0]: offset + index for index, row in enumerate(rows)}
    loaded_ids = list(position)
    # Read when the caller turns them into columns, one facet at a time: at 1,000,000 records
    # every facet's (position, value) pairs at once held gigabytes of tuples.
    columns = {
        facet.key: partial(_column_pairs, facet, ids, position) if loaded_ids else list
        for facet in FACETS
    }

    def floats(values, dtype=np.float64):
        return np.asarray([np.nan if v is None else float(v) for v in values], dtype)

    grants = Counter(
        Grant.objects.filter(opportunity__in=_published(ids)).values_list(
            "opportunity_id", flat=True
        )
    )

    return {
        "ids": np.asarray(loaded_ids, np.int64),
        "columns": columns,
        "numbers": {
            "ects_credits": floats(row[1] for row in rows),
            "workload_hours": floats(row[2] for row in rows),
            # Whole numbers, which float32 holds exactly below 2**24, in half the pages; the
            # range filters' decimals stay float64, so that a bound keeps what it says.
            # A record whose search document is not written yet counts as empty.
            "completeness": floats((row[5] or 0 for row in rows), np.float32),
            "grants": floats((grants[row[0]] for row in rows), np.float32),
        },
        "editions": _editions(ids, position),
        "modified": np.asarray([row[3].timestamp() for row in rows], np.float64),
        "title_keys": [normalize(row[4]) for row in rows],
    }


# Raw SQL on a plain cursor: every search runs it, and building it through the ORM (even as a
# raw queryset, 0.5 ms) took longer than the query.
LATEST_ENTRY_SQL = (
    f"SELECT sequence, changed_at FROM {CatalogueChange._meta.db_table} "
    "ORDER BY sequence DESC LIMIT 1"
)


def log_entry(sql: str, params=()) -> tuple[int, datetime] | None:
    """The (sequence, time) of the change-log entry ``sql`` selects, read on a plain cursor
    (for queries run on every request), or None."""
    with connections[router.db_for_read(CatalogueChange)].cursor() as cursor:
        cursor.execute(sql, params)
        entry = cursor.fetchone()
    if entry is None:
        return None
    sequence, changed_at = entry
    if timezone.is_naive(changed_at):
        # SQLite's cursor gives the stored UTC time without its zone, where the ORM adds it.
        changed_at = changed_at.replace(tzinfo=UTC)
    return sequence, changed_at


def latest_log_entry() -> tuple[int, datetime | None]:
    """(sequence, marker) of the newest log entry, in one query: (0, None) for an empty log."""
    return log_entry(LATEST_ENTRY_SQL) or (0, None)


def _log_marker(sequence: int):
    """When the log entry a snapshot was built at was written: it identifies that entry even
    if a restored (or rolled-back) database reuses the sequence number."""
    return (
        CatalogueChange.objects.filter(sequence=sequence)
        .values_list("changed_at", flat=True)
        .first()
    )


def build_snapshot() -> Snapshot:
    sequence, marker = latest_log_entry()
    data = _load(None, 0)
    return Snapshot(
        sequence=sequence,
        marker=marker,
        ids=data["ids"],
        alive=np.ones(len(data["ids"]), bool),
        columns={
            key: FacetColumn.from_pairs(read(), len(data["ids"]))
            for key, read in data["columns"].items()
        },
        numbers=data["numbers"],
        editions=data["editions"],
        modified=data["modified"],
        titles=TitleOrder.from_keys(data["title_keys"]),
    )


def _new_day(snapshot: Snapshot) -> Snapshot:
    """The snapshot for today: only the facets that change daily are read again (a full
    rebuild took seconds at 100k, with every search on the worker waiting)."""
    live = np.flatnonzero(snapshot.alive)
    position = dict(zip(snapshot.ids[live].tolist(), live.tolist(), strict=True))
    columns = dict(snapshot.columns)
    for facet in FACETS:
        if facet.changes_daily:
            columns[facet.key] = FacetColumn.from_pairs(
                _column_pairs(facet, None, position), snapshot.size
            )
    return replace(
        snapshot,
        columns=columns,
        built_on=timezone.localdate(),
        labels={},
        results=OrderedDict(),
        unfiltered_counts={},
        _edition_day=None,
        choice_documents={},
        mapped_from=None,
        translated_titles={},
    )


def _patched(snapshot: Snapshot, sequence: int, changed: set[int]) -> Snapshot:
    """A new snapshot where the changed opportunities are re-read and their old rows retired.
    The new rows go into the room the snapshot files leave (``appended``) while there is some."""
    # Copied, not retired in place: searches still running on the older snapshot read it.
    alive = snapshot.alive & ~np.isin(snapshot.ids, list(changed))
    data = _load(sorted(changed), snapshot.size)
    added = len(data["ids"])

    def room(prefix: str) -> Room:
        return lambda name: snapshot.room.get(f"{prefix}{name}")

    return Snapshot(
        sequence=sequence,
        marker=_log_marker(sequence),
        ids=appended(snapshot.ids, data["ids"], snapshot.room.get("ids")),
        alive=np.concatenate([alive, np.ones(added, bool)]),
        columns={
            key: column.extend(
                data["columns"][key](), snapshot.size, added, room(f"columns.{key}.")
            )
            for key, column in snapshot.columns.items()
        },
        numbers={
            key: appended(values, data["numbers"][key], snapshot.room.get(f"numbers.{key}"))
            for key, values in snapshot.numbers.items()
        },
        editions=snapshot.editions.extend(data["editions"], room("editions.")),
        modified=appended(snapshot.modified, data["modified"], snapshot.room.get("modified")),
        titles=snapshot.titles.extended(data["title_keys"], snapshot.room.get("titles.ranks")),
        built_on=snapshot.built_on,
        room=snapshot.room,
    )


def _reading_a_replica() -> bool:
    return router.db_for_read(CatalogueChange) != DEFAULT_DB_ALIAS


class FacetIndex:
    """The process-wide index; ``current()`` returns a snapshot no older than the change log.

    With ``OCLO_SEARCH_SNAPSHOT_DIR`` set, it starts from the snapshot files one process of the
    machine writes there (search.snapshot_files) and patches in only what changed since; it
    goes back to the files as soon as they have caught up.
    """

    def __init__(self):
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._files_seen: Path | None = None

    def current(self) -> Snapshot:
        latest, latest_marker = latest_log_entry()
        snapshot = self._snapshot
        # Nothing changed since the snapshot (the common case, checked on every search): the
        # newest log entry is the one it was built at, so one query tells both.
        if (
            snapshot is not None
            and snapshot.sequence == latest
            and snapshot.built_on == timezone.localdate()
            and (latest == 0 or snapshot.marker == latest_marker)
            and not self._newer_files(snapshot)
        ):
            return snapshot
        with self._lock:
            snapshot = self._mapped(self._snapshot) or self._snapshot
            if snapshot is not None and snapshot.sequence > latest and _reading_a_replica():
                # The replica has not replayed yet what the snapshot holds (it was brought up
                # to date on the primary, for a client who had just written, or written from
                # the primary by the machine's snapshot writer): keep the newer.
                self._snapshot = snapshot
                return snapshot
            if snapshot is None or snapshot.sequence > latest or not self._log_holds(snapshot):
                # The log no longer holds the entry the snapshot was built at (the database
                # was restored or reset, as between tests): start again.
                self._snapshot = build_snapshot()
                # The snapshot's lists and dicts live long: keep the garbage collector from
                # walking them on every full collection (those pauses showed up as p95 spikes).
                gc.freeze()
                return self._snapshot
            if snapshot.built_on != timezone.localdate():
                snapshot = _new_day(snapshot)
            if snapshot.sequence < latest:
                rebuild_after = max(REBUILD_AT_LEAST, snapshot.size // 4)
                changed = set(
                    CatalogueChange.objects.filter(sequence__gt=snapshot.sequence)
                    .order_by()  # else DISTINCT compares the sequence too: one row an entry
                    .values_list("opportunity_id", flat=True)
                    .distinct()[: rebuild_after + 1]
                )
                dead = int(np.count_nonzero(~snapshot.alive))
                if len(changed) > rebuild_after or dead > rebuild_after:
                    snapshot = build_snapshot()
                else:
                    snapshot = _patched(snapshot, latest, changed)
            self._snapshot = snapshot
            return snapshot

    def _newer_files(self, snapshot: Snapshot) -> bool:
        """Whether files were written since this process last looked, while it serves a
        snapshot of its own (patched, or built before any file was there)."""
        return snapshot.mapped_from is None and self._unseen_files() is not None

    def _mapped(self, snapshot: Snapshot | None) -> Snapshot | None:
        """The machine's snapshot files, mapped, when they are newer than ``snapshot`` or as
        new and shared; None when there are none, or nothing new since last time."""
        from catalogue.search.snapshot_files import snapshot_map

        path = self._unseen_files()
        if path is None:
            return None
        self._files_seen = path
        try:
            mapped = snapshot_map(path)
        except (OSError, ValueError):
            # Removed since the link was read (a newer one replaced it), or another version's.
            logger.warning("could not map the search snapshot in %s", path, exc_info=True)
            return None
        if snapshot is not None and (
            mapped.sequence < snapshot.sequence or mapped.built_on < snapshot.built_on
        ):
            return None
        return mapped

    def _unseen_files(self) -> Path | None:
        """The machine's current snapshot files when this process has not looked at them yet."""
        directory = settings.OCLO_SEARCH_SNAPSHOT_DIR
        if directory is None:
            return None
        # Imported here: that module builds on this one's classes.
        from catalogue.search.snapshot_files import current_snapshot_path

        path = current_snapshot_path(directory)
        return None if path == self._files_seen else path

    @staticmethod
    def _log_holds(snapshot: Snapshot) -> bool:
        return snapshot.sequence == 0 or _log_marker(snapshot.sequence) == snapshot.marker

    def reset(self) -> None:
        with self._lock:
            self._snapshot = None
            self._files_seen = None


facet_index = FacetIndex()
