"""The facets found from the editions' fees and dates: fees, start, applications, editions.

Each is a parameter of the search FilterSet with a few fixed choices; the facet takes its label
and its choices' labels from that declaration, so the search page, its filter chips and the
API's facets all read them in the visitor's language.
"""

from datetime import date, timedelta

import numpy as np
from django.utils import timezone

from catalogue.filters import OpportunitySearchFilterSet, SearchParams
from catalogue.search.facet_index import NO_DATE, Snapshot
from catalogue.search.facets import ChoiceFacet


def days_from_epoch(value: date) -> int:
    return (value - date(1970, 1, 1)).days


def _price_documents(snapshot: Snapshot, choice: str) -> np.ndarray:
    """Documents with an edition that is free, or that costs something; or with a grant or
    subsidy for their learners."""
    editions = snapshot.editions
    if choice == "grant":
        return snapshot.numbers["grants"] > 0
    if choice == "free":
        return snapshot.documents_with(editions.is_free)
    return snapshot.documents_with(~editions.is_free & (editions.fee_cents > 0))


def _when_documents(snapshot: Snapshot, choice: str) -> np.ndarray:
    """Documents with an edition still to come or running ("current"; also those with no
    edition yet: dates to be announced), or whose editions are all over ("past")."""
    day = snapshot.edition_day()
    past = day.has_editions & ~day.has_current
    return past if choice == "past" else ~past


def starting_editions(snapshot: Snapshot, params: SearchParams) -> np.ndarray | None:
    """Editions starting in the chosen window (or any time) and between the chosen dates;
    None when no start is chosen."""
    today = timezone.localdate()
    editions = snapshot.editions
    dated = editions.start != NO_DATE
    if params.start == "any":
        return editions.any_start
    low = high = None
    if params.start in ("30", "90"):
        low, high = today, today + timedelta(days=int(params.start))
    if params.start_from:
        low = max(low, params.start_from) if low else params.start_from
    if params.start_to:
        high = min(high, params.start_to) if high else params.start_to
    if low is None and high is None:
        return None
    mask = dated.copy()
    if low is not None:
        mask &= editions.start >= days_from_epoch(low)
    if high is not None:
        mask &= editions.start <= days_from_epoch(high)
    return mask


def _start_documents(snapshot: Snapshot, choice: str) -> np.ndarray:
    return snapshot.documents_with(starting_editions(snapshot, SearchParams(start=choice)))


def _application_documents(snapshot: Snapshot, choice: str) -> np.ndarray:
    """Documents with an edition whose applications are open today ("open"), or open and
    closing within 30 days ("closing"); not those cancelled or over."""
    today = days_from_epoch(timezone.localdate())
    deadline = snapshot.editions.deadline
    last = np.iinfo(np.int32).max if choice == "open" else today + 30
    return snapshot.documents_with(
        (deadline != NO_DATE)
        & (deadline >= today)
        & (deadline <= last)
        & ~snapshot.edition_day().past
    )


def _declared_in_filterset(key: str, documents) -> ChoiceFacet:
    """The facet of a search parameter, labelled as the FilterSet declares it."""
    parameter = OpportunitySearchFilterSet.base_filters[key]
    return ChoiceFacet(key, parameter.label, tuple(parameter.extra["choices"]), documents)


# In the order they are shown, after the other facets.
CHOICE_FACETS: list[ChoiceFacet] = [
    _declared_in_filterset("price", _price_documents),
    _declared_in_filterset("start", _start_documents),
    _declared_in_filterset("application", _application_documents),
    _declared_in_filterset("when", _when_documents),
]
