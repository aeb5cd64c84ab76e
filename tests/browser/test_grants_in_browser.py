"""A provider adds a grant to a course in the admin form; a learner on a phone finds the course
among those with a grant and reads who can get it."""

import re

from playwright.sync_api import expect

from descriptors.models import LearningOpportunity
from tests.browser.conftest import overflow, screenshot
from tests.builders import make_provider_user

PASSWORD = "a-long-test-password"  # make_provider_user's


def test_a_provider_adds_a_grant_and_a_learner_on_a_phone_finds_it(page, catalogue_server):
    course = LearningOpportunity.objects.get(title="Digitales Marketing im Handel")
    make_provider_user(course.provider, "dhbw-editor")
    page.goto(f"{catalogue_server.url}/admin/login/")
    page.fill("#id_username", "dhbw-editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{catalogue_server.url}/admin/descriptors/learningopportunity/{course.pk}/change/")
    page.locator("#grants-group").get_by_role("button", name=re.compile("Add another")).click()
    page.fill("#id_grants-0-title", "Bildungsgutschein der Agentur für Arbeit")
    page.fill("#id_grants-0-description", "Für Arbeitsuchende: deckt die Gebühr.")
    page.fill("#id_grants-0-homepage", "https://example.org/bildungsgutschein")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(catalogue_server.url)
    page.get_by_text("Filters (0)").click()
    page.locator("#facet-price").get_by_label(re.compile("^Grant or subsidy available")).check()
    expect(page).to_have_url(re.compile(r"price=grant"))
    page.get_by_role("link", name=re.compile(r"^Show \d+ results?$")).click()
    page.get_by_role("link", name="Digitales Marketing im Handel").click()
    expect(page.locator(".key-facts")).to_contain_text(
        re.compile(r"Funding\s*Bildungsgutschein der Agentur für Arbeit")
    )
    page.locator(".key-facts").get_by_role("link", name="Bildungsgutschein").click()
    grant = page.locator(".grant")
    expect(grant).to_be_in_viewport()
    expect(grant).to_contain_text("Für Arbeitsuchende: deckt die Gebühr.")
    expect(grant.get_by_role("link")).to_have_attribute(
        "href", "https://example.org/bildungsgutschein"
    )
    assert overflow(page) == 0
    screenshot(page, "grant-on-the-course-page-phone")
