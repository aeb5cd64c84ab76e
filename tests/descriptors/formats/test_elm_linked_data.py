"""ELM as linked data: our JSON-LD and LOQ XML, read as RDF, conform to both official SHACL
shape sets (the LOQ profile and its code-list shapes), say the same, and name things with IRIs
that lead to their documents."""

import json
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from descriptors.formats.elm_jsonld import ELM_CONTEXT, dump_jsonld
from descriptors.formats.elm_xml import NUTS, dump_loq
from descriptors.models import LearningOpportunity
from tests.conftest import SHARED
from tests.descriptors.formats.elm_rdf import (
    DC,
    ELM,
    FOAF,
    ROV,
    jsonld_graph,
    loq_graph,
    loq_shapes,
    rudof_conforms,
    statements,
)
from tests.descriptors.formats.test_elm_import import course_with_grants

pytestmark = pytest.mark.django_db

if not (SHARED / "spec" / "elm" / "shacl").is_dir():
    pytest.skip(f"the official ELM shapes are not under {SHARED}", allow_module_level=True)


def assert_conforms(graph: Graph) -> None:
    conforms, _, text = validate(graph, shacl_graph=loq_shapes())
    assert conforms, text[:5000]


def focus_nodes(graph: Graph) -> Counter:
    """How many nodes of each class the shapes target."""
    return Counter(
        str(kind).replace("#", "/").rsplit("/", 1)[-1] for kind in graph.objects(None, RDF.type)
    )


def expected_nodes(opportunities) -> dict:
    """The records and values of these opportunities, counted from the database."""
    organisations, places = set(), 0
    counts = Counter()
    for opportunity in opportunities:
        # One learning opportunity per published edition, else one for the micro-credential.
        offerings = opportunity.public_editions or [None]
        counts["LearningOpportunity"] += len(offerings)
        counts["PriceDetail"] += sum(
            bool(edition.is_free or edition.fee_amount is not None or edition.fee_note)
            for edition in offerings
            if edition is not None
        )
        counts["LearningAchievementSpecification"] += 1
        counts["LearningOutcome"] += len(opportunity.outcomes.all())
        counts["LearningActivitySpecification"] += len(opportunity.activities.all())
        counts["LearningAssessmentSpecification"] += len(opportunity.assessments.all())
        counts["AwardingOpportunity"] += len(opportunity.awarding_bodies.all())
        counts["CreditPoint"] += opportunity.ects_credits is not None
        counts["Grant"] += len(offerings) * len(opportunity.grants.all())  # in each offering
        places += bool(opportunity.countries.all())
        counts["Address"] += len(opportunity.countries.all())
        organisations |= {opportunity.provider_id, opportunity.hosted_by_id}
        organisations |= {organisation.pk for organisation in opportunity.co_providers.all()}
        organisations |= {organisation.pk for organisation in opportunity.awarding_bodies.all()}
    organisations.discard(None)
    counts["Organisation"] = len(organisations)
    counts["Location"] = places + len(organisations)
    counts["Address"] += len(organisations)
    return dict(counts)


def assert_counts(graph: Graph, opportunities) -> None:
    found = focus_nodes(graph)
    expected = expected_nodes(opportunities)
    assert {name: found[name] for name in expected} == expected
    assert found["Note"] > 0 and found["Concept"] > 0


def comparable(graph: Graph) -> Counter:
    """The graph's statements but the labels of concepts, which the XML leaves to the code
    lists (but for ESCO skills)."""
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        if not str(concept).startswith("http://data.europa.eu/esco/"):
            graph.remove((concept, SKOS.prefLabel, None))
    return statements(graph)


