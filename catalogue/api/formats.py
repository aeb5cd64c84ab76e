"""The formats the learning opportunities are published in: one registration each.

A format is its renderer (the suffix of its addresses, ``learning-opportunities.xml`` and
``learning-opportunities/7.xml``, and the media type ``Accept`` names), and for each resource it
serves, the function that writes the document and how the OpenAPI schema describes it. The
API's URL patterns, its content negotiation and documented answers, and the redirects of the
ELM IRIs (``catalogue.elm_views``) all read ``FORMATS``: a new export is a module in
``descriptors.formats`` with its ``dump_*`` function, and one entry here.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from rest_framework.renderers import BaseRenderer, JSONRenderer

from catalogue.api.renderers import (
    CsvRenderer,
    ElmJsonLdRenderer,
    LoqXmlRenderer,
    Ob3AchievementRenderer,
)
from catalogue.api.schema import CSV, ELM_JSONLD, LOQ_XML, OB3_ACHIEVEMENT
from catalogue.api.search_pages import search_page_json
from catalogue.api.serializers import OpportunityDetailSerializer, OpportunityPageSchema
from descriptors.formats.csv_export import dump_csv
from descriptors.formats.elm_jsonld import dump_jsonld
from descriptors.formats.elm_xml import dump_loq
from descriptors.formats.ob3 import dump_achievement
from descriptors.models import LearningOpportunity


class Resource(StrEnum):
    # ``learning-opportunities/``: a page of search results; its dump gets a ``SearchPage``.
    SEARCH = "search"
    # ``learning-opportunities/7/``: one published opportunity; its dump gets the opportunity
    # (with its detail data) and the request.
    OPPORTUNITY = "opportunity"
    # ``dataset/records.xml``: a page of the dataset harvesters pull; its dump gets the page's
    # records (with their detail data) in id order.
    DATASET = "dataset"


@dataclass(frozen=True)
class SearchPage:
    """One answer of the search, as a format writes it: the result, the request it answers and
    the links to the pages before and after it (``next``, ``prev``)."""

    result: object
    request: object
    links: Mapping[str, str] = field(default_factory=dict)

    def detailed(self) -> list[LearningOpportunity]:
        """The page's opportunities with every descriptor, in the page's order."""
        detailed = LearningOpportunity.objects.with_detail_data().in_bulk(self.result.ids)
        return [detailed[pk] for pk in self.result.ids if pk in detailed]


@dataclass(frozen=True)
class Export:
    """What a format gives for one resource: the document, and its OpenAPI description."""

    dump: Callable
    response: object


@dataclass(frozen=True)
class OutputFormat:
    renderer: type[BaseRenderer]
    exports: Mapping[Resource, Export]
    # An ELM IRI asked for in one of these media types leads to the record in this format.
    iri_media_types: tuple[str, ...] = ()
    # A search in this format is a download of the whole result (up to OCLO_CSV_MAX_ROWS) in
    # a file of this name, not a page.
    download_name: str = ""

    @property
    def suffix(self) -> str:
        return self.renderer.format

    @property
    def media_type(self) -> str:
        return self.renderer.media_type


# In the order content negotiation tries them: the first is the answer to ``Accept: */*``,
# and OB3 comes before ELM JSON-LD, whose media type is OB3's without the profile.
FORMATS = [
    OutputFormat(
        JSONRenderer,
        {
            Resource.SEARCH: Export(
                lambda page: search_page_json(page.result, page.request, page.links),
                OpportunityPageSchema,
            ),
            Resource.OPPORTUNITY: Export(
                lambda opportunity, request: (
                    OpportunityDetailSerializer(opportunity, context={"request": request}).data
                ),
                OpportunityDetailSerializer,
            ),
        },
    ),
    OutputFormat(
        LoqXmlRenderer,
        {
            Resource.SEARCH: Export(lambda page: dump_loq(page.detailed()), LOQ_XML),
            Resource.OPPORTUNITY: Export(
                lambda opportunity, request: dump_loq([opportunity]), LOQ_XML
            ),
            Resource.DATASET: Export(dump_loq, LOQ_XML),
        },
        iri_media_types=("application/xml", "text/xml"),
    ),
    OutputFormat(
        Ob3AchievementRenderer,
        {
            Resource.OPPORTUNITY: Export(
                lambda opportunity, request: dump_achievement(opportunity), OB3_ACHIEVEMENT
            ),
        },
    ),
    OutputFormat(
        ElmJsonLdRenderer,
        {
            Resource.SEARCH: Export(lambda page: dump_jsonld(page.detailed()), ELM_JSONLD),
            Resource.OPPORTUNITY: Export(
                lambda opportunity, request: dump_jsonld([opportunity]), ELM_JSONLD
            ),
            Resource.DATASET: Export(dump_jsonld, ELM_JSONLD),
        },
        iri_media_types=("application/ld+json",),
    ),
    OutputFormat(
        CsvRenderer,
        {Resource.SEARCH: Export(lambda page: dump_csv(page.result.opportunities), CSV)},
        download_name="learning-opportunities.csv",
    ),
]


def formats_for(resource: Resource) -> list[OutputFormat]:
    return [output for output in FORMATS if resource in output.exports]


def format_negotiated(request) -> OutputFormat:
    """The format content negotiation chose for this request."""
    suffix = request.accepted_renderer.format
    return next(output for output in FORMATS if output.suffix == suffix)


def renderers_for(resource: Resource) -> list[type[BaseRenderer]]:
    return [output.renderer for output in formats_for(resource)]


def suffixes_for(resource: Resource) -> list[str]:
    return [output.suffix for output in formats_for(resource)]


def responses_for(resource: Resource) -> dict:
    """The successful answers of the resource's read, one per media type, for the schema."""
    return {
        (200, output.media_type): output.exports[resource].response
        for output in formats_for(resource)
    }


def iri_documents() -> dict[str, str]:
    """Media type an ELM IRI may be asked for in -> the suffix of the record's document.
    Linked data (JSON-LD) first: it is what an IRI is for, so it is the answer to a client
    that takes several of them equally."""
    offered = sorted(
        (output for output in FORMATS if output.iri_media_types),
        key=lambda output: output.media_type != "application/ld+json",
    )
    return {
        media_type: output.suffix for output in offered for media_type in output.iri_media_types
    }
