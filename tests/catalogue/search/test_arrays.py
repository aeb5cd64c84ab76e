"""The facet snapshot's array helpers: the set of sorted values is the same answer as
``np.unique`` (which numpy 2.4 computes far more slowly for large integer arrays), and a
lookup in a sorted array finds exactly the keys that are there."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.arrays import found_in, sorted_unique


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), max_size=60), st.integers(1, 4))
def test_sorted_unique_is_the_sorted_set_of_the_values(values, repeats):
    array = np.array(values * repeats, np.int64)
    found = sorted_unique(array)
    assert found.dtype == np.int64
    assert found.tolist() == sorted(set(values))


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 50), max_size=20), st.lists(st.integers(-5, 55), max_size=30))
def test_found_in_says_where_each_key_is_and_only_for_those_there(values, keys):
    ordered, wanted = np.array(sorted(values), np.int64), np.array(keys, np.int64)
    where, found = found_in(ordered, wanted)
    assert found.tolist() == [key in values for key in keys]
    assert ordered[where[found]].tolist() == wanted[found].tolist()