@pytest.mark.usefixtures("demo_catalogue")
def test_the_published_demo_catalogue_is_valid_linked_data_in_both_formats(client):
    published = LearningOpportunity.objects.published().with_detail_data().order_by("pk")
    parameters = {"page_size": 100, "sort": "title"}
    response = client.get("/api/v1/learning-opportunities.jsonld", parameters)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["@context"] == settings.OCLO_BASE_URL + "/elm/context/v1.jsonld"
    assert published.count() == 32
    assert len(document["@graph"]) == expected_nodes(published)["LearningOpportunity"] > 32
    by_header = client.get(
        "/api/v1/learning-opportunities/", parameters, headers={"accept": "application/ld+json"}
    )
    assert by_header.json() == document

    from_jsonld = jsonld_graph(document, client)
    assert_conforms(from_jsonld)
    assert_counts(from_jsonld, published)
    xml = client.get("/api/v1/learning-opportunities.xml", parameters).content
    from_xml = loq_graph(xml)
    assert_conforms(from_xml)
    assert_counts(from_xml, published)
    # The same statements, blank nodes and all.
    assert comparable(from_jsonld) == comparable(from_xml)


@pytest.mark.usefixtures("demo_catalogue")
def test_one_record_says_what_a_partner_needs_in_rdf(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="UNIT-BIM-FR")
    edition = opportunity.editions.get()
    document = client.get(f"/api/v1/learning-opportunities/{opportunity.pk}.jsonld").json()
    graph = jsonld_graph(document, client)
    assert_conforms(graph)
    record = next(graph.subjects(RDF.type, ELM.LearningOpportunity))
    assert str(record) == f"{settings.OCLO_BASE_URL}/elm/edition/{edition.pk}"
    assert graph.value(record, DC.modified).value == opportunity.modified.replace(microsecond=0)
    specification = graph.value(record, ELM.learningAchievementSpecification)
    assert str(specification) == f"{settings.OCLO_BASE_URL}/elm/specification/{opportunity.pk}"
    awarding = graph.value(specification, ELM.awardingOpportunity)
    assert graph.value(awarding, ELM.learningAchievementSpecification) == specification
    price = graph.value(graph.value(record, ELM.priceDetail), ELM.amount)
    assert (graph.value(price, RDF.value).value, str(graph.value(price, ELM.unit))) == (
        Decimal("450.00"),
        "http://publications.europa.eu/resource/authority/currency/EUR",
    )
    language = graph.value(record, ELM.defaultLanguage)
    assert str(graph.value(language, SKOS.inScheme)) == (
        "http://publications.europa.eu/resource/authority/language"
    )
    host = URIRef(f"{settings.OCLO_BASE_URL}/elm/organisation/{opportunity.hosted_by_id}")
    assert (host, RDF.type, ELM.Organisation) in graph
    weeks = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    assert weeks.editions.get().duration == "P12W"  # ISO 8601, not xsd:duration: 84 days
    document = client.get(f"/api/v1/learning-opportunities/{weeks.pk}.jsonld").json()
    graph = jsonld_graph(document, client)
    assert graph.value(next(graph.subjects(RDF.type, ELM.LearningOpportunity)), ELM.duration) == (
        Literal("P84D", datatype=XSD.duration)
    )


@pytest.mark.usefixtures("demo_catalogue")
def test_an_organisation_has_its_legal_identifier_and_a_record_its_publisher(client):
    """In both formats, as the shapes want them: the provider's legal identifier (ELM
    legalIdentifier, rov:registration) with its registration country, its homepage, and the
    provider as each learning opportunity's publisher."""
    opportunity = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    assert opportunity.provider.legal_identifier == "IT01234567890"
    path = f"/api/v1/learning-opportunities/{opportunity.pk}"
    from_jsonld = jsonld_graph(client.get(f"{path}.jsonld").json(), client)
    from_xml = loq_graph(client.get(f"{path}.xml").content)
    provider = URIRef(f"{settings.OCLO_BASE_URL}/elm/organisation/{opportunity.provider_id}")
    for graph in (from_jsonld, from_xml):
        assert_conforms(graph)
        registration = graph.value(provider, ROV.registration)
        assert (registration, RDF.type, ELM.LegalIdentifier) in graph
        assert str(graph.value(registration, SKOS.notation)) == "IT01234567890"
        assert str(graph.value(registration, DC.spatial)) == opportunity.provider.country.uri
        homepage = graph.value(provider, FOAF.homepage)
        assert str(graph.value(homepage, ELM.contentUrl)) == "https://www.cimea.it/"
        records = set(graph.subjects(RDF.type, ELM.LearningOpportunity))
        assert len(records) == len(opportunity.public_editions) > 1
        assert {graph.value(record, DC.publisher) for record in records} == {provider}
    assert comparable(from_jsonld) == comparable(from_xml)


