"""The facet column's two counting paths (all pairs, or few documents' runs) agree."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.facet_index import FacetColumn

pairs_strategy = st.sets(
    st.tuples(st.integers(0, 59), st.sampled_from(["a", "b", "c", "d", "e"])), max_size=200
)


@settings(max_examples=200, deadline=None)
@given(pairs_strategy, st.sets(st.integers(0, 119), max_size=12), pairs_strategy, st.booleans())
def test_counts_match_a_plain_count(pairs, chosen, extra, dense):
    column = FacetColumn.from_pairs(sorted(pairs))
    # Patching appends documents beyond the current ones, as the index does.
    column = column.extend(sorted((document + 60, key) for document, key in extra))
    # Dense masks take the all-pairs path, sparse ones the per-document runs.
    mask = np.ones(120, bool) if dense else np.zeros(120, bool)
    mask[list(chosen)] = not dense
    expected = {}
    for document, key in [*pairs, *((d + 60, k) for d, k in extra)]:
        if mask[document]:
            expected[key] = expected.get(key, 0) + 1
    counts = column.count(mask)
    assert {column.keys[i]: int(c) for i, c in enumerate(counts) if c} == expected
