"""Conversion of the FutureLearn catalogue CSV (``shared/data/courses``) to our template.

The source has none of the ECCOE essentials (no outcomes, level, credits, language), so the
rows become drafts for the provider to complete. Its quirks are handled here (repeated header
rows, prices in either of two columns, ``€23.99,/month``) or left for the import to report
(duplicated titles share an identifier and are reported as repeats; unreadable durations).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from descriptors.formats.spreadsheet import SpreadsheetError

# FutureLearn subjects -> ISCED-F 2013 fields.
CATEGORY_FIELDS = {
    "Business & Management": "041",
    "Healthcare & Medicine": "091",
    "Teaching": "011",
    "IT & Computer Science": "061",
    "Nature & Environment": "052",
    "Creative Arts & Media": "021",
    "Language": "023",
    "Psychology & Mental Health": "0313",
    "Science, Engineering & Maths": "05",
    "Politics & Society": "031",
    "Study Skills": "0011",
    "History": "0222",
    "Law": "042",
    "Literature": "0232",
}
PRICE = re.compile(r"€\s*(?P<amount>\d+(?:[.,]\d+)?)")
NUMBER = re.compile(r"^\s*(\d+)\s+(?:weeks?|hours?)\s*$")


def _price(*cells: str) -> tuple[str, str]:
    """(is_free, fee) from whichever column holds the price."""
    for cell in cells:
        if cell.strip().lower() == "free":
            return "yes", ""
        match = PRICE.search(cell)
        if match:
            return "no", match["amount"].replace(",", ".")
    return "no", ""


def _workload(duration: str, weekly: str) -> str:
    weeks, hours = NUMBER.match(duration or ""), NUMBER.match(weekly or "")
    if weeks and hours:
        return str(int(weeks[1]) * int(hours[1]))
    # Left as written: the import reports it as not a whole number of hours.
    return f"{duration} x {weekly}" if (duration or weekly) else ""


@dataclass
class Conversion:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def futurelearn_convert(raw: bytes) -> Conversion:
    """Template rows numbered as lines of the source file, and the lines left out."""
    conversion = Conversion()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    try:
        for number, source in enumerate(reader, start=2):
            _convert_row(conversion, number, source)
    except csv.Error as error:  # a cell beyond the csv module's 128 KB limit, a stray NUL
        raise SpreadsheetError(
            f"Line {reader.line_num} of the FutureLearn file is not readable ({error})."
        ) from error
    return conversion


def _convert_row(conversion: Conversion, number: int, source: dict[str, str]) -> None:
    if source.get("name") == "name" and source.get("category") == "category":
        conversion.skipped.append((number, "A repeated header row, not a course."))
        return
    title = (source.get("name") or "").strip()
    organisation = (source.get("organization") or "").strip()
    is_free, fee = _price(source.get("subscription_type", ""), source.get("subscription_value", ""))
    category = (source.get("category") or "").strip()
    conversion.rows.append(
        (
            number,
            {
                "provider_reference": "FL-" + slugify(title)[:80] if title else "",
                "title": title,
                "status": "draft",
                "description": f"Offered by {organisation} on FutureLearn." if organisation else "",
                "default_language": "en",
                "languages": "en",
                "modes": "online",
                "isced_fields": CATEGORY_FIELDS.get(category, category),
                "workload_hours": _workload(
                    source.get("duration", ""), source.get("weekly_study", "")
                ),
                "any_start_date": "yes",
                "is_free": is_free,
                "fee_amount": fee,
                "currency": "EUR" if fee else "",
            },
        )
    )
