"""The harvestable dataset's own documents: its description in DCAT (JSON-LD, as DCAT-AP
catalogues such as data.europa.eu read it) and its withdrawals as an Atom feed of tombstones
(RFC 6721), the way feeds say that an entry is gone."""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from lxml import etree

from catalogue.dataset import Withdrawal

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
ATOM = "http://www.w3.org/2005/Atom"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"


def _timestamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def dump_dcat(
    *, url: str, modified: datetime | None, record_count: int, distributions: dict[str, str]
) -> dict:
    """The dataset's DCAT description; ``distributions`` maps media types to their first page."""
    contact = settings.OCLO_DATASET_CONTACT_EMAIL
    publisher_url = settings.OCLO_DATASET_PUBLISHER_URL or settings.OCLO_BASE_URL
    document = {
        "@context": DCAT_CONTEXT,
        "@id": url,
        "@type": "dcat:Dataset",
        "dct:title": settings.OCLO_DATASET_TITLE,
        "dct:description": settings.OCLO_DATASET_DESCRIPTION,
        "dct:publisher": {
            "@id": publisher_url,
            "@type": "foaf:Agent",
            "foaf:name": settings.OCLO_DATASET_PUBLISHER_NAME,
            "foaf:homepage": {"@id": publisher_url},
        },
        "dct:license": {"@id": settings.OCLO_DATASET_LICENCE},
        "dct:modified": {"@value": _timestamp(modified), "@type": "xsd:dateTime"}
        if modified
        else None,
        "void:entities": record_count,
        "dcat:landingPage": {"@id": settings.OCLO_BASE_URL + "/"},
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": settings.OCLO_DATASET_PUBLISHER_NAME,
            "vcard:hasEmail": {"@id": f"mailto:{contact}"},
        }
        if contact
        else None,
        "dcat:distribution": [
            {
                "@id": access_url,
                "@type": "dcat:Distribution",
                "dcat:accessURL": {"@id": access_url},
                "dcat:mediaType": media_type,
                "dct:license": {"@id": settings.OCLO_DATASET_LICENCE},
            }
            for media_type, access_url in distributions.items()
        ],
    }
    return {key: value for key, value in document.items() if value is not None}


def dump_withdrawals_atom(
    withdrawals: Iterable[Withdrawal], *, url: str, next_url: str | None, updated: datetime | None
) -> bytes:
    """One page of withdrawals: an ``at:deleted-entry`` per record, by its stable IRI."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "at": TOMBSTONES})
    etree.SubElement(feed, f"{{{ATOM}}}id").text = url
    etree.SubElement(
        feed, f"{{{ATOM}}}title"
    ).text = f"{settings.OCLO_DATASET_TITLE}: withdrawn records"
    # Atom requires the element; an empty log has no date, so the epoch stands in.
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(
        updated or datetime.fromtimestamp(0, UTC)
    )
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=url)
    if next_url:
        etree.SubElement(feed, f"{{{ATOM}}}link", rel="next", href=next_url)
    for withdrawal in withdrawals:
        entry = etree.SubElement(
            feed,
            f"{{{TOMBSTONES}}}deleted-entry",
            ref=withdrawal.iri,
            when=_timestamp(withdrawal.withdrawn_at),
        )
        etree.SubElement(entry, f"{{{TOMBSTONES}}}comment").text = withdrawal.kind
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
