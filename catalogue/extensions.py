"""Where other apps add to the catalogue's pages without the catalogue importing them.

Recognition, for one, adds a "where it is recognised" section to the opportunity page, an
"agreements" section to the provider page, a browse page per recognising institution and a
"recognised by" row to the compare page (its facet goes through ``facets.register_facet``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from descriptors.models import LearningOpportunity, Organisation


@dataclass(frozen=True)
class DetailSection:
    """A section of a page about one record (an opportunity, a provider): ``context`` returns
    what ``template`` needs, or None when there is nothing to show for that record."""

    template: str
    context: Callable[[Any], dict | None]


@dataclass(frozen=True)
class BrowseLink:
    label: str
    url_name: str


@dataclass(frozen=True)
class CompareRow:
    """A row of the compare page: ``values`` answers, for the opportunities compared, what the
    row says about each (by id; lines of text, none when there is nothing to say, which the
    page shows as ``empty``)."""

    label: str
    values: Callable[[list[LearningOpportunity]], dict[int, list[str]]]
    empty: str = ""


DETAIL_SECTIONS: list[DetailSection] = []
PROVIDER_SECTIONS: list[DetailSection] = []
BROWSE_LINKS: list[BrowseLink] = []
COMPARE_ROWS: list[CompareRow] = []


def register_detail_section(section: DetailSection) -> None:
    if section not in DETAIL_SECTIONS:
        DETAIL_SECTIONS.append(section)


def register_provider_section(section: DetailSection) -> None:
    if section not in PROVIDER_SECTIONS:
        PROVIDER_SECTIONS.append(section)


def register_browse_link(link: BrowseLink) -> None:
    if link not in BROWSE_LINKS:
        BROWSE_LINKS.append(link)


def register_compare_row(row: CompareRow) -> None:
    if row not in COMPARE_ROWS:
        COMPARE_ROWS.append(row)


def _sections(registered: list[DetailSection], record) -> list[dict]:
    """The registered sections that have something to show, as template + context."""
    sections = []
    for section in registered:
        context = section.context(record)
        if context is not None:
            sections.append({"template": section.template, "context": context})
    return sections


def detail_sections(opportunity: LearningOpportunity) -> list[dict]:
    return _sections(DETAIL_SECTIONS, opportunity)


def provider_sections(organisation: Organisation) -> list[dict]:
    return _sections(PROVIDER_SECTIONS, organisation)


def compare_rows(opportunities: list[LearningOpportunity]) -> list[tuple[str, dict, str]]:
    """The registered compare rows as (label, lines by opportunity id, empty cell text)."""
    return [(str(row.label), row.values(opportunities), str(row.empty)) for row in COMPARE_ROWS]
