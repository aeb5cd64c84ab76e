"""Title order: documents added after the first ones and titles that are not documents' own
(translations) rank where their keys sort among the others."""

from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.title_order import TitleOrder

keys_strategy = st.lists(st.text("abcde ", max_size=4), max_size=30)


@settings(max_examples=300, deadline=None)
@given(keys_strategy, keys_strategy, keys_strategy)
def test_added_and_translated_titles_rank_in_alphabetical_order(first, added, translated):
    order = TitleOrder.from_keys(first).extended(added)
    ranks = [*order.ranks.tolist(), *order.ranks_between(translated).tolist()]
    keys = [*first, *added, *translated]

    by_rank = sorted(range(len(keys)), key=ranks.__getitem__)
    # Equal keys may come in any order among themselves, never among other keys.
    assert [keys[index] for index in by_rank] == sorted(keys)
    # No two tie: a tie would hand the order to the next sort key (the newest first).
    assert len(set(ranks)) == len(ranks)
