"""The facet snapshot's set of sorted values: the same answer as ``np.unique``, which numpy
2.4 computes far more slowly for large integer arrays."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.arrays import sorted_unique


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), max_size=60), st.integers(1, 4))
def test_sorted_unique_is_the_sorted_set_of_the_values(values, repeats):
    array = np.array(values * repeats, np.int64)
    found = sorted_unique(array)
    assert found.dtype == np.int64
    assert found.tolist() == sorted(set(values))
