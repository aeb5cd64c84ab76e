"""Spreadsheets built to exhaust the server: each is refused with a message that says why,
before it is parsed where the limit allows (the memory figures: ``python -m bench faults``)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from bench.faults import xlsx_with_a_cell_in_column_xfd, xlsx_with_a_huge_shared_string
from descriptors.formats import spreadsheet
from descriptors.formats.spreadsheet import (
    COLUMN_NAMES,
    EXAMPLE_ROW,
    SpreadsheetError,
    dump_template_csv,
    read_rows,
)
from descriptors.imports import spreadsheet_import_run
from descriptors.models import LearningOpportunity, SpreadsheetImport
from tests.builders import make_organisation, make_provider_user

pytestmark = pytest.mark.django_db

UNPACKS_TOO_LARGE = (
    "This XLSX file unpacks to 40 MB in xl/sharedStrings.xml (at most 32 MB are read): split "
    "it into smaller files."
)
CELL_TOO_LONG = (
    "Row {row} has a cell longer than 32,767 characters (the most a spreadsheet cell holds): "
    "is this the right file?"
)


@pytest.fixture
def provider():
    return make_organisation("Leica Camera Italia", provider_type="company")


def upload(client, provider, raw: bytes, name: str):
    client.force_login(make_provider_user(provider))
    file = io.BytesIO(raw)
    file.name = name
    return client.post(
        reverse("admin:descriptors_learningopportunity_import"),
        {"file": file, "provider": provider.pk},
    )


def test_an_xlsx_that_unpacks_to_a_huge_shared_string_is_refused_at_upload(client, provider):
    response = upload(client, provider, xlsx_with_a_huge_shared_string(40), "offer.xlsx")
    assert response.context["form"].errors["file"] == [UNPACKS_TOO_LARGE]
    assert not SpreadsheetImport.objects.exists()


def test_the_worker_refuses_it_too_and_says_why(provider):
    job = SpreadsheetImport.objects.create(
        provider=provider,
        file_name="offer.xlsx",
        content=xlsx_with_a_huge_shared_string(40),
    )
    spreadsheet_import_run(job)
    job.refresh_from_db()
    assert (job.status, job.error) == (SpreadsheetImport.Status.FAILED, UNPACKS_TOO_LARGE)


def test_a_shared_string_longer_than_a_cell_can_hold_is_refused(provider):
    raw = xlsx_with_a_huge_shared_string(1)  # within the part limit, beyond a cell's
    # The upload check reads the header only; the worker meets the cell.
    spreadsheet.spreadsheet_check(raw, "offer.xlsx")
    with pytest.raises(SpreadsheetError) as error:
        list(read_rows(raw, "offer.xlsx"))
    assert str(error.value) == CELL_TOO_LONG.format(row=2)


def test_a_cell_in_the_last_column_does_not_widen_the_rows(provider):
    rows = list(read_rows(xlsx_with_a_cell_in_column_xfd(3), "offer.xlsx"))
    assert [number for number, _ in rows] == [2, 3, 4]
    assert all(list(cells) == list(COLUMN_NAMES) for _, cells in rows)


def test_a_cell_in_the_last_row_is_refused_without_reading_a_million_empty_rows():
    workbook = Workbook()
    workbook.active.append(COLUMN_NAMES)
    workbook.active.append([EXAMPLE_ROW[name] for name in COLUMN_NAMES])
    workbook.active.cell(row=1_048_576, column=16_384, value="the very end")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(SpreadsheetError) as error:
        list(read_rows(buffer.getvalue(), "offer.xlsx"))
    assert str(error.value) == (
        "The sheet goes on past row 100,000: delete the rows after your data, or split the "
        "file (at most 20,000 rows)."
    )


def test_a_header_wider_than_any_template_is_refused(client, provider):
    raw = dump_template_csv([EXAMPLE_ROW]).replace(b"outcomes", b"outcomes" + b",extra" * 100)
    response = upload(client, provider, raw, "offer.csv")
    assert response.context["form"].errors["file"] == [
        f"The header row has more than 100 columns (the template has {len(COLUMN_NAMES)}): "
        "is this the right file?"
    ]


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    rows = [{**EXAMPLE_ROW, "provider_reference": f"R-{index}"} for index in range(4)]
    with pytest.raises(SpreadsheetError) as error:
        list(read_rows(dump_template_csv(rows), "offer.csv"))
    assert str(error.value) == "The file has more than 3 rows: split it into several files."


def test_a_5_mb_csv_cell_is_a_clear_refusal_at_upload_and_in_the_command(
    client, provider, tmp_path
):
    huge = {**EXAMPLE_ROW, "description": "x" * 5_000_000}
    response = upload(client, provider, dump_template_csv([huge]), "offer.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [CELL_TOO_LONG.format(row=2)]

    # Further down the file it is the worker, or the command, that meets it.
    rows = [{**EXAMPLE_ROW, "provider_reference": f"R-{index}"} for index in range(3)]
    path = tmp_path / "offer.csv"
    path.write_bytes(dump_template_csv([*rows, huge]))
    with pytest.raises(CommandError) as error:
        call_command("import_opportunities", str(path), "--provider", provider.name)
    assert str(error.value) == CELL_TOO_LONG.format(row=5)
    assert not LearningOpportunity.objects.exists()


def test_a_csv_row_of_millions_of_separators_is_refused():
    # Line 4: the example row's outcomes cell spans lines 2 and 3.
    raw = dump_template_csv([EXAMPLE_ROW]) + b"," * 2_000_000 + b"\r\n"
    with pytest.raises(SpreadsheetError) as error:
        list(read_rows(raw, "offer.csv"))
    assert str(error.value) == ("Line 4 has more than 10,000 separators: is this the right file?")
