"""Turns a search result into what the page shows: active-filter chips and their URLs.

Only the parameters the search knows are read, each with at most ``MAX_VALUES_PER_FACET``
values, and each (name, value) pair is URL-encoded once: a hostile query string of a thousand
parameters must not cost a thousand copies of itself (it once held a worker for 22 s).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalogue.filters import MAX_VALUES_PER_FACET, OpportunitySearchFilterSet
from catalogue.learner import money
from catalogue.search.facet_counts import FacetValue
from catalogue.search.results import SearchResult, opportunity_search_total

# Parameters that are state, not filters: a chip never removes them.
NOT_FILTERS = {"page", "sort", "skill_term", "provider_term"}
# More chips than anyone can read; beyond it a filter is still applied, only not shown as a chip.
MAX_CHIPS = 30
# Facets whose values already say what they are ("EQF level 6"): their chip is the value alone.
SELF_NAMED_FACETS = {"eqf"}


@dataclass
class Chip:
    label: str
    remove_url: str
    key: str
    value: str
    total_without: int | None = None


def _known_keys() -> set[str]:
    return {*OpportunitySearchFilterSet.base_filters, *NOT_FILTERS}


class SearchQuery:
    """The search parameters of a request as encoded (name, value) pairs, unknown names,
    repeated or surplus values and the parameters ``leaving_out`` (refused ones) left out,
    ready to be written back with one of them removed."""

    def __init__(self, query: QueryDict, *, leaving_out: Iterable[str] = ()):
        known = _known_keys() - set(leaving_out)
        self.pairs: list[tuple[str, str, str]] = []  # (name, value, "name=value" encoded)
        for key in query:
            if key not in known:
                continue
            values = dict.fromkeys(value for value in query.getlist(key) if value)
            for value in list(values)[:MAX_VALUES_PER_FACET]:
                self.pairs.append((key, value, urlencode({key: value})))

    def without(self, key: str, value: str | None = None) -> str:
        """The query string without one value (or a whole parameter) and the page number."""
        encoded = "&".join(
            piece
            for name, item, piece in self.pairs
            if name != "page" and not (name == key and (value is None or item == value))
        )
        return f"?{encoded}"

    def with_text(self, text: str, *, verbatim: bool = False) -> str:
        """The query string searching for other words (as typed, when ``verbatim``), page 1."""
        kept = [piece for name, _, piece in self.pairs if name not in ("page", "q", "verbatim")]
        return "?" + "&".join([urlencode({"q": text}), *kept] + ["verbatim=true"] * verbatim)


def _flatten(values: list[FacetValue]):
    for value in values:
        yield value
        yield from _flatten(value.children)


def active_filter_chips(search_query: SearchQuery, result: SearchResult) -> list[Chip]:
    labels = {
        facet.key: {value.key: value.label for value in _flatten(facet.values)}
        for facet in result.facets
    }
    names = {facet.key: facet.label for facet in result.facets}
    # A choice reads on its own ("Free"), without its facet's name.
    choice_keys = {facet.key for facet in result.facets if facet.one_choice}
    chips = []
    for key, value, _piece in search_query.pairs:
        if key in NOT_FILTERS:
            continue
        if len(chips) == MAX_CHIPS:
            break
        if key == "q":
            label = _("“%(text)s”") % {"text": value}  # each language its own quotation marks
        elif key in choice_keys:
            label = labels.get(key, {}).get(value, value)
        elif key == "max_fee":
            label = _("Fee up to %(amount)s") % {"amount": money(result.params.max_fee, "EUR")}
        elif key in ("start_from", "start_to"):
            label = (_("From %(date)s") if key == "start_from" else _("Until %(date)s")) % {
                "date": date_format(getattr(result.params, key))
            }
        elif (value_label := labels.get(key, {}).get(value)) and key in SELF_NAMED_FACETS:
            label = value_label
        else:
            # Translated: French sets a no-break space before the colon.
            label = _("%(filter)s: %(value)s") % {
                "filter": names.get(key, key),
                "value": value_label or value,
            }
        chips.append(Chip(label, search_query.without(key, value), key, value))
    return chips


def chips_count_what_they_bring_back(chips: list[Chip]) -> None:
    """For a search with no result: how many results removing each filter would give."""
    for chip in chips:
        without = OpportunitySearchFilterSet(QueryDict(chip.remove_url.lstrip("?")))
        without.is_valid()
        chip.total_without = opportunity_search_total(without.params())