@pytest.mark.usefixtures("demo_catalogue")
def test_the_region_is_the_spatial_code_of_the_place_in_both_formats(client):
    """A NUTS region names no scheme: the ELM list mixes the 2016 and 2021 versions."""
    opportunity = LearningOpportunity.objects.get(provider_reference="APICE-AR-2026")
    assert opportunity.region.code == "ITF33"
    path = f"/api/v1/learning-opportunities/{opportunity.pk}"
    from_jsonld = jsonld_graph(client.get(f"{path}.jsonld").json(), client)
    from_xml = loq_graph(client.get(f"{path}.xml").content)
    for graph in (from_jsonld, from_xml):
        assert_conforms(graph)
        record = next(graph.subjects(RDF.type, ELM.LearningOpportunity))
        place = graph.value(record, ELM.location)
        region = URIRef(NUTS + "ITF33")
        assert list(graph.objects(place, ELM.spatialCode)) == [region]
        assert graph.value(region, SKOS.inScheme) is None
    assert comparable(from_jsonld) == comparable(from_xml)


def test_grants_are_valid_linked_data_in_both_formats(client):
    """Each learning opportunity has the micro-credential's grants, a blank node each (LOQ
    gives a grant no id), with its web page as a supplementary document."""
    detailed = LearningOpportunity.objects.with_detail_data().filter(pk=course_with_grants().pk)
    from_jsonld = jsonld_graph(dump_jsonld(detailed), client)
    from_xml = loq_graph(dump_loq(detailed))
    for graph in (from_jsonld, from_xml):
        assert_conforms(graph)
        assert rudof_conforms(graph) == (True, [])
        records = list(graph.subjects(RDF.type, ELM.LearningOpportunity))
        assert len(records) == 2
        for record in records:
            grants = {
                graph.value(grant, DC.title): (
                    graph.value(grant, DC.description),
                    graph.value(graph.value(grant, ELM.supplementaryDocument), ELM.contentUrl),
                )
                for grant in graph.objects(record, ELM.grant)
            }
            assert grants == {
                Literal("Regional training voucher", lang="en"): (
                    Literal("For residents of the region; it covers the whole fee.", lang="en"),
                    Literal("https://example.org/voucher", datatype=XSD.anyURI),
                ),
                Literal("Erasmus+ scholarship", lang="en"): (None, None),
            }
        assert_counts(graph, detailed)
    assert comparable(from_jsonld) == comparable(from_xml)


@pytest.mark.parametrize("dump", [dump_loq, dump_jsonld])
def test_more_records_with_grants_take_no_more_queries_to_export(dump):
    """The exports read what they write with ``with_detail_data``, grants included."""
    ids = [course_with_grants().pk for _ in range(3)]
    detailed = LearningOpportunity.objects.with_detail_data()
    with CaptureQueriesContext(connection) as one:
        dump(detailed.filter(pk=ids[0]))
    with CaptureQueriesContext(connection) as three:
        dump(detailed.filter(pk__in=ids))
    assert len(three) == len(one)


