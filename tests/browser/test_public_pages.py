"""Every public page on a phone (360 px) and a desktop (1280 px): nothing wider than the
screen, no axe-core (WCAG 2 A/AA) violation, nothing the Content Security Policy refuses, a
screenshot of each in test-output/screenshots."""

import re

import pytest
from playwright.sync_api import expect

from descriptors.models import LearningOpportunity, Organisation
from recognition.models import Agreement, Pathway
from taxonomies.models import EscoSkill
from tests.browser.conftest import axe_violations, csp_violations, overflow, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 360, "desktop": 1280}


def public_pages() -> dict[str, str]:
    """Screenshot name -> path of each kind of public page, on the demo data."""
    published = LearningOpportunity.objects.published()
    leica = published.get(provider_reference="LEICA-SP-1")
    dhbw = published.get(provider_reference="DHBW-DMH-2026")
    agreement = Agreement.objects.filter(status=Agreement.Status.APPROVED).first()
    iuav = Organisation.objects.get(name="Università Iuav di Venezia")
    skill = EscoSkill.objects.filter(outcomes__opportunity=leica).first()
    return {
        "home": "/",
        "search-filtered": "/?q=fotografia&eqf=6",
        "search-no-result": "/?q=zzzzqqq",
        "detail-recognised": f"/opportunities/{leica.pk}/",
        "detail-paid": f"/opportunities/{dhbw.pk}/",
        "provider": f"/providers/{leica.provider_id}/",
        "recognising-provider": f"/providers/{iuav.pk}/",
        "about": "/about/",
        "compare": f"/compare/?ids={leica.pk},{dhbw.pk},999999",
        "browse-fields": "/browse/fields/",
        "browse-levels": "/browse/levels/",
        "browse-providers": "/browse/providers/",
        "browse-skills": "/browse/skills/",
        "browse-skill": f"/browse/skills/{skill.key}/",
        "recognition-institutions": "/recognition/institutions/",
        "recognition-institution": f"/recognition/institutions/{iuav.pk}/",
        "recognition-agreement": f"/recognition/agreements/{agreement.pk}/",
        "recognition-agreement-document": f"/recognition/agreements/{agreement.pk}/document/",
        "recognition-decisions": "/recognition/decisions/",
        "recognition-pathways": "/recognition/pathways/",
        "recognition-pathway": f"/recognition/pathways/{Pathway.objects.first().pk}/",
    }


@pytest.mark.heavy
def test_every_public_page_fits_a_phone_passes_axe_and_keeps_to_the_csp(page, full_demo):
    """Each page at both widths: no sideways scrolling, no axe violation, nothing the Content
    Security Policy refuses (on the page or in what its scripts do; an htmx facet click
    last), and a screenshot."""
    problems = []
    for name, path in public_pages().items():
        for width_name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 800})
            response = page.goto(full_demo.url + path)
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            if (extra := overflow(page)) > 0:
                problems.append(f"{path} at {width} px is {extra} px too wide")
            if violations := axe_violations(page):
                problems.append(f"{path} at {width} px: {violations}")
            screenshot(page, f"{name}-{width_name}")
    # htmx swaps the results in place when a facet is ticked.
    page.goto(full_demo.url)
    page.locator("#facet-eqf").get_by_label(re.compile(r"^EQF level 6")).check()
    expect(page).to_have_url(re.compile(r"eqf=6"))
    expect(page.get_by_role("link", name=re.compile("Remove filter"))).to_be_visible()
    assert problems + csp_violations(page) == []


def test_filter_on_a_phone(page, full_demo):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(full_demo.url)
    # The filters are behind a button that comes before the results.
    button = page.get_by_text("Filters (0)")
    results = page.locator("#result-count")
    assert button.bounding_box()["y"] < results.bounding_box()["y"]
    expect(page.locator("#facet-eqf")).to_be_hidden()

    button.click()
    expect(page.locator("#facet-eqf")).to_be_visible()
    page.locator("#facet-eqf").get_by_label(re.compile(r"^EQF level 6")).check()
    expect(page).to_have_url(re.compile(r"eqf=6"))
    # The panel stays open while choosing, and counts the chosen filter.
    expect(page.locator("#facet-eqf")).to_be_visible()
    expect(page.get_by_text("Filters (1)")).to_be_visible()
    screenshot(page, "filters-open-phone")

    page.get_by_role("link", name=re.compile(r"^Show \d+ results?$")).click()
    expect(page.locator("#result-count")).to_be_in_viewport()
    screenshot(page, "filtered-results-phone")


