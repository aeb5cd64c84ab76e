"""The facet column's counting paths (all pairs, few documents' runs, or one value per
document) agree with a plain count."""

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
    for name in ("documents", "values", "offsets", "covered"):
        values = getattr(column, name)
        if values is not None:
            rooms[name] = np.zeros(len(values) + 500, values.dtype)
            rooms[name][: len(values)] = values
            setattr(column, name, rooms[name][: len(values)])
    return rooms.get


@settings(max_examples=300, deadline=None)
@given(
    pairs_strategy,
    st.sets(st.integers(0, 119), max_size=12),
    pairs_strategy,
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_counts_match_a_plain_count(pairs, chosen, extra, dense, prepared, mapped):
    column = FacetColumn.from_pairs(sorted(pairs))
    if prepared:  # as written to snapshot files, or after searches built them
        column.prepared(60)
    room = with_room(column) if mapped else no_room
    # Patching appends documents beyond the current ones, as the index does.
    column = column.extend(sorted((document + 60, key) for document, key in extra), 60, 60, room)
    # Dense masks take the all-pairs path, sparse ones the per-document runs.
    mask = np.ones(120, bool) if dense else np.zeros(120, bool)
    mask[list(chosen)] = not dense
    expected = {}
    for document, key in [*pairs, *((d + 60, k) for d, k in extra)]:
        if mask[document]:
            expected[key] = expected.get(key, 0) + 1
    counts = column.count(mask)
    assert {column.keys[i]: int(c) for i, c in enumerate(counts) if c} == expected
    having_any = {document for document, _ in [*pairs, *((d + 60, k) for d, k in extra)]}
    assert set(np.flatnonzero(column.documents_having_any(120))) == having_any
    having_a_or_c = {d for d, k in [*pairs, *((d + 60, k) for d, k in extra)] if k in "ac"}
    assert set(np.flatnonzero(column.having({"a", "c"}, 120))) == having_a_or_c
    if mapped:  # the added pairs went into the room after the mapped ones
        assert column.documents.ctypes.data == room("documents").ctypes.data


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), min_size=120, max_size=120),
    st.one_of(
        st.lists(st.booleans(), min_size=120, max_size=120),
        # A handful of matches takes the few-documents path.
        st.sets(st.integers(0, 119), max_size=5).map(lambda few: [i in few for i in range(120)]),
    ),
    st.booleans(),
)
def test_a_column_with_one_value_per_document_counts_like_a_plain_count(values, chosen, prepared):
    column = FacetColumn.from_pairs(enumerate(values[:60]))
    if prepared:
        column.prepared(60)
    column = column.extend(
        ((document + 60, key) for document, key in enumerate(values[60:])), 60, 60
    )
    counts = column.count(np.array(chosen))
    expected = Counter(key for key, matched in zip(values, chosen, strict=True) if matched)
    assert {column.keys[i]: int(c) for i, c in enumerate(counts) if c} == expected
    having_a_or_c = [key in "ac" for key in values]
    assert column.having({"a", "c"}, 120).tolist() == having_a_or_c
    assert column.offsets is None  # never needed, so never built nor written to files
