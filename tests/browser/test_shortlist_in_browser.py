"""A learner shortlists opportunities from the search results and compares them, on a phone
(390 px) and a desktop (1280 px)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, overflow, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 390, "desktop": 1280}


def save_button(page, title: str):
    card = page.locator("article.card", has=page.get_by_role("link", name=title, exact=True))
    return card.get_by_role("button", name=re.compile(r"^Save to compare"))


@pytest.mark.parametrize("width_name", WIDTHS)
def test_shortlist_two_from_the_cards_and_compare_them(page, catalogue_server, width_name):
    page.set_viewport_size({"width": WIDTHS[width_name], "height": 850})
    page.goto(catalogue_server.url + "/?q=fotografia")
    first = save_button(page, "Street photography: shape and content")
    second = save_button(page, "Street photography: report and technique")
    expect(first).to_have_attribute("aria-pressed", "false")
    first.click()
    second.click()
    expect(first).to_have_attribute("aria-pressed", "true")
    # Seen as saved, with what a click now does; heard by the same name, pressed.
    expect(first.locator(".on-label")).to_be_visible()
    expect(first.locator(".on-label")).to_have_text("Saved to compare: remove")
    expect(second.locator(".on-label")).to_be_visible()
    expect(save_button(page, "Street photography: shape and content")).to_have_count(1)
    expect(page.locator("#shortlist-status")).to_have_text("Saved to your shortlist.")
    bar = page.locator("#shortlist-bar")
    expect(bar).to_contain_text("Compare your shortlist (2/4)")
    screenshot(page, f"shortlist-saved-{width_name}")

    # The shortlist outlives the page: another search shows the saved ones as saved.
    page.goto(catalogue_server.url + "/?q=strada")
    expect(save_button(page, "Street photography: shape and content")).to_have_attribute(
        "aria-pressed", "true"
    )
    bar.get_by_role("link", name=re.compile("Compare your shortlist")).click()
    expect(page).to_have_url(re.compile(r"/compare/\?ids=\d+,\d+$"))
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_count(2)
    expect(table).to_contain_text("Recognised by")
    assert overflow(page) == 0
    assert axe_violations(page) == []
    screenshot(page, f"compare-{width_name}")

    # Removing a column removes it from the shortlist too.
    page.get_by_role("link", name=re.compile(r"^Remove Street photography: shape")).click()
    expect(table.locator("thead th")).to_have_count(1)
    expect(bar).to_contain_text("(1/4)")


def test_the_header_link_opens_the_saved_shortlist_and_a_fifth_is_refused(page, catalogue_server):
    page.goto(catalogue_server.url + "/")
    buttons = page.get_by_role("button", name=re.compile(r"^Save to compare"))
    for index in range(5):
        buttons.nth(index).click()
    expect(page.locator("#shortlist-status")).to_have_text(
        "Your shortlist is full: compare these four or remove one first."
    )
    expect(buttons.nth(4)).to_have_attribute("aria-pressed", "false")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare/\?ids=\d+,\d+,\d+,\d+$"))
    expect(page.locator("table.compare thead th")).to_have_count(4)
    screenshot(page, "compare-four-desktop")


def test_a_shared_comparison_opens_without_javascript(browser, catalogue_server):
    from descriptors.models import LearningOpportunity

    ids = list(LearningOpportunity.objects.published().values_list("pk", flat=True)[:2])
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{catalogue_server.url}/compare/?ids={ids[0]},{ids[1]}")
        expect(page.locator("table.compare thead th")).to_have_count(2)
        # No script, no shortlist: the save buttons stay out of the way.
        page.goto(f"{catalogue_server.url}/opportunities/{ids[0]}/")
        expect(page.get_by_role("button", name=re.compile("Save to compare"))).to_have_count(0)
    finally:
        context.close()
