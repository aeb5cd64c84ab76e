"""The dataset a portal harvests: a harvester that knows only the dataset's address pages
through it over HTTP and rebuilds the catalogue exactly, first whole, then by increments."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from catalogue.dataset_formats import ATOM, TOMBSTONES
from descriptors.formats.elm_xml import LOQ, own_id
from descriptors.models import LearningOpportunity
from descriptors.services import opportunity_archive, opportunity_unpublish
from tests.builders import make_opportunity
from tests.conftest import SHARED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

DATASET = reverse("api:dataset")
RECORDS_XML = reverse("api:dataset-records", kwargs={"format": "xml"})
RECORDS_JSONLD = reverse("api:dataset-records", kwargs={"format": "jsonld"})
SPECIFICATIONS = f"{{{LOQ}}}learningAchievementSpecificationReferences"


@pytest.fixture(scope="module")
def loq_schema():
    return etree.XMLSchema(etree.parse(str(SHARED / "spec" / "elm" / "loq" / "loq.xsd")))


def _next(answer) -> str | None:
    link = answer.headers.get("Link", "")
    if 'rel="next"' not in link:
        return None
    url = urlsplit(link.split(";")[0].strip("<>"))
    return f"{url.path}?{url.query}"


def _pages(client, url: str, params: dict):
    answer = client.get(url, params)
    while True:
        assert answer.status_code == 200, answer.content
        yield answer
        following = _next(answer)
        if following is None:
            return
        answer = client.get(following)


class Harvester:
    """What a portal keeps: each record's title by its stable IRI."""

    def __init__(self, client, loq_schema):
        self.client, self.loq_schema = client, loq_schema
        self.records: dict[str, str] = {}
        self.pages = 0

    def harvest(self, **params) -> set[str]:
        """One pass; returns the IRIs withdrawn in it."""
        description = self.client.get(DATASET).json()
        [xml] = [
            urlsplit(distribution["dcat:accessURL"]["@id"]).path
            for distribution in description["dcat:distribution"]
            if distribution["dcat:mediaType"] == "application/xml"
        ]
        for page in _pages(self.client, xml, params):
            self.pages += 1
            assert page["Content-Type"] == "application/xml"
            document = etree.fromstring(page.content)
            assert self.loq_schema.validate(document), self.loq_schema.error_log
            # A record is a micro-credential: its specification (one learning opportunity
            # per published edition points at it).
            for record in document.iter(f"{{{LOQ}}}learningAchievementSpecification"):
                if record.getparent().tag == SPECIFICATIONS:
                    self.records[record.get("id")] = record.find(f"{{{LOQ}}}title").text
        withdrawals = reverse("api:dataset-withdrawals-xml")
        withdrawn = set()
        for page in _pages(self.client, withdrawals, params):
            assert page["Content-Type"] == "application/atom+xml"
            feed = etree.fromstring(page.content)
            assert feed.tag == f"{{{ATOM}}}feed"
            withdrawn |= {entry.get("ref") for entry in feed.iter(f"{{{TOMBSTONES}}}deleted-entry")}
        for iri in withdrawn:
            self.records.pop(iri, None)
        return withdrawn


def _catalogue() -> dict[str, str]:
    return {
        own_id("specification", pk): title
        for pk, title in LearningOpportunity.objects.published().values_list("pk", "title")
    }


