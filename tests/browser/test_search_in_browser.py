import re

import pytest
from playwright.sync_api import expect

from taxonomies.models import Concept, Scheme
from tests.browser.conftest import overflow, screenshot
from tests.builders import make_opportunity

pytestmark = pytest.mark.django_db(transaction=True)


def result_count(page) -> int:
    return int(re.match(r"\d+", page.locator("#result-count").inner_text()).group())


def test_search_facets_chips_pagination_and_detail(page, catalogue_server):
    page.goto(catalogue_server.url)
    everything = result_count(page)
    assert everything >= 30

    page.get_by_label("Search micro-credentials").fill("data")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=data"))
    with_text = result_count(page)
    assert 0 < with_text < everything

    # Two facets: the results and the counts update in place, and the URL keeps the state.
    page.locator("#facet-eqf").get_by_label(re.compile(r"^EQF level 5")).check()
    expect(page).to_have_url(re.compile(r"eqf=5"))
    expect(page.locator("#facet-eqf").get_by_label(re.compile(r"^EQF level 5"))).to_be_checked()
    after_one = result_count(page)
    page.locator("#facet-mode").get_by_label(re.compile(r"^Online")).check()
    expect(page).to_have_url(re.compile(r"mode=920fbb3cbe"))
    after_two = result_count(page)
    assert after_two <= after_one <= with_text

    # A chip removes one filter.
    page.get_by_role("link", name=re.compile("Remove filter EQF level")).click()
    expect(page).not_to_have_url(re.compile(r"eqf=5"))
    expect(page).to_have_url(re.compile(r"mode=920fbb3cbe"))

    # The back button returns to the two-facet state.
    page.go_back()
    expect(page).to_have_url(re.compile(r"eqf=5"))

    # Pagination over the whole catalogue.
    page.goto(catalogue_server.url)
    first_titles = page.locator(".card h2").all_inner_texts()
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert not set(page.locator(".card h2").all_inner_texts()) & set(first_titles)

    screenshot(page, "search-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "search-phone")

    page.locator(".card h2 a").first.click()
    expect(page.locator("h2#outcomes")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "detail-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "detail-phone")


def test_a_field_and_a_language_find_as_many_records_as_their_boxes_said(page, catalogue_server):
    """Fields and languages are facets where a record may have several values: ticking one
    gives as many results as its box showed, on a phone too, and the API agrees."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(catalogue_server.url)
    page.locator("summary", has_text=re.compile(r"^Filters")).click()
    chosen = []
    for facet in ("isced", "language"):
        box = page.locator(f"#facet-{facet} input[type=checkbox]").first
        value = box.get_attribute("value")
        said = int(page.locator(f'label[for="{box.get_attribute("id")}"] .count').inner_text())
        box.check()
        expect(page).to_have_url(re.compile(rf"{facet}={value}"))
        expect(page.locator("#result-count")).to_have_text(re.compile(rf"^{said} "))
        chosen.append(f"{facet}={value}")
    screenshot(page, "search-field-and-language-phone")
    answer = page.request.get(
        f"{catalogue_server.url}/api/v1/learning-opportunities/?{'&'.join(chosen)}"
    ).json()
    assert answer["count"] == result_count(page) > 0


def test_language_switch(page, catalogue_server):
    page.goto(catalogue_server.url)
    page.locator("#language-select").select_option("it")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_label("Cerca micro-credenziali")).to_be_visible()
    expect(page.locator("#facet-eqf legend")).to_have_text("Livello EQF")
    expect(page.locator("#result-count")).to_contain_text("opportunità formative")


def test_facets_work_with_the_keyboard_only(page, catalogue_server):
    page.goto(catalogue_server.url)
    everything = result_count(page)
    page.get_by_label("Search micro-credentials").focus()
    # Tab from the search box through the button and the "Filters" toggle to the first facet
    # value, tick it with Space.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("eqf-")
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"eqf="))
    assert result_count(page) < everything
    # Focus stays on the same checkbox after the in-place update.
    expect(page.locator(f"#{focused}")).to_be_focused()
    expect(page.locator(f"#{focused}")).to_be_checked()


def test_a_rare_country_is_ticked_on_a_phone_from_and_n_more(page, catalogue_server):
    """With 15 more countries than the demo's, 12 are shown: the least frequent open under
    "and n more" (no script needed) and filter like the others."""
    # Country n (from 1) is where n of 15 new opportunities take place.
    countries = list(Concept.objects.filter(scheme=Scheme.COUNTRY).order_by("-code")[:15])
    for first in range(15):
        make_opportunity().countries.add(*countries[first:])
    rarest = countries[0]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(catalogue_server.url)
    page.locator("summary", has_text=re.compile(r"^Filters")).click()
    facet = page.locator("#facet-country")
    expect(facet.get_by_label(re.compile(rf"^{rarest.label}"))).to_be_hidden()
    facet.locator("summary", has_text=re.compile(r"^and \d+ more$")).click()
    facet.get_by_label(re.compile(rf"^{rarest.label} 1$")).check()
    expect(page).to_have_url(re.compile(rf"country={rarest.code}"))
    assert result_count(page) == 1
    screenshot(page, "facet-more-values-phone")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_misspelt_word_is_corrected_and_the_words_as_typed_are_one_click_away(
    page, catalogue_server, width
):
    """A learner types "dtaa analysis": the results are for "data analysis", the page says so
    above them, and "Search instead for" searches the words as typed."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(catalogue_server.url)
    page.get_by_label("Search micro-credentials").fill("dtaa analysis")
    page.get_by_role("button", name="Search").click()
    correction = page.locator(".suggestion")
    expect(correction).to_contain_text("Showing results for data analysis.")
    expect(correction).to_contain_text("Search instead for dtaa analysis.")
    expect(page.locator(".card h2").first).to_have_text("Data analysis with Python: first steps")
    assert correction.bounding_box()["y"] < page.locator(".card").first.bounding_box()["y"]
    assert overflow(page) == 0
    screenshot(page, f"search-corrected-{width}")

    correction.get_by_role("link", name="dtaa analysis").click()
    expect(page).to_have_url(re.compile(r"verbatim=true"))
    # As typed, no record has both words: those with one of them come, and the page says so.
    expect(page.locator("main")).not_to_contain_text("Showing results for")
    expect(page.locator("main")).to_contain_text("No learning opportunity has all of these words")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_one_course_with_every_word_comes_first_and_the_page_says_others_follow(
    page, catalogue_server, width
):
    """Only one course has "data protection law": it comes first, the two that lack one of
    the words follow it instead of an empty page, and the page says why, in Italian too."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(catalogue_server.url)
    page.get_by_label("Search micro-credentials").fill("data protection law")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_have_text("3 learning opportunities")
    note = page.locator(".suggestion")
    expect(note).to_have_text(
        "Only 1 learning opportunity has all of these words: it comes first, "
        "then those with most of them."
    )
    expect(page.locator(".card h2").first).to_have_text("Data protection law in practice")
    assert note.bounding_box()["y"] < page.locator(".card").first.bounding_box()["y"]
    assert overflow(page) == 0
    screenshot(page, f"search-few-with-every-word-{width}")

    # Sorted by date the one with every word need not come first, and the note stops saying so.
    page.get_by_label("Sort by").select_option(label="Newest")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(note).to_have_text(
        "Only 1 learning opportunity has all of these words; the others have most of them."
    )
    screenshot(page, f"search-few-with-every-word-newest-{width}")

    page.goto(f"{catalogue_server.url}/it/?q=data+protection+law")
    expect(page.locator(".suggestion")).to_contain_text(
        "Solo 1 opportunità formativa contiene tutte queste parole"
    )


def test_on_a_phone_the_way_to_the_results_stays_in_sight_while_choosing(page, catalogue_server):
    """The facets are a long panel on a phone: after a tick, "Show n results" is on screen
    without scrolling, says the new total, and leads to the results with the panel closed; a
    ticked value stays where it was in its list."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(catalogue_server.url)
    page.locator("#filters > summary").click()
    skills = page.locator("#facet-skill > .facet-values input[type=checkbox]")
    third = skills.nth(2).get_attribute("value")
    skills.nth(2).check()
    expect(page).to_have_url(re.compile(rf"skill={third}"))
    expect(skills.nth(2)).to_have_attribute("value", third)
    expect(skills.nth(2)).to_be_checked()

    show = page.locator(".show-results a")
    expect(show).to_have_text(f"Show {result_count(page)} results")
    box = show.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    screenshot(page, "phone-filters-show-results")
    show.click()
    expect(page.locator("#filters")).not_to_have_attribute("open", "")
    top = page.locator("#results").bounding_box()["y"]
    assert 0 <= top < 844 / 2
    assert not overflow(page)
    screenshot(page, "phone-filters-closed-at-the-results")


def test_on_a_wide_screen_the_facets_are_a_column_that_does_not_fold(page, catalogue_server):
    """No "Filters" button to fold them by mistake, before a search or after one; the address
    stays short."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(catalogue_server.url)
    expect(page.locator("#filters > summary")).to_be_hidden()
    expect(page.locator("#facet-eqf")).to_be_visible()
    page.locator("#facet-eqf input").first.check()
    # The address names what was chosen, not every empty box of the form.
    expect(page).to_have_url(re.compile(r"/\?eqf=\d&sort=relevance$"))
    expect(page.locator("#filters > summary")).to_be_hidden()
    expect(page.locator("#facet-eqf")).to_be_visible()
    screenshot(page, "wide-facets-column")
