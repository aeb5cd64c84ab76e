"""Following a search: the subscribe links carry the search as it is on screen, after a facet
is ticked, and answer what a feed reader and a calendar app can read. On a phone (390 px) and a
desktop (1280 px)."""

import re

import feedparser
import icalendar
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_public_pages import overflow

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.parametrize("width_name", WIDTHS)
def test_tick_a_region_and_follow_the_search(page, catalogue_server, width_name):
    page.set_viewport_size({"width": WIDTHS[width_name], "height": 850})
    page.goto(catalogue_server.url + "/")
    if width_name == "phone":
        page.get_by_text("Filters (0)").click()
    region = page.locator("#facet-region")
    region.get_by_label(re.compile(r"^Italia")).check()
    expect(page).to_have_url(re.compile(r"region=IT"))
    # Choosing the country opens its regions.
    expect(region.get_by_label(re.compile(r"^Sud"))).to_be_visible()
    screenshot(page, f"region-facet-{width_name}")

    atom = page.get_by_role("link", name="news feed (Atom)")
    expect(atom).to_have_attribute("href", re.compile(r"region=IT"))
    calendar = page.get_by_role("link", name=re.compile(r"starts and deadlines in your calendar"))
    expect(calendar).to_have_attribute("href", re.compile(r"region=IT"))
    atom.scroll_into_view_if_needed()
    assert overflow(page) == 0
    screenshot(page, f"follow-search-{width_name}")

    feed = feedparser.parse(
        page.request.get(catalogue_server.url + atom.get_attribute("href")).body()
    )
    assert not feed.bozo
    assert feed.feed.title == "OCLO: Region (NUTS): Italia"
    assert feed.entries
    answer = page.request.get(catalogue_server.url + calendar.get_attribute("href"))
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    icalendar.Calendar.from_ical(answer.body())
