"""iCalendar (RFC 5545) for the calendar feed of a search: all-day events, written by hand.

A few lines of a text format do not need a dependency, but the rules must be kept exactly:
CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character, each continuation
starting with one space), TEXT values escaped (backslash, semicolon, comma, newline) and free
of control characters, a UID per event that stays the same on every refresh, and a DTSTAMP in
UTC. ``tests/catalogue/test_feeds.py`` reads the output back with the ``icalendar`` package.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
LINE_OCTETS = 75
PRODID = "-//OCLO//Catalogue of micro-credentials//EN"
# Calendar apps that honour it re-read the feed twice a day (RFC 7986 REFRESH-INTERVAL).
REFRESH = "PT12H"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event: an edition's start or its application deadline."""

    uid: str
    day: date
    summary: str
    description: str
    url: str
    stamp: datetime  # when what it says last changed


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped; other
    control characters, which the format forbids, dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = CONTROL_CHARACTERS.sub("", value)
    for character, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(character, escaped)
    return value


def fold(line: str) -> str:
    """A content line folded to at most 75 octets per physical line (RFC 5545 3.1)."""
    if len(line.encode()) <= LINE_OCTETS:
        return line
    pieces, piece, octets = [], "", 0
    for character in line:
        size = len(character.encode())
        if octets + size > LINE_OCTETS:
            pieces.append(piece)
            piece, octets = "", 1  # the continuation's leading space counts
        piece += character
        octets += size
    pieces.append(piece)
    return (CRLF + " ").join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _event_lines(event: CalendarEvent) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"LAST-MODIFIED:{_utc(event.stamp)}",
        f"DTSTART;VALUE=DATE:{_day(event.day)}",
        # All-day: DTEND is the next day, exclusive (RFC 5545 3.6.1).
        f"DTEND;VALUE=DATE:{_day(event.day + timedelta(days=1))}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"URL:{event.url}",
        # A date to remember, not a time to block in the learner's diary.
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def dump_calendar(*, name: str, url: str, events: Iterable[CalendarEvent]) -> str:
    """A VCALENDAR of the events, as the text to serve (``text/calendar``)."""
    name = escape_text(name)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"SOURCE;VALUE=URI:{url}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for event in events:
        lines.extend(_event_lines(event))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
