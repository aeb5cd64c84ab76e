"""The facet column's counting paths (all pairs, few documents' runs, or one value per
document), its filters and its pairs by value agree with plain counts over the pairs."""

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.arrays import no_room
from catalogue.search.facet_index import FacetColumn

pairs_strategy = st.sets(
    st.tuples(st.integers(0, 59), st.sampled_from(["a", "b", "c", "d", "e"])), max_size=200
)


def with_room(column: FacetColumn):
    """The column's arrays as the start of longer ones, as mapped from snapshot files."""
    rooms = {}
    for name in ("values", "offsets", "covered"):
        values = getattr(column, name)
        if values is not None:
            rooms[name] = np.zeros(len(values) + 500, values.dtype)
            rooms[name][: len(values)] = values
            setattr(column, name, rooms[name][: len(values)])
    return rooms.get


def assert_answers_as_its_pairs(column: FacetColumn, pairs: set, mask: np.ndarray) -> None:
    expected = Counter(key for document, key in pairs if mask[document])
    counts = column.count(mask)
    assert {column.keys[i]: int(c) for i, c in enumerate(counts) if c} == expected
    having_any = {document for document, _ in pairs}
    assert set(np.flatnonzero(column.covered)) == having_any
    assert column.count_missing(mask) == len(set(np.flatnonzero(mask)) - having_any)
    having_a_or_c = {document for document, key in pairs if key in "ac"}
    assert set(np.flatnonzero(column.having({"a", "c"}, len(mask)))) == having_a_or_c
    wanted = [column.positions[key] for key in "ca" if key in column.positions]
    documents, which = column.documents_with(np.array(wanted, np.intp))
    found = {(int(d), column.keys[wanted[w]]) for d, w in zip(documents, which, strict=True)}
    assert found == {(document, key) for document, key in pairs if key in "ac"}


@settings(max_examples=300, deadline=None)
@given(
    pairs_strategy,
    st.sets(st.integers(0, 179), max_size=12),
    pairs_strategy,
    pairs_strategy,
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_counts_match_a_plain_count(pairs, chosen, extra, more, dense, mapped, prepared):
    column = FacetColumn.from_pairs(sorted(pairs), 60)
    room = with_room(column) if mapped else no_room
    # Patching appends documents beyond the current ones, as the index does, patch by patch.
    column = column.extend(sorted((document + 60, key) for document, key in extra), 60, 60, room)
    if prepared:  # as written to snapshot files: every pair in ``by_value``
        column.prepared()
    column = column.extend(sorted((document + 120, key) for document, key in more), 120, 60, room)
    # Dense masks take the all-pairs path, sparse ones the per-document runs.
    mask = np.ones(180, bool) if dense else np.zeros(180, bool)
    mask[list(chosen)] = not dense
    patched = {(d + 60, k) for d, k in extra} | {(d + 120, k) for d, k in more}
    assert_answers_as_its_pairs(column, pairs | patched, mask)
    if mapped:  # the added pairs went into the room after the mapped ones
        assert column.values.ctypes.data == room("values").ctypes.data


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), min_size=120, max_size=120),
    st.one_of(
        st.lists(st.booleans(), min_size=120, max_size=120),
        # A handful of matches takes the few-documents path.
        st.sets(st.integers(0, 119), max_size=5).map(lambda few: [i in few for i in range(120)]),
    ),
)
def test_a_column_with_one_value_per_document_counts_like_a_plain_count(values, chosen):
    column = FacetColumn.from_pairs(enumerate(values[:60]), 60)
    column = column.extend(
        ((document + 60, key) for document, key in enumerate(values[60:])), 60, 60
    )
    assert column.offsets is None  # values indexed by document: no runs kept nor written
    assert_answers_as_its_pairs(column, set(enumerate(values)), np.array(chosen))


def test_a_single_valued_column_takes_runs_once_a_patched_record_has_two_values():
    column = FacetColumn.from_pairs(enumerate("abcab"), 5)
    assert column.offsets is None
    column.prepared()
    # One added record with two values, one with none.
    column = column.extend([(5, "c"), (5, "d")], 5, 2)
    assert column.offsets is not None
    pairs = {*enumerate("abcab"), (5, "c"), (5, "d")}
    assert_answers_as_its_pairs(column, pairs, np.ones(7, bool))
    assert_answers_as_its_pairs(column, pairs, np.array([0, 0, 1, 0, 0, 1, 1], bool))


def test_values_take_one_byte_until_the_keys_outgrow_it():
    keys = [f"key {number}" for number in range(256)]
    column = FacetColumn.from_pairs(((0, key) for key in keys), 2)
    assert column.values.dtype == np.uint8
    room = with_room(column)
    mapped = room("values").copy()
    column = column.extend([(2, "key 0"), (2, "one key too many")], 2, 1, room)
    assert column.values.dtype == np.uint16
    assert column.keys[column.values[-1]] == "one key too many"
    # The mapped values were copied to the wider type, not overwritten in their room.
    assert np.array_equal(room("values"), mapped)
    counts = column.count(np.array([False, False, True]))
    assert counts[0] == counts[256] == 1 and counts.sum() == 2
    assert set(np.flatnonzero(column.having({"one key too many", "key 1"}, 3))) == {0, 2}