def test_a_harvester_rebuilds_the_catalogue_exactly(client, loq_schema):
    harvester = Harvester(client, loq_schema)
    assert harvester.harvest(page_size=7) == set()
    assert harvester.records == _catalogue()
    assert harvester.pages == -(-len(harvester.records) // 7)

    since = timezone.now()
    published = list(LearningOpportunity.objects.published().order_by("pk"))
    archived, unpublished, deleted, renamed = (
        published[0],
        published[5],
        published[-1],
        published[3],
    )
    opportunity_archive(opportunity=archived)
    opportunity_unpublish(opportunity=unpublished)
    deleted_iri = own_id("specification", deleted.pk)
    deleted.delete()
    renamed.title = "Fotografia di strada: nuova edizione"
    renamed.save()
    added = make_opportunity(title="Restauro del legno", complete=True)

    withdrawn = harvester.harvest(page_size=7, modified_since=since.isoformat())
    assert withdrawn == {own_id("specification", o.pk) for o in (archived, unpublished)} | {
        deleted_iri
    }
    assert harvester.records == _catalogue()
    assert harvester.records[own_id("specification", renamed.pk)] == renamed.title
    assert own_id("specification", added.pk) in harvester.records


def test_an_increment_holds_only_what_changed(client):
    since = timezone.now()
    renamed = LearningOpportunity.objects.published().first()
    renamed.title = "Un titolo nuovo"
    renamed.save()
    page = client.get(RECORDS_XML, {"modified_since": since.isoformat()})
    ids = [
        record.get("id")
        for record in etree.fromstring(page.content).iter(
            f"{{{LOQ}}}learningAchievementSpecification"
        )
        if record.getparent().tag == SPECIFICATIONS
    ]
    assert ids == [own_id("specification", renamed.pk)]
    assert "Link" not in page.headers


def test_json_ld_pages_hold_the_same_records(client):
    ids = []
    for page in _pages(client, RECORDS_JSONLD, {"page_size": 10}):
        assert page["Content-Type"] == "application/ld+json"
        # One graph per page: a learning opportunity per published edition, each pointing at
        # its micro-credential's specification, described once (then linked by its IRI).
        graph = page.json()["@graph"]
        assert {node["type"] for node in graph} == {"LearningOpportunity"}
        ids += [
            node["learningAchievementSpecification"]["id"]
            for node in graph
            if isinstance(node["learningAchievementSpecification"], dict)
        ]
    published = LearningOpportunity.objects.published().order_by("pk").values_list("pk", flat=True)
    assert ids == [own_id("specification", pk) for pk in published]


def test_withdrawals_in_json_name_each_record(client):
    since = timezone.now()
    archived = LearningOpportunity.objects.published().last()
    opportunity_archive(opportunity=archived)
    answer = client.get(
        reverse("api:dataset-withdrawals-json"), {"modified_since": since.isoformat()}
    )
    [withdrawal] = answer.json()
    assert withdrawal["id"] == archived.pk
    assert withdrawal["iri"] == own_id("specification", archived.pk)
    assert withdrawal["kind"] == "unpublished"


def test_dataset_is_described_in_dcat(client, settings):
    settings.OCLO_DATASET_PUBLISHER_NAME = "Ministero dell'Università e della Ricerca"
    settings.OCLO_DATASET_PUBLISHER_URL = "https://www.mur.gov.it/"
    settings.OCLO_DATASET_CONTACT_EMAIL = "open-data@example.org"
    answer = client.get(DATASET)
    assert answer["Content-Type"] == "application/ld+json"
    description = answer.json()
    assert description["@type"] == "dcat:Dataset"
    assert description["void:entities"] == LearningOpportunity.objects.published().count()
    assert description["dct:publisher"]["foaf:name"] == "Ministero dell'Università e della Ricerca"
    assert description["dct:publisher"]["@id"] == "https://www.mur.gov.it/"
    assert description["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert description["dcat:contactPoint"]["vcard:hasEmail"] == {
        "@id": "mailto:open-data@example.org"
    }
    latest = LearningOpportunity.objects.latest("modified").modified
    assert description["dct:modified"]["@value"] <= timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert description["dct:modified"]["@value"] >= latest.strftime("%Y-%m-%dT%H:%M:%S")[:16]
    assert {d["dcat:mediaType"] for d in description["dcat:distribution"]} == {
        "application/xml",
        "application/ld+json",
    }


@pytest.mark.parametrize(
    "url", [DATASET, RECORDS_XML, RECORDS_JSONLD, reverse("api:dataset-withdrawals-xml")]
)
def test_every_dataset_page_answers_conditional_requests(client, url):
    params = {"page_size": 5} if url != DATASET else {}
    first = client.get(url, params)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(url, params, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(url, params, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    opportunity_archive(opportunity=LearningOpportunity.objects.published().first())
    changed = client.get(url, params, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_bad_harvest_parameters_are_400s_naming_the_parameter(client):
    answer = client.get(
        RECORDS_XML,
        {"modified_since": "yesterday", "page_size": "1000", "cursor": "zz"},
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "cursor": ["Not a cursor returned by this API."],
        "modified_since": ["Give a date and time in ISO 8601, e.g. 2026-03-01T00:00:00Z."],
        "page_size": ["Choose a whole number from 1 to 100."],
    }
