"""What partners and search engines read, walked in Chromium at a phone's and a desktop's
width: an organisation's legal identifier entered in the admin reaches the API and the
dataset, its new name the next search answer; the pages carry schema.org in the page's
language."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from descriptors.models import LearningOpportunity, Organisation
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "browser-test-pass"


def organisation_change_open(page, catalogue_server, organisation: Organisation) -> None:
    """The admin's form for ``organisation``, signed in as a superuser made for the test."""
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    page.goto(f"{catalogue_server.url}{reverse('admin:login')}")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    change = reverse("admin:descriptors_organisation_change", args=[organisation.pk])
    page.goto(f"{catalogue_server.url}{change}")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_legal_identifier_typed_in_the_admin_reaches_the_api(browser, catalogue_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    cimea = Organisation.objects.get(name="CIMEA")
    organisation_change_open(page, catalogue_server, cimea)
    field = page.get_by_label("Legal identifier")
    expect(field).to_be_visible()
    field.fill("IT 97384550581")
    screenshot(page, f"admin-organisation-legal-identifier-{width}")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    page.goto(f"{catalogue_server.url}{reverse('api:provider-detail', args=[cimea.pk])}")
    provider = json.loads(page.locator("body").inner_text())
    assert provider["legal_identifier"] == "IT 97384550581"
    assert provider["country"]["label"] and provider["website"]
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_provider_renamed_in_the_admin_is_what_the_next_search_answer_says(
    browser, catalogue_server, width
):
    """A partner's search answers summarise each record from the cache: the rename must
    reach them at once, on a search the partner has made before."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    # The JSON suffix: a browser's Accept header asks for XML before anything else.
    search = f"{catalogue_server.url}{reverse('api:opportunity-list').rstrip('/')}.json"

    def providers_found() -> set[str]:
        page.goto(f"{search}?q=photography")
        answer = json.loads(page.locator("body").inner_text())
        return {summary["provider"]["label"] for summary in answer["results"]}

    leica = "Leica Camera Italia"
    assert providers_found() == {leica}
    organisation_change_open(page, catalogue_server, Organisation.objects.get(name=leica))
    page.locator("#id_name").fill("Leica Akademie Italia")
    screenshot(page, f"admin-organisation-renamed-{width}")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    assert providers_found() == {"Leica Akademie Italia"}
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_an_italian_page_tells_search_engines_its_italian_title(browser, catalogue_server, width):
    opportunity = LearningOpportunity.objects.get(provider_reference="LEICA-SP-2")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
    page = context.new_page()
    # An Italian browser (Accept-Language) gets the Italian page.
    page.goto(f"{catalogue_server.url}/")
    expect(page.get_by_label("Cerca micro-credenziali")).to_be_visible()
    page.goto(
        f"{catalogue_server.url}{reverse('catalogue:opportunity-detail', args=[opportunity.pk])}"
    )
    course = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
    assert course["name"] == page.locator("h1").inner_text()
    assert course["name"] == "Fotografia di strada: report e tecnica"
    screenshot(page, f"opportunity-schema-org-it-{width}")
    page.goto(f"{catalogue_server.url}/?q=fotografia")
    results = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
    cards = page.locator(".cards article")
    assert len(results["itemListElement"]) == cards.count() > 0
    context.close()
