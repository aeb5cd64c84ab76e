"""The faceted search: one page of published opportunities matching the parameters, with
their facet counts, snippets and spelling corrections.
"""

import threading
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from catalogue.filters import SearchParams
from catalogue.search.facet_counts import FacetResult, search_facets
from catalogue.search.facet_index import Snapshot, facet_index
from catalogue.search.filtering import all_of, search_masks, text_matches
from catalogue.search.ordering import ordered, relevance_by_position
from catalogue.search.text_engines import TextMatches
from catalogue.search.text_matching import TextQuery, snippets, text_query
from catalogue.search.words import WORD
from catalogue.selectors import card_outcomes_add, opportunity_cards
from descriptors.models import LearningOpportunity
from descriptors.text import normalize

_results_lock = threading.Lock()


@dataclass
class SearchResult:
    version: str
    params: SearchParams
    total: int
    page: int
    page_size: int
    # The page's records in their order (some may be gone from the database by the time they
    # are read: ``opportunities`` leaves those out).
    ids: list[int]
    facets: list[FacetResult]
    # The query as the engine searched it (corrected, widened): the words snippets highlight.
    searched_query: TextQuery
    # Each misspelt word of the query and the word searched instead.
    corrections: dict[str, str] = field(default_factory=dict)
    # Not every word of the query is in every result (all of them together found too
    # little): how many results have every word; None when all of them do.
    every_word_total: int | None = None

    @cached_property
    def opportunities(self) -> list[LearningOpportunity]:
        """The page's records with their list data, read on first use: an API answer in JSON
        takes its summaries from the cache instead (``catalogue.api.search_pages``)."""
        by_id = opportunity_cards(with_outcomes=False).in_bulk(self.ids)
        return [by_id[pk] for pk in self.ids if pk in by_id]

    @cached_property
    def snippets(self) -> dict[int, SafeString]:
        """A highlighted extract of each result's description, made on first use: only the
        search page shows them."""
        return snippets(self.opportunities, self.searched_query)

    @cached_property
    def cards(self) -> list[LearningOpportunity]:
        """The results with what their cards show besides the list data (read on first use:
        an API answer does not show them)."""
        card_outcomes_add(self.opportunities)
        return self.opportunities

    @property
    def optional_words(self) -> bool:
        return self.every_word_total is not None

    @property
    def all_words_count(self) -> int:
        """How many results have every word of the query: all of them unless it is optional."""
        return self.total if self.every_word_total is None else self.every_word_total

    @property
    def corrected_text(self) -> str:
        """The query as searched: the misspelt words replaced by their corrections."""
        if not self.corrections:
            return ""
        return WORD.sub(
            lambda word: self.corrections.get(normalize(word[0]), word[0]), self.params.text
        )

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def opportunity_search(
    params: SearchParams,
    *,
    page: int = 1,
    page_size: int = 20,
    after_id: int | None = None,
    with_facets: bool = True,
    titles_in: str | None = None,
) -> SearchResult:
    """Published opportunities matching the parameters, one page of them, and facet counts
    (see ``facet_counts``) unless not ``with_facets`` (a tenth of a text search's time, for
    callers that show none); sorted by title, by the titles shown in ``titles_in`` (a page
    shows translations, the API each record's own title). Answers are cached per snapshot."""
    snapshot = facet_index.current()
    # Today is part of the key: "starts within 30 days" changes at midnight.
    key = (
        params.cache_key(),
        page,
        page_size,
        after_id,
        with_facets,
        titles_in,
        get_language(),
        timezone.localdate(),
    )
    with _results_lock:
        cached = snapshot.results.get(key) if settings.OCLO_SEARCH_CACHE else None
        if cached is not None:
            snapshot.results.move_to_end(key)
            return cached
    result = _search(
        snapshot,
        params,
        page=page,
        page_size=page_size,
        after_id=after_id,
        facets=with_facets,
        titles_in=titles_in,
    )
    if settings.OCLO_SEARCH_CACHE:
        with _results_lock:
            snapshot.results[key] = result
            while len(snapshot.results) > settings.OCLO_SEARCH_CACHE_SIZE:
                snapshot.results.popitem(last=False)
    return result


def _search(
    snapshot: Snapshot,
    params: SearchParams,
    *,
    page: int,
    page_size: int,
    after_id,
    facets: bool,
    titles_in: str | None,
):
    matches = text_matches(params)
    base, masks = search_masks(snapshot, params, matches)
    matching = all_of(base, masks)
    total = int(np.count_nonzero(matching))
    counts = search_facets(snapshot, params, base, masks, whole=not params.text) if facets else []

    page = max(1, page)
    positions = np.flatnonzero(matching)
    every_word_total = None
    if matches is not None and matches.optional:
        every_word_total = int(np.isin(snapshot.ids[positions], matches.with_every_word).sum())
    if after_id is not None:
        # Harvesting: a stable order by id, resumed after the last id seen (keyset cursor).
        positions = positions[np.argsort(snapshot.ids[positions], kind="stable")]
        positions = positions[snapshot.ids[positions] > after_id]
        page_ids = [int(pk) for pk in snapshot.ids[positions[:page_size]]]
    else:
        sort = params.effective_sort
        relevance = (
            relevance_by_position(snapshot, positions, matches)
            if sort == "relevance" and matches is not None
            else None
        )
        positions = ordered(
            snapshot, positions, sort, relevance, page * page_size, titles_in=titles_in
        )
        page_ids = [
            int(pk) for pk in snapshot.ids[positions[(page - 1) * page_size : page * page_size]]
        ]
    return SearchResult(
        version=snapshot.version,
        params=params,
        total=total,
        page=page,
        page_size=page_size,
        ids=page_ids,
        facets=counts,
        searched_query=_searched_query(params, matches),
        corrections=matches.corrections if matches else {},
        every_word_total=every_word_total,
    )


def _searched_query(params: SearchParams, matches: TextMatches | None):
    """The query whose words the snippets highlight: as the engine searched it."""
    if matches is not None and matches.query is not None:
        return matches.query
    return text_query(params.text, verbatim=True)


def opportunity_search_total(params: SearchParams) -> int:
    """How many opportunities match, without building a page (for "remove this filter")."""
    snapshot = facet_index.current()
    base, masks = search_masks(snapshot, params)
    return int(np.count_nonzero(all_of(base, masks)))
