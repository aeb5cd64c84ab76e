"""CSV of learning opportunities with a frozen column order (documented in the README).

Columns are only ever appended, never reordered or renamed, so that spreadsheets and scripts
built on an export keep working. Cells that a spreadsheet would run as a formula are
neutralised with a leading apostrophe (CSV injection).
"""

import csv
import io
from collections.abc import Callable, Iterable

from descriptors.models import LearningOpportunity

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _codes(items) -> str:
    return ";".join(item.code for item in items.all())


def _edition_value(opportunity: LearningOpportunity, value: Callable) -> object:
    edition = opportunity.headline_edition
    return "" if edition is None else value(edition)


def _optional(value, template: str) -> str:
    return "" if value is None else template.format(value)


COLUMNS: tuple[tuple[str, Callable[[LearningOpportunity], object]], ...] = (
    ("id", lambda o: o.pk),
    ("provider_reference", lambda o: o.provider_reference),
    ("title", lambda o: o.title),
    ("provider", lambda o: o.provider.name),
    ("provider_country", lambda o: o.provider.country.code),
    ("type", lambda o: o.opportunity_type.label if o.opportunity_type else ""),
    ("eqf_level", lambda o: o.eqf_level_id or ""),
    ("isced_f", lambda o: ";".join(field.code for field in o.isced_fields.all())),
    ("ects_credits", lambda o: "" if o.ects_credits is None else f"{o.ects_credits.normalize():f}"),
    ("workload_hours", lambda o: o.workload_hours or ""),
    ("languages", lambda o: _codes(o.languages)),
    ("modes", lambda o: ";".join(mode.label for mode in o.modes.all())),
    # Dates and fees: of the edition a card shows (the next one, else the latest that ran).
    ("free", lambda o: _edition_value(o, lambda e: "yes" if e.is_free else "no")),
    ("fee_amount", lambda o: _edition_value(o, lambda e: _optional(e.fee_amount, "{:.2f}"))),
    ("currency", lambda o: _edition_value(o, lambda e: e.currency.code if e.currency else "")),
    ("any_start_date", lambda o: _edition_value(o, lambda e: "yes" if e.any_start_date else "no")),
    ("start_date", lambda o: _edition_value(o, lambda e: _optional(e.start_date, "{:%Y-%m-%d}"))),
    ("end_date", lambda o: _edition_value(o, lambda e: _optional(e.end_date, "{:%Y-%m-%d}"))),
    ("homepage", lambda o: o.homepage),
    ("modified", lambda o: o.modified.isoformat(timespec="seconds")),
)


def formula_safe(value: object) -> object:
    """A cell a spreadsheet would run as a formula becomes text (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def dump_csv(opportunities: Iterable[LearningOpportunity]) -> str:
    """UTF-8 CSV text, header first (use ``with_card_data()`` on the queryset)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(name for name, _ in COLUMNS)
    for opportunity in opportunities:
        writer.writerow(formula_safe(value(opportunity)) for _, value in COLUMNS)
    return buffer.getvalue()
