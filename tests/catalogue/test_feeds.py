"""Saved searches as feeds: the Atom feed a feed reader follows and the iCalendar feed a
calendar app subscribes to, read back with feedparser and icalendar."""

from datetime import date, timedelta
from decimal import Decimal

import feedparser
import icalendar
import pytest
import time_machine
from django.urls import reverse

from taxonomies.models import EqfLevel, Scheme
from tests.builders import concept, make_opportunity, text_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
ATOM = reverse("catalogue:search-atom")
CALENDAR = reverse("catalogue:search-calendar")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def catalogue():
    eqf6 = EqfLevel.objects.get(level=6)
    welding = make_opportunity(
        title="Welding; basics, and more",
        description="Line one.\nLine two, with a comma; and a semicolon \\ backslash.",
        eqf_level=eqf6,
        editions=[
            {"start_date": TODAY - timedelta(days=200), "end_date": TODAY - timedelta(days=100)},
            {
                "start_date": TODAY + timedelta(days=31),
                "application_deadline": TODAY + timedelta(days=20),
                "fee_amount": Decimal("120"),
                "currency": concept(Scheme.CURRENCY, "EUR"),
            },
            {"start_date": TODAY + timedelta(days=200)},
        ],
    )
    # A title long enough, and far enough from ASCII, to be folded inside multi-byte text.
    long_title = "Saldatura a filo: corso base per principianti — è più facile così " * 3
    long = make_opportunity(
        title=long_title.strip(),
        eqf_level=eqf6,
        editions=[{"start_date": TODAY + timedelta(days=10)}],
    )
    self_paced = make_opportunity(
        title="First aid", eqf_level=eqf6, editions=[{"any_start_date": True}]
    )
    other_level = make_opportunity(
        title="Data science", editions=[{"start_date": TODAY + timedelta(days=5)}]
    )
    return welding, long, self_paced, other_level


def test_the_atom_feed_lists_the_search_newest_first(client, catalogue):
    welding, long, self_paced, _other = catalogue
    response = client.get(ATOM, {"eqf": "6"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "OCLO: EQF level 6"
    assert feed.feed.link == "http://testserver/?eqf=6"
    assert [entry.title for entry in feed.entries] == [
        self_paced.title,
        long.title,
        welding.title,
    ]
    entry = feed.entries[-1]
    assert entry.link == f"http://testserver/opportunities/{welding.pk}/"
    assert entry.author == welding.provider.name
    assert "Starts 1 Apr 2026 · €120" in entry.summary
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert self_link.href == "http://testserver/feeds/search.atom?eqf=6"


def test_the_calendar_has_each_coming_start_and_deadline(client, catalogue):
    _welding, long, _self_paced, _other = catalogue
    response = client.get(CALENDAR, {"eqf": "6"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["X-WR-CALNAME"]) == "OCLO: EQF level 6"
    events = {
        (str(event["SUMMARY"]), event.decoded("DTSTART")) for event in calendar.walk("VEVENT")
    }
    assert events == {
        (f"Starts: {long.title}", TODAY + timedelta(days=10)),
        ("Application deadline: Welding; basics, and more", TODAY + timedelta(days=20)),
        ("Starts: Welding; basics, and more", TODAY + timedelta(days=31)),
        ("Starts: Welding; basics, and more", TODAY + timedelta(days=200)),
    }
    # The past edition and the self-paced course have no date to remember.
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(set(uids)) == 4
    # Refreshing the feed gives the same events the same identity.
    again = icalendar.Calendar.from_ical(client.get(CALENDAR, {"eqf": "6"}).content)
    assert [str(event["UID"]) for event in again.walk("VEVENT")] == uids


def test_the_calendar_is_written_to_the_letter_of_rfc_5545(client, catalogue):
    raw = client.get(CALENDAR, {"eqf": "6"}).content
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # every line, the last too, ends with CRLF
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # folding never splits a character
    assert lines[0] == b"BEGIN:VCALENDAR" and b"VERSION:2.0" in lines
    for event in icalendar.Calendar.from_ical(raw).walk("VEVENT"):
        assert event["DTSTAMP"].dt.tzinfo is not None
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(days=1)
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Application deadline: Welding\\; basics\\, and more" in unfolded


def test_an_invalid_search_is_refused_with_its_reasons(client):
    for url in (ATOM, CALENDAR):
        response = client.get(url, {"price": "cheap"})
        assert response.status_code == 400
        assert "This search cannot be followed:" in response.text
        assert "price: Select a valid choice." in response.text


def test_every_search_page_links_its_feeds(client, catalogue):
    response = client.get(reverse("catalogue:search"), {"eqf": "6", "q": "welding"})
    html = response.content.decode()
    assert (
        f'href="{ATOM}?eqf=6&amp;q=welding"' in html or f'href="{ATOM}?q=welding&amp;eqf=6"' in html
    )
    page = text_of(response)
    assert "Follow this search: news feed (Atom) · starts and deadlines in your calendar" in page
    # A search with no result yet is worth following too.
    empty = text_of(client.get(reverse("catalogue:search"), {"q": "zzzqqq"}))
    assert "Follow this search" in empty