@pytest.mark.usefixtures("demo_catalogue")
def test_the_shapes_catch_a_wrong_scheme_and_a_missing_link(client):
    """The validation is not vacuous: the faults the JSON-LD used to have are refused."""
    opportunity = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    document = client.get(f"/api/v1/learning-opportunities/{opportunity.pk}.jsonld").json()
    language = "http://publications.europa.eu/resource/authority/language"
    broken = json.loads(json.dumps(document).replace(f'"{language}"', f'"{language}/25831c2"'))
    del broken["@graph"][0]["learningAchievementSpecification"]["awardingOpportunity"][0][
        "learningAchievementSpecification"
    ]
    conforms, _, text = validate(jsonld_graph(broken, client), shacl_graph=loq_shapes())
    assert not conforms
    assert "Language restriction" in text or "LanguageRestriction" in text
    assert "elm:learningAchievementSpecification" in text


def _first(graph: Graph, kind: URIRef):
    return min(graph.subjects(RDF.type, kind))


def _drop(graph: Graph, kind: URIRef, predicate: URIRef) -> None:
    graph.remove((_first(graph, kind), predicate, None))


def _change(graph: Graph, kind: URIRef, predicate: URIRef, value) -> None:
    graph.set((_first(graph, kind), predicate, value))


# One fault each, of each kind of constraint the shapes make.
FAULTS = {
    "an offering without a title": lambda graph: _drop(graph, ELM.LearningOpportunity, DC.title),
    "a provider given as text": lambda graph: _change(
        graph, ELM.LearningOpportunity, ELM.providedBy, Literal("A provider")
    ),
    "a language of no code list": lambda graph: _change(
        graph,
        ELM.LearningOpportunity,
        ELM.defaultLanguage,
        URIRef("http://example.org/language/xx"),
    ),
    "an end date in words": lambda graph: _change(
        graph, DC.PeriodOfTime, ELM.endDate, Literal("5 December")
    ),
    "a price without its currency": lambda graph: _drop(graph, ELM.Amount, ELM.unit),
}


@pytest.mark.usefixtures("demo_catalogue")
@pytest.mark.parametrize("fault", FAULTS)
def test_rudof_refuses_what_pyshacl_refuses(fault):
    """rudof, which validates the 2,000 generated records, judges as pyshacl does: both accept
    the demo's first records, and both refuse them with any one of these faults."""
    graph = loq_graph(
        dump_loq(LearningOpportunity.objects.published().with_detail_data().order_by("pk")[:8])
    )
    assert rudof_conforms(graph) == (True, [])
    assert validate(graph, shacl_graph=loq_shapes())[0]
    FAULTS[fault](graph)
    assert not validate(graph, shacl_graph=loq_shapes())[0]
    conforms, violations = rudof_conforms(graph)
    assert not conforms and violations


def test_our_context_is_served_and_extends_the_official_one(client):
    response = client.get("/elm/context/v1.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    context = response.json()["@context"]
    assert context[0] == ELM_CONTEXT
    assert context[1]["id"] == "@id" and context[1]["type"] == "@type"


@pytest.mark.usefixtures("demo_catalogue")
def test_record_iris_lead_to_their_documents(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    iri = f"/elm/specification/{opportunity.pk}"
    as_data = client.get(iri, headers={"accept": "application/ld+json"})
    assert as_data.status_code == 303
    assert as_data["Location"] == f"/api/v1/learning-opportunities/{opportunity.pk}.jsonld"
    document = client.get(as_data["Location"]).json()
    described = document["@graph"][0]["learningAchievementSpecification"]["id"]
    assert described == settings.OCLO_BASE_URL + iri
    assert client.get(iri, headers={"accept": "application/xml"})["Location"].endswith(".xml")
    page = f"/opportunities/{opportunity.pk}/"
    assert client.get(iri, headers={"accept": "text/html"})["Location"] == page
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get(iri, headers={"accept": browser})["Location"] == page
    edition = opportunity.public_editions[-1]
    assert client.get(f"/elm/edition/{edition.pk}")["Location"] == page
    organisation = client.get(f"/elm/organisation/{opportunity.provider_id}")
    assert organisation["Location"] == f"/providers/{opportunity.provider_id}/"
    assert client.get("/elm/edition/999999").status_code == 404
