"""The language switcher on a phone (390 px) and a desktop (1280 px): a visitor switches a course
page through all seven languages, stays on the same page, and no language's longer words
(German compounds, Lithuanian endings) push any page wider than the screen. Screenshots of each
in test-output/screenshots."""

import re

import pytest
from playwright.sync_api import expect

from descriptors.models import LearningOpportunity
from tests.browser.conftest import axe_violations, overflow, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 390, "desktop": 1280}
# The heading of the outcomes section of a course page, in each language, in switching order.
OUTCOMES = {
    "it": "Risultati di apprendimento e competenze ESCO",
    "fr": "Acquis d’apprentissage et compétences ESCO",
    "es": "Resultados de aprendizaje y competencias ESCO",
    "de": "Lernergebnisse und ESCO-Kompetenzen",
    "nl": "Leerresultaten en ESCO-vaardigheden",
    "lt": "Mokymosi rezultatai ir ESCO įgūdžiai",
    "en": "Learning outcomes and ESCO skills",
}
# Pages with the longest words: facet labels and counts, EQF descriptors, ISCED-F fields.
WIDE_PAGES = {"home": "", "levels": "browse/levels/", "fields": "browse/fields/"}


def switch_language(page, language: str) -> None:
    page.locator("#language-select").select_option(language)
    page.locator(".language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.heavy
@pytest.mark.parametrize("width_name", WIDTHS)
def test_switch_a_course_page_through_the_seven_languages(page, catalogue_server, width_name):
    width = WIDTHS[width_name]
    page.set_viewport_size({"width": width, "height": 844})
    dhbw = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    page.goto(f"{catalogue_server.url}/opportunities/{dhbw.pk}/")
    problems = []
    for language, heading in OUTCOMES.items():
        switch_language(page, language)
        prefix = "" if language == "en" else f"/{language}"
        expect(page).to_have_url(re.compile(rf"{prefix}/opportunities/{dhbw.pk}/$"))
        expect(page.locator("h2#outcomes")).to_have_text(heading)
        expect(page.locator("#language-select")).to_have_value(language)
        if (extra := overflow(page)) > 0:
            problems.append(f"course page in {language} at {width} px is {extra} px too wide")
        if width_name == "phone" and (violations := axe_violations(page)):
            problems.append(f"course page in {language}: {violations}")
        screenshot(page, f"language-{language}-detail-{width_name}")
        for name, path in WIDE_PAGES.items():
            page.goto(f"{catalogue_server.url}{prefix}/{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            if (extra := overflow(page)) > 0:
                problems.append(f"{name} in {language} at {width} px is {extra} px too wide")
            screenshot(page, f"language-{language}-{name}-{width_name}")
        page.goto(f"{catalogue_server.url}{prefix}/opportunities/{dhbw.pk}/")
    assert problems == []


def test_the_choice_follows_the_visitor_to_unprefixed_links(page, catalogue_server):
    """After choosing Lithuanian, a shared unprefixed link opens in Lithuanian too."""
    page.goto(catalogue_server.url)
    switch_language(page, "lt")
    expect(page).to_have_url(re.compile(r"/lt/$"))
    page.goto(f"{catalogue_server.url}/about/")
    expect(page.locator("html")).to_have_attribute("lang", "lt")
    expect(page.locator("h1")).to_have_text("Mikrokredencialai paprastais žodžiais")
    page.get_by_role("link", name="Naršyti", exact=True).click()
    expect(page).to_have_url(re.compile(r"/lt/browse/fields/$"))


@pytest.mark.parametrize("width_name", WIDTHS)
def test_a_search_quotes_each_card_in_the_language_of_the_page(page, catalogue_server, width_name):
    """An Italian course with an English translation, found by its Italian words: the English
    card quotes its English summary, the Italian card highlights the Italian description."""
    page.set_viewport_size({"width": WIDTHS[width_name], "height": 844})
    page.goto(catalogue_server.url)
    page.locator("#q").fill("fotografia strada")
    page.locator("#q").press("Enter")
    card = page.locator("article.card").filter(has_text="Street photography: shape and content")
    expect(card.locator(".summary")).to_contain_text("The first of three stackable")
    expect(card).not_to_contain_text("Prima micro-credenziale")
    screenshot(page, f"language-en-search-{width_name}")

    # The search box searched without reloading the page: the switch keeps the search.
    switch_language(page, "it")
    expect(page.locator("#q")).to_have_value("fotografia strada")
    card = page.locator("article.card").filter(has_text="Fotografia di strada: forma e contenuto")
    expect(card.locator(".snippet mark").first).to_have_text("fotografia")
    expect(card).not_to_contain_text("The first of three stackable")
    screenshot(page, f"language-it-search-{width_name}")
