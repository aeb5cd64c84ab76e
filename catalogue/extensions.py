"""Where other apps add to the catalogue's pages without the catalogue importing them.

Recognition, for one, adds a "where it is recognised" section to the opportunity page, an
"agreements" section to the provider page and a browse page per recognising institution (its
facet goes through ``facets.register_facet``).
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


DETAIL_SECTIONS: list[DetailSection] = []
PROVIDER_SECTIONS: list[DetailSection] = []
BROWSE_LINKS: list[BrowseLink] = []


def register_detail_section(section: DetailSection) -> None:
    if section not in DETAIL_SECTIONS:
        DETAIL_SECTIONS.append(section)


def register_provider_section(section: DetailSection) -> None:
    if section not in PROVIDER_SECTIONS:
        PROVIDER_SECTIONS.append(section)


def register_browse_link(link: BrowseLink) -> None:
    if link not in BROWSE_LINKS:
        BROWSE_LINKS.append(link)


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
