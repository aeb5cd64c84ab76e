"""ELM IRIs and the JSON-LD context in a browser: an IRI opened by a person leads to the
course's page; a script on another origin (a partner's JSON-LD processor in a web page)
follows the same IRI to the JSON-LD and reads our context."""

import pytest
from django.test import override_settings

from descriptors.models import LearningOpportunity
from tests.browser.conftest import screenshot

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture
def server(catalogue_server):
    # The documents name IRIs and the context under the base URL: make it this server.
    with override_settings(OCLO_BASE_URL=catalogue_server.url):
        yield catalogue_server


def test_an_iri_leads_a_person_to_the_page_and_a_script_to_the_linked_data(browser, page, server):
    course = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    iri = f"{server.url}/elm/specification/{course.pk}"
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(iri)
        assert response.status == 200
        assert page.url == f"{server.url}/opportunities/{course.pk}/"
        assert "Credential Evaluator" in page.locator("h1").inner_text()
        screenshot(page, f"elm-iri-to-page-{width_name}")

    # Another origin (the same server by another name): what a browser allows a partner's page.
    # That page's Content Security Policy is the partner's, not ours (which allows no fetch
    # to another origin): it is left out.
    host = "localhost" if "localhost" in server.url else "127.0.0.1"
    other_origin = server.url.replace(host, {"localhost": "127.0.0.1"}.get(host, "localhost"))
    partner = browser.new_context(bypass_csp=True)
    partner_page = partner.new_page()
    partner_page.goto(f"{other_origin}/about/")
    found = partner_page.evaluate(
        """async (iri) => {
            const answer = await fetch(iri, {headers: {Accept: "application/ld+json"}});
            const document = await answer.json();
            const context = await fetch(document["@context"]);
            return {
                type: answer.headers.get("Content-Type"),
                graph: document["@graph"].map((node) => node.type),
                specification: document["@graph"][0].learningAchievementSpecification.id,
                context: (await context.json())["@context"][1].id,
            };
        }""",
        iri,
    )
    partner.close()
    assert found["type"] == "application/ld+json"
    assert set(found["graph"]) == {"LearningOpportunity"}
    assert len(found["graph"]) == len(course.public_editions)
    assert found["specification"] == iri
    assert found["context"] == "@id"