def test_choose_full_time_courses_on_a_phone(page, full_demo):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(full_demo.url)
    page.get_by_text("Filters (0)").click()
    page.locator("#facet-schedule").get_by_label(re.compile(r"^Full time")).check()
    expect(page).to_have_url(re.compile(r"schedule=72a0ab92fa"))
    page.get_by_role("link", name=re.compile(r"^Show \d+ results?$")).click()
    expect(page.get_by_role("link", name=re.compile("Remove filter"))).to_contain_text("Full time")
    cards = page.locator(".card")
    assert cards.count() > 0
    for card in cards.all():
        expect(card.locator(".facts")).to_contain_text("Full time")
    assert overflow(page) == 0
    screenshot(page, "schedule-filtered-phone")


def test_filters_are_a_button_without_javascript(browser, full_demo):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        page.goto(full_demo.url)
        page.get_by_text("Filters (0)").click()
        page.locator("#facet-eqf").get_by_label(re.compile(r"^EQF level 6")).check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"eqf=6"))
        expect(page.get_by_text("Filters (1)")).to_be_visible()
    finally:
        context.close()


def test_filters_are_open_beside_the_results_on_a_desktop(page, full_demo):
    page.goto(full_demo.url)
    facets = page.locator("#facet-eqf")
    expect(facets).to_be_visible()
    assert facets.bounding_box()["x"] < page.locator("#result-count").bounding_box()["x"]


def test_a_course_pages_values_line_up_in_one_column_on_a_desktop(page, full_demo):
    """The padded "At a glance" box: its values start where the sections' below do."""
    course = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{full_demo.url}/opportunities/{course.pk}/")
    value_starts = page.evaluate(
        "[...document.querySelectorAll('main dl')].slice(0, 2)"
        ".map(list => Math.round(list.querySelector('dd').getBoundingClientRect().left))"
    )
    assert len(value_starts) == 2 and value_starts[0] == value_starts[1]


def test_find_a_provider_by_name_and_filter_by_it(page, full_demo):
    page.goto(full_demo.url)
    page.get_by_label("Find a provider").fill("leica")
    match = page.locator("#provider-matches").get_by_label(re.compile(r"^Leica Camera Italia"))
    expect(match).to_be_visible()  # listed as one types, with its count in this search
    # A click, as a visitor ticks it: the tick replaces the whole search block, so `check()`
    # would read back a box that is gone (under load it waited out its 30 s in CI).
    match.click()
    expect(page).to_have_url(re.compile(r"provider=\d+"))
    expect(page.locator("#result-count")).to_have_text("3 learning opportunities")
    expect(page.get_by_role("link", name=re.compile("Remove filter Provider"))).to_be_visible()


def test_find_a_skill_as_you_type(page, full_demo):
    # The type-ahead fills its own list and leaves the address alone (it used to inherit the
    # search form's hx-select and hx-push-url, and showed nothing).
    page.goto(full_demo.url)
    page.get_by_label("Find a skill").fill("photo")
    expect(page.locator("#skill-suggestions").get_by_label("photography")).to_be_visible()
    assert "suggestions" not in page.url


def test_sort_by_sits_beside_its_menu_on_a_phone(page, catalogue_server):
    page.set_viewport_size({"width": 390, "height": 800})
    for prefix in ("", "/it", "/fr"):
        page.goto(f"{catalogue_server.url}{prefix}/?q=fotografia&eqf=6")
        label = page.locator('label[for="sort"]').bounding_box()
        menu = page.locator("#sort").bounding_box()
        # On one line, the label just before its menu, their middles level.
        label_end = label["x"] + label["width"]
        assert label_end <= menu["x"] <= label_end + 16, prefix
        middle = abs((label["y"] + label["height"] / 2) - (menu["y"] + menu["height"] / 2))
        assert middle < 2, prefix
        screenshot(page, f"search-sort-phone{prefix.replace('/', '-')}")


def test_a_missing_page_fits_a_phone_and_passes_axe(page, live_server):
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(f"{live_server.url}/fr/opportunities/999999/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
        assert overflow(page) <= 0
        assert axe_violations(page) == []
        screenshot(page, f"not-found-{width_name}")
        page.get_by_role("searchbox").fill("fotografia")
        page.get_by_role("button", name="Rechercher").click()
        expect(page).to_have_url(re.compile(r"/fr/\?q=fotografia$"))
