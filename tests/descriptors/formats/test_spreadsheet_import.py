"""Spreadsheet import: template round trip, per-row errors, idempotence, scoping, quirks."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalogue.models import CatalogueChange
from descriptors import imports
from descriptors.formats.futurelearn import futurelearn_convert
from descriptors.formats.spreadsheet import (
    COLUMN_NAMES,
    EXAMPLE_ROW,
    SpreadsheetError,
    dump_template_csv,
    dump_template_xlsx,
    provider_rows,
    read_rows,
)
from descriptors.imports import opportunities_import, spreadsheet_import_run
from descriptors.models import LearningOpportunity, SpreadsheetImport
from taxonomies.loaders import taxonomies_load
from tests.builders import make_opportunity, make_organisation, make_provider_user

pytestmark = pytest.mark.django_db


def csv_bytes(rows: list[dict], *, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(reference: str, **cells) -> dict:
    return {**EXAMPLE_ROW, "provider_reference": reference, "title": f"Course {reference}", **cells}


def imported(raw: bytes, provider, name="file.csv", **options):
    return opportunities_import(read_rows(raw, name), provider=provider, **options)


@pytest.fixture
def provider():
    return make_organisation("Leica Camera Italia", provider_type="company")


def test_good_rows_land_and_each_bad_row_is_reported(provider):
    rows = [
        row("OK-1"),
        row("BAD-LEVEL", eqf_level="9"),
        row("OK-2", ects_credits="2,5", languages="inglese; ITALIANO"),  # Italian labels, case
        row(
            "BAD-MANY",
            isced_fields="Histroy and archeology",
            languages="Klingon",
            start_date="31/02/2027",
        ),
        row("BAD-DATES", start_date="2027-05-01", end_date="2027-04-01"),
        row("OK-1", title="Repeated identifier"),
    ]
    report = imported(csv_bytes(rows), provider)
    assert [(r.row, r.action) for r in report.rows] == [
        (2, "created"),
        (3, "rejected"),
        (4, "created"),
        (5, "rejected"),
        (6, "rejected"),
        (7, "rejected"),
    ]
    problems = {r.row: [(p.column, p.value, p.message) for p in r.problems] for r in report.rows}
    assert problems[3] == [("eqf_level", "9", "'9' is not an EQF level (1-8).")]
    assert problems[5] == [
        ("languages", "Klingon", "'Klingon' is not a known value."),
        (
            "isced_fields",
            "Histroy and archeology",
            "'Histroy and archeology' is not an ISCED-F 2013 field."
            " Did you mean 'history and archaeology'?",
        ),
        ("start_date", "31/02/2027", "'31/02/2027' is not a date; write YYYY-MM-DD."),
    ]
    assert problems[6] == [("end_date", "", "The end date cannot be before the start date.")]
    # A second row with OK-1's identifier is an edition of OK-1 and cannot retitle it.
    assert problems[7] == [
        (
            "title",
            "Repeated identifier",
            "Row 2 says otherwise: a micro-credential's descriptors are read from its first "
            "row; leave them empty on the rows of its other editions.",
        )
    ]
    saved = LearningOpportunity.objects.filter(provider=provider).order_by("provider_reference")
    assert [o.provider_reference for o in saved] == ["OK-1", "OK-2"]
    second = saved.get(provider_reference="OK-2")
    assert str(second.ects_credits) == "2.50"
    assert sorted(second.languages.values_list("code", flat=True)) == ["ENG", "ITA"]
    assert [o.title for o in second.outcomes.all()] == [
        "Compose street photographs",
        "Edit a photographic series",
    ]
    assert second.outcomes.first().skills.count() == 2
    # Nothing of a rejected row was written, not even partly.
    assert not LearningOpportunity.objects.filter(provider_reference__startswith="BAD").exists()


def test_a_row_reports_every_problem_it_has_at_once(provider):
    """One upload shows all that is wrong with a row: a cell that cannot be read, an edition
    that ends before it starts and a malformed address, not one kind per upload."""
    bad = row(
        "BAD-1",
        ects_credits="abc",
        start_date="2027-03-01",
        end_date="2027-02-01",
        homepage="not a url",
    )
    report = imported(csv_bytes([bad]), provider)
    (result,) = report.rows
    assert result.action == "rejected"
    columns = {problem.column: problem.message for problem in result.problems}
    assert columns["ects_credits"] == "'abc' is not a number."
    assert columns["end_date"] == "The end date cannot be before the start date."
    assert "homepage" in columns
    assert not LearningOpportunity.objects.filter(provider_reference="BAD-1").exists()


def test_reimport_is_a_no_op_and_an_edit_updates(provider):
    raw = csv_bytes([row("A-1"), row("A-2")])
    assert imported(raw, provider).summary == "2 created, 0 updated, 0 unchanged, 0 rejected"
    first = LearningOpportunity.objects.get(provider_reference="A-1")
    modified, history = first.modified, first.history.count()
    assert imported(raw, provider).summary == "0 created, 0 updated, 2 unchanged, 0 rejected"
    first.refresh_from_db()
    assert (first.modified, first.history.count()) == (modified, history)
    edited = csv_bytes([row("A-1", title="Renamed"), row("A-2")])
    assert imported(edited, provider).summary == "0 created, 1 updated, 1 unchanged, 0 rejected"
    first.refresh_from_db()
    assert first.title == "Renamed"
    assert LearningOpportunity.objects.filter(provider=provider).count() == 2
    assert first.history.first().history_change_reason == "spreadsheet import"


def test_dry_run_reports_exactly_and_writes_nothing(provider):
    raw = csv_bytes([row("D-1"), row("D-2", eqf_level="x")])
    preview = imported(raw, provider, dry_run=True)
    assert preview.summary == "1 created, 0 updated, 0 unchanged, 1 rejected"
    assert not LearningOpportunity.objects.exists()
    assert imported(raw, provider).summary == preview.summary


@pytest.mark.parametrize("name", ["records.csv", "records.xlsx"])
def test_export_edit_import_round_trips(provider, name):
    imported(
        csv_bytes(
            [row("R-1"), row("R-2", status="published", is_free="yes", fee_amount="", currency="")]
        ),
        provider,
    )
    dump = dump_template_xlsx if name.endswith("xlsx") else dump_template_csv
    exported = dump(provider_rows(provider))
    assert imported(exported, provider, name).summary == (
        "0 created, 0 updated, 2 unchanged, 0 rejected"
    )
    other = make_organisation("Another provider")
    copy = imported(exported, other, name)
    assert copy.summary == "2 created, 0 updated, 0 unchanged, 0 rejected"
    assert provider_rows(other) == provider_rows(provider)


def test_grants_are_one_per_line_and_a_bad_one_rejects_its_record(provider):
    """name | who can get it | web page, the last two optional; a bad web page rejects the
    record; a file without the column leaves the grants as they are."""
    grants = (
        "Regional training voucher | Residents of Lazio | https://example.org/voucher\n"
        "Erasmus+ scholarship\n"
        "Company training fund |  | https://example.org/fund"
    )
    report = imported(
        csv_bytes(
            [
                row("G-1", grants=grants),
                row("G-2", grants="Loan | For anyone | example.org/loan"),
                row("G-3", grants="Bursary | Learners from A|B schools | https://example.org | x"),
                row("G-4", grants="Bursary | Learners from A|B schools |"),
            ]
        ),
        provider,
    )
    assert [r.action for r in report.rows] == ["created", "rejected", "rejected", "created"]
    assert [[(p.column, p.message) for p in r.problems] for r in report.rows[1:3]] == [
        [("grants", "Grant 'Loan': homepage: Enter a valid URL.")],
        [("grants", "Grant 'Bursary': homepage: Enter a valid URL.")],
    ]
    # Who can get it may hold a |: the web page is what follows the last one.
    bursary = LearningOpportunity.objects.get(provider_reference="G-4").grants.get()
    assert (bursary.description, bursary.homepage) == ("Learners from A|B schools", "")
    assert provider_rows(provider)[1]["grants"] == "Bursary | Learners from A|B schools |"
    course = LearningOpportunity.objects.get(provider_reference="G-1")
    assert list(course.grants.values_list("title", "description", "homepage")) == [
        ("Regional training voucher", "Residents of Lazio", "https://example.org/voucher"),
        ("Erasmus+ scholarship", "", ""),
        ("Company training fund", "", "https://example.org/fund"),
    ]
    assert provider_rows(provider)[0]["grants"] == grants
    without_column = {name: text for name, text in row("G-1").items() if name != "grants"}
    assert imported(csv_bytes([without_column]), provider).summary == (
        "0 created, 0 updated, 1 unchanged, 0 rejected"
    )
    assert course.grants.count() == 3


def test_xlsx_template_documents_columns_and_allowed_values(db):
    workbook = load_workbook(io.BytesIO(dump_template_xlsx([EXAMPLE_ROW])))
    assert workbook.sheetnames == ["opportunities", "columns", "allowed values"]
    header = [cell.value for cell in workbook["opportunities"][1]]
    assert tuple(header) == COLUMN_NAMES
    allowed = {(r[0].value, r[1].value) for r in workbook["allowed values"].iter_rows(min_row=2)}
    assert ("languages", "ITA") in allowed and ("eqf_level", "6") in allowed
    required = {r[0].value for r in workbook["columns"].iter_rows(min_row=2) if r[1].value}
    assert required == {
        "provider_reference",
        "title",
        "default_language",
        "languages",
        "isced_fields",
    }


def test_encodings_separators_excel_dates_and_formula_cells(provider):
    latin1 = csv_bytes([row("E-1", title="Città e caffè")], delimiter=";", encoding="cp1252")
    assert imported(latin1, provider).count("created") == 1
    assert LearningOpportunity.objects.get(provider_reference="E-1").title == "Città e caffè"
    bom = b"\xef\xbb\xbf" + csv_bytes([row("E-2", start_date="46447")])  # Excel serial date
    assert imported(bom, provider).count("created") == 1
    excel_dated = LearningOpportunity.objects.get(provider_reference="E-2").editions.get()
    assert str(excel_dated.start_date) == "2027-03-01"
    imported(csv_bytes([row("E-3", title='=HYPERLINK("http://evil")')]), provider)
    exported = dump_template_csv(provider_rows(provider)).decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    with pytest.raises(SpreadsheetError, match="lacks required columns: title"):
        list(read_rows(b"provider_reference\nX\n", "x.csv"))


@pytest.mark.heavy
def test_real_futurelearn_catalogue_imports_the_valid_rows_and_reports_the_rest(
    provider, shared_dir
):
    raw = (shared_dir / "data" / "courses" / "futurelearn-courses.csv").read_bytes()
    conversion = futurelearn_convert(raw)
    assert [reason for _, reason in conversion.skipped] == [
        "A repeated header row, not a course."
    ] * 5
    report = opportunities_import(conversion.rows, provider=provider)
    created = report.count("created")
    rejected = [r for r in report.rows if r.action == "rejected"]
    assert created + len(rejected) == 1811
    assert created == LearningOpportunity.objects.filter(provider=provider).count()
    titles = set(LearningOpportunity.objects.values_list("title", flat=True))
    assert len(titles) == created  # duplicated titles were not imported twice
    reasons = {p.message for r in rejected for p in r.problems}
    assert any(message.startswith("Already on row") for message in reasons)
    assert "Ensure this value is greater than or equal to 1." in reasons  # "0 hours" a week
    fee = LearningOpportunity.objects.get(title="Understanding Autism").editions.get().fee_amount
    assert str(fee) == "23.99"  # price found whichever column it is in
    again = opportunities_import(conversion.rows, provider=provider)
    assert (again.count("created"), again.count("unchanged")) == (0, created)


def run_worker():
    """The task worker, as `python manage.py task_worker` runs it, until the queue is empty."""
    call_command("task_worker", "--batch", "--no-startup-delay", "--no-reload")


@pytest.mark.django_db(transaction=True)  # the worker opens its own transactions
def test_admin_upload_previews_in_the_worker_then_imports_and_refuses_other_providers(client):
    taxonomies_load()
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    other = make_organisation("Another provider")
    client.force_login(make_provider_user(provider))
    url = reverse("admin:descriptors_learningopportunity_import")

    def upload(raw: bytes, owner):
        file = io.BytesIO(raw)
        file.name = "offer.csv"
        return client.post(url, {"file": file, "provider": owner.pk})

    raw = csv_bytes([row("U-1"), row("U-2", eqf_level="12")])
    refused = upload(raw, other)
    assert "Select a valid choice" in str(refused.context["form"].errors["provider"])
    unreadable = upload(b"title\nNo identifier column\n", provider)
    assert unreadable.context["form"].errors["file"] == [
        "The header row lacks required columns: provider_reference, default_language,"
        " languages, isced_fields. Download the template to see them."
    ]

    status_url = upload(raw, provider).url
    waiting = client.get(status_url)
    assert "Waiting for the worker" in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text  # the page follows the progress
    run_worker()
    preview = client.get(status_url)
    assert "Done: 2 of 2 rows" in preview.text
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in preview.text
    assert "&#x27;12&#x27; is not an EQF level (1-8)." in preview.text
    assert '<meta http-equiv="refresh"' not in preview.text
    assert not LearningOpportunity.objects.exists()

    assert "Waiting for the worker" in client.post(status_url, follow=True).text
    run_worker()
    done = client.get(status_url)
    assert "Import – offer.csv" in done.text
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in done.text
    assert "Import the rows that are not rejected" not in done.text  # not twice
    assert list(LearningOpportunity.objects.values_list("provider_reference", flat=True)) == ["U-1"]
    assert "offer.csv" in client.get(url).text  # listed among the recent imports

    client.force_login(make_provider_user(other))
    assert client.get(status_url).status_code == 404
    template = client.get(reverse("admin:descriptors_learningopportunity_template", args=["csv"]))
    assert template.content.decode("utf-8-sig").startswith("provider_reference,title,")


def test_command_reports_rows_and_summary(provider, tmp_path, capsys):
    path = tmp_path / "offer.csv"
    path.write_bytes(csv_bytes([row("C-1"), row("C-2", workload_hours="ten")]))
    call_command("import_opportunities", str(path), "--provider", provider.name)
    out = capsys.readouterr().out
    assert "row 3, workload_hours: 'ten': 'ten' is not a number." in out
    assert out.strip().endswith("1 created, 0 updated, 0 unchanged, 1 rejected")


def search_titles(client, query: str) -> list[str]:
    response = client.get(reverse("catalogue:search"), {"q": query})
    return [opportunity.title for opportunity in response.context["result"].opportunities]


def test_imports_reach_search_and_the_changes_feed(client, provider):
    imported(csv_bytes([row("S-1", title="Darkroom printing", status="published")]), provider)
    assert search_titles(client, "darkroom") == ["Darkroom printing"]
    record = LearningOpportunity.objects.get(provider_reference="S-1")
    edited = row(
        "S-1",
        title="Cyanotype printing",
        status="published",
        languages="Italian",
        outcomes="Print a cyanotype [photography]",
    )
    assert imported(csv_bytes([edited]), provider).count("updated") == 1
    assert search_titles(client, "darkroom") == []
    assert search_titles(client, "cyanotype") == ["Cyanotype printing"]
    record.refresh_from_db()
    assert list(record.languages.values_list("code", flat=True)) == ["ITA"]
    assert [
        (o.title, [s.preferred_label for s in o.skills.all()]) for o in record.outcomes.all()
    ] == [("Print a cyanotype", ["photography"])]
    imported(csv_bytes([{**edited, "status": "draft"}]), provider)
    assert search_titles(client, "cyanotype") == []
    kinds = CatalogueChange.objects.filter(opportunity_id=record.pk).order_by("pk")
    assert list(kinds.values_list("kind", flat=True)) == ["created", "updated", "unpublished"]


def test_history_records_each_row_once_with_its_languages(provider):
    imported(csv_bytes([row("H-1", languages="English; english; Italian")]), provider)
    record = LearningOpportunity.objects.get(provider_reference="H-1")
    assert sorted(record.languages.values_list("code", flat=True)) == ["ENG", "ITA"]  # once each
    imported(csv_bytes([row("H-1", languages="French")]), provider)
    created, updated = record.history.order_by("history_id")
    assert (created.history_type, updated.history_type) == ("+", "~")
    codes = [
        sorted(entry.languages.values_list("concept__code", flat=True))
        for entry in (created, updated)
    ]
    assert codes == [["ENG", "ITA"], ["FRA"]]


def test_a_row_whose_identifier_was_taken_meanwhile_is_rejected_alone(provider, monkeypatch):
    """Another writer (the admin, a second import) creates a record between the moment a
    chunk was checked and its write: the chunk is retried row by row, and only that row fails."""
    monkeypatch.setattr("descriptors.imports.CHUNK", 2)
    write = imports.opportunities_bulk_save

    def someone_else_creates_t3(**kwargs):
        references = [w.opportunity.provider_reference for w in kwargs["writes"]]
        if "T-3" in references and not LearningOpportunity.objects.filter(provider_reference="T-3"):
            make_opportunity(provider, provider_reference="T-3", title="Entered meanwhile")
        return write(**kwargs)

    monkeypatch.setattr("descriptors.imports.opportunities_bulk_save", someone_else_creates_t3)
    report = imported(csv_bytes([row(f"T-{number}") for number in range(1, 5)]), provider)
    assert [(r.reference, r.action) for r in report.rows] == [
        ("T-1", "created"),
        ("T-2", "created"),
        ("T-3", "rejected"),
        ("T-4", "created"),
    ]
    assert [p.message for p in report.rows[2].problems] == [
        "This provider already has an opportunity with this identifier."
    ]
    assert LearningOpportunity.objects.get(provider_reference="T-3").title == "Entered meanwhile"


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_unexpected_error_ends_the_job_as_failed_with_a_reason(provider, monkeypatch, dry_run):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("descriptors.imports.opportunities_import", broken)
    job = SpreadsheetImport.objects.create(
        provider=provider, file_name="f.csv", content=csv_bytes([row("E-1")]), dry_run=dry_run
    )
    with pytest.raises(RuntimeError):  # raised again for the worker's log
        spreadsheet_import_run(job)
    job.refresh_from_db()
    assert job.status == SpreadsheetImport.Status.FAILED and job.finished is not None
    assert job.error.startswith(
        "An unexpected error stopped the preview"
        if dry_run
        else "An unexpected error stopped the import"
    )


def test_a_stalled_job_says_so_and_can_be_run_again(
    client, provider, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from descriptors.tasks import spreadsheet_import_start

    client.force_login(make_provider_user(provider))
    job = spreadsheet_import_start(
        provider=provider, uploaded_by=None, file_name="f.csv", content=csv_bytes([row("S-1")])
    )
    status_url = reverse("admin:descriptors_learningopportunity_import_status", args=[job.pk])
    assert "import-stalled" not in client.get(status_url).text
    refused = client.post(status_url, {"action": "retry"}, follow=True)
    assert "Only a job that has stopped making progress can be run again." in refused.text

    # The worker that took it died mid-way: no sign of life for longer than the limit.
    SpreadsheetImport.objects.filter(pk=job.pk).update(
        status=SpreadsheetImport.Status.RUNNING,
        rows_done=1,
        updated=timezone.now() - timedelta(minutes=SpreadsheetImport.STALLED_AFTER_MINUTES + 1),
    )
    stalled = client.get(status_url).text
    assert "No progress for over 10 minutes" in stalled and 'value="retry"' in stalled
    queued_before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(status_url, {"action": "retry"})
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.is_stalled) == ("queued", 0, False)
    assert DBTaskResult.objects.count() == queued_before + 1  # handed to the worker again


def test_preview_suggests_skills_for_outcomes_without_any_and_links_none(client, provider):
    outcomes = "Compose street photographs [photography]\nUse lighting techniques in a studio"
    raw = csv_bytes([row("S-1", outcomes=outcomes)])
    job = SpreadsheetImport.objects.create(
        provider=provider, file_name="offer.csv", content=raw, dry_run=True
    )
    spreadsheet_import_run(job)
    job.refresh_from_db()

    # Only the outcome without skills gets suggestions, with the words that led to each.
    [suggested] = job.skill_suggestions
    assert suggested["row"] == 2 and suggested["outcome"] == "Use lighting techniques in a studio"
    first = suggested["skills"][0]
    assert first["label"] == "lighting techniques" and first["words"] == ["lighting", "techniques"]
    assert not LearningOpportunity.objects.exists()

    client.force_login(make_provider_user(provider))
    status_url = reverse("admin:descriptors_learningopportunity_import_status", args=[job.pk])
    page = client.get(status_url).text
    assert "Skills suggested for outcomes without skills" in page
    assert first["uri"] in page

    job.dry_run = False
    spreadsheet_import_run(job)
    job.refresh_from_db()
    imported_outcomes = LearningOpportunity.objects.get().outcomes.order_by("position")
    assert [outcome.skills.count() for outcome in imported_outcomes] == [1, 0]
    assert job.skill_suggestions == []  # the import itself suggests nothing
