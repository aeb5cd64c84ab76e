"""The search box as people use it: suggestions from the keyboard, a misspelt word corrected."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_suggestions_as_one_types_work_from_the_keyboard(browser, catalogue_server, width):
    context = browser.new_context(viewport={"width": width, "height": 860}, locale="en-GB")
    page = context.new_page()
    page.goto(catalogue_server.url)
    box = page.get_by_role("combobox", name="Search micro-credentials")
    box.press_sequentially("cyb", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text("Cybersecurity essentials for small businesses")
    # No page is wider than the screen with the list open.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"search-suggestions-{width}")

    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "q-option-0")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("er", delay=40)
    expect(listbox.get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/opportunities/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cybersecurity essentials for small businesses"
    )
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_misspelt_search_shows_what_it_searched_and_searches_as_typed_on_request(
    browser, catalogue_server, width
):
    context = browser.new_context(viewport={"width": width, "height": 860}, locale="en-GB")
    page = context.new_page()
    page.goto(catalogue_server.url)
    box = page.get_by_role("combobox", name="Search micro-credentials")
    box.fill("cybersecurtiy essentails")
    box.press("Enter")
    status = page.locator(".suggestion")
    expect(status).to_contain_text("Showing results for cybersecurity essentials")
    expect(page.locator(".card").first).to_contain_text("Cybersecurity essentials")
    screenshot(page, f"search-corrected-{width}")
    status.get_by_role("link", name="cybersecurtiy essentails").click()
    expect(page).to_have_url(re.compile(r"verbatim=true"))
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^0 "))
    context.close()


def test_a_screen_reader_hears_how_many_suggestions_in_the_pages_language(page, catalogue_server):
    """The count a screen reader announces is a translated sentence, punctuated as the
    language writes it: "Suggestions : 2" in French, with the no-break space before the colon."""
    page.goto(f"{catalogue_server.url}/fr/")
    page.locator("#q").press_sequentially("cyb", delay=40)
    options = page.locator("#q-suggestions").get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.locator("#q-suggestions-status")).to_have_text(
        f"Suggestions\u00a0: {options.count()}"
    )
    page.goto(f"{catalogue_server.url}/it/")
    page.locator("#q").press_sequentially("cyb", delay=40)
    expect(options.first).to_be_visible()
    expect(page.locator("#q-suggestions-status")).to_have_text(f"Suggerimenti: {options.count()}")
