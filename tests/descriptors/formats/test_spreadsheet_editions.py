"""The spreadsheet template holds one row per edition: rows with the same identifier are the
editions of one micro-credential."""

from datetime import date

import pytest

from descriptors.formats.spreadsheet import EXAMPLE_ROW, provider_rows
from descriptors.models import LearningOpportunity
from tests.builders import make_organisation
from tests.descriptors.formats.test_spreadsheet_import import csv_bytes, imported

pytestmark = pytest.mark.django_db

EDITION_ONLY = {
    name: ""
    for name in EXAMPLE_ROW
    if name not in {"provider_reference", "edition_reference", "start_date", "end_date"}
}


@pytest.fixture
def provider():
    return make_organisation("CIMEA", provider_type="public-body")


def edition_row(edition: str, start: str, end: str, **cells) -> dict:
    """A row that gives only an edition of CE-1 (its descriptors are on its first row)."""
    return {
        **EDITION_ONLY,
        "provider_reference": "CE-1",
        "edition_reference": edition,
        "start_date": start,
        "end_date": end,
        **cells,
    }


def first_row(**cells) -> dict:
    return {
        **EXAMPLE_ROW,
        "provider_reference": "CE-1",
        "title": "Credential evaluation",
        "edition_reference": "2026",
        "start_date": "2026-01-15",
        "end_date": "2026-05-15",
        "application_deadline": "2026-01-01",
        **cells,
    }


def editions_of(reference: str) -> list[tuple]:
    opportunity = LearningOpportunity.objects.get(provider_reference=reference)
    return [
        (edition.reference, edition.start_date, edition.places)
        for edition in opportunity.editions.order_by("start_date", "id")
    ]


def test_rows_with_one_identifier_are_one_micro_credential_with_its_editions(provider):
    rows = [
        first_row(places="60"),
        edition_row(
            "2027", "2027-01-18", "2027-05-17", places="80", fee_amount="950", currency="EUR"
        ),
    ]
    report = imported(csv_bytes(rows), provider)
    assert [(r.row, r.action) for r in report.rows] == [(2, "created"), (3, "created")]
    assert LearningOpportunity.objects.filter(provider=provider).count() == 1
    assert editions_of("CE-1") == [
        ("2026", date(2026, 1, 15), 60),
        ("2027", date(2027, 1, 18), 80),
    ]
    later = LearningOpportunity.objects.get().editions.get(reference="2027")
    assert str(later.fee_amount) == "950.00"


def test_a_bad_edition_row_is_rejected_alone(provider):
    rows = [
        first_row(),
        edition_row("2027", "2027-05-17", "2027-01-18"),
        edition_row("2028", "2028-01-17", "2028-05-15", edition_status="postponed"),
        edition_row("2029", "2029-01-15", "2029-05-14"),
    ]
    report = imported(csv_bytes(rows), provider)
    assert [(r.row, r.action) for r in report.rows] == [
        (2, "created"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "created"),
    ]
    problems = {r.row: [(p.column, p.message) for p in r.problems] for r in report.rows}
    assert problems[3] == [("end_date", "The end date cannot be before the start date.")]
    assert problems[4] == [
        (
            "edition_status",
            "Write planned, open, running, finished or cancelled, not 'postponed'.",
        )
    ]
    assert [reference for reference, _, _ in editions_of("CE-1")] == ["2026", "2029"]


def test_a_rejected_first_row_rejects_the_micro_credential_with_all_its_rows(provider):
    rows = [first_row(eqf_level="9"), edition_row("2027", "2027-01-18", "2027-05-17")]
    report = imported(csv_bytes(rows), provider)
    assert [r.action for r in report.rows] == ["rejected", "rejected"]
    assert report.rows[1].problems[0].message == (
        "Row 2, where this micro-credential is described, is rejected."
    )
    assert not LearningOpportunity.objects.exists()


def test_the_same_edition_twice_is_reported(provider):
    rows = [first_row(), edition_row("2026", "2026-02-01", "2026-06-01")]
    report = imported(csv_bytes(rows), provider)
    assert report.rows[1].action == "rejected"
    assert report.rows[1].problems[0].message.startswith("Already on row 2: the same edition")
    assert editions_of("CE-1") == [("2026", date(2026, 1, 15), 16)]


def test_a_reimport_of_one_new_edition_keeps_the_others(provider):
    imported(csv_bytes([first_row(), edition_row("2027", "2027-01-18", "2027-05-17")]), provider)
    opportunity = LearningOpportunity.objects.get()
    kept = opportunity.editions.get(reference="2026")
    kept.fee_note = "Reduced fee for ENIC-NARIC staff"  # no column for it: must survive
    kept.save()
    report = imported(csv_bytes([first_row(start_date="2026-01-19")]), provider)
    assert [r.action for r in report.rows] == ["updated"]
    assert [reference for reference, _, _ in editions_of("CE-1")] == ["2026", "2027"]
    kept.refresh_from_db()
    assert (kept.start_date, kept.fee_note) == (
        date(2026, 1, 19),
        "Reduced fee for ENIC-NARIC staff",
    )


def test_a_coded_row_names_the_uncoded_edition_that_starts_the_same_day(provider):
    imported(csv_bytes([first_row(edition_reference="")]), provider)
    fee_note_kept = LearningOpportunity.objects.get().editions.get()
    fee_note_kept.fee_note = "Reduced fee for ENIC-NARIC staff"
    fee_note_kept.save()
    report = imported(csv_bytes([first_row(edition_reference="SPRING-26")]), provider)
    assert [r.action for r in report.rows] == ["updated"]
    assert [edition[:2] for edition in editions_of("CE-1")] == [("SPRING-26", date(2026, 1, 15))]
    assert LearningOpportunity.objects.get().editions.get().fee_note == (
        "Reduced fee for ENIC-NARIC staff"
    )


def test_another_code_on_the_same_day_is_another_edition(provider):
    imported(csv_bytes([first_row()]), provider)
    imported(csv_bytes([first_row(edition_reference="2026-EVENING")]), provider)
    assert [reference for reference, _, _ in editions_of("CE-1")] == ["2026", "2026-EVENING"]


def test_export_writes_a_row_per_edition_and_imports_back_unchanged(provider):
    rows = [first_row(), edition_row("2027", "2027-01-18", "2027-05-17", places="80")]
    imported(csv_bytes(rows), provider)
    exported = provider_rows(provider)
    assert [(row["edition_reference"], row["start_date"]) for row in exported] == [
        ("2026", "2026-01-15"),
        ("2027", "2027-01-18"),
    ]
    assert exported[0]["title"] == exported[1]["title"] == "Credential evaluation"
    again = imported(csv_bytes(exported), provider)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]
