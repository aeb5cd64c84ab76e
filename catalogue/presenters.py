"""Turns a search result into what the page shows: active-filter chips and their URLs."""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from catalogue.filters import (
    APPLICATION_CHOICES,
    PRICE_CHOICES,
    START_CHOICES,
    OpportunitySearchFilterSet,
)
from catalogue.selectors import FacetValue, SearchResult, opportunity_search_total

# Parameters that are state, not filters: a chip never removes them.
NOT_FILTERS = {"page", "sort", "skill_term", "provider_term"}


@dataclass
class Chip:
    label: str
    remove_url: str
    key: str
    value: str
    total_without: int | None = None


def query_without(query: QueryDict, key: str, value: str | None = None) -> str:
    """The query string with one value (or a whole parameter) and the page number removed."""
    remaining = query.copy()
    remaining.pop("page", None)
    if value is None:
        remaining.pop(key, None)
    else:
        remaining.setlist(key, [item for item in remaining.getlist(key) if item != value])
    encoded = remaining.urlencode()
    return f"?{encoded}" if encoded else "?"


def _flatten(values: list[FacetValue]):
    for value in values:
        yield value
        yield from _flatten(value.children)


def active_filter_chips(query: QueryDict, result: SearchResult) -> list[Chip]:
    labels = {
        facet.key: {value.key: value.label for value in _flatten(facet.values)}
        for facet in result.facets
    }
    names = {facet.key: facet.label for facet in result.facets}
    fixed = {
        "price": dict(PRICE_CHOICES),
        "start": dict(START_CHOICES),
        "application": dict(APPLICATION_CHOICES),
    }
    chips = []
    for key in query:
        if key in NOT_FILTERS:
            continue
        for value in query.getlist(key):
            if not value:
                continue
            if key == "q":
                label = f"“{value}”"
            elif key in fixed:
                label = str(fixed[key].get(value, value))
            elif key == "max_fee":
                label = _("Fee up to %(amount)s") % {"amount": value}
            elif key in ("start_from", "start_to"):
                label = (_("From %(date)s") if key == "start_from" else _("Until %(date)s")) % {
                    "date": value
                }
            else:
                label = f"{names.get(key, key)}: {labels.get(key, {}).get(value, value)}"
            chips.append(Chip(label, query_without(query, key, value), key, value))
    return chips


def chips_count_what_they_bring_back(chips: list[Chip]) -> None:
    """For a search with no result: how many results removing each filter would give."""
    for chip in chips:
        without = OpportunitySearchFilterSet(QueryDict(chip.remove_url.lstrip("?")))
        without.is_valid()
        chip.total_without = opportunity_search_total(without.params())
