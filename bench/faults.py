"""Hostile input: what it costs the server (issue 20).

- Spreadsheets built to exhaust the task worker: a small XLSX whose one shared string unpacks
  to 300 MB, and one with a cell in column XFD (the last), which made the reader pad every row
  to 16,384 cells. Each is read in a fresh process, as the worker would; its peak memory is
  printed (and how it was refused).
- A search page request with 1,000 query parameters (it once held a worker for 22 s), and how
  long a throttled (429) API request takes.
- The running system (``bench.outages``): 4x its rated load, its database stopped and started
  again, and a soak (``--soak-minutes``, default 2; 30 for the long one).
"""

import io
import os
import subprocess
import sys
import time
import zipfile

from openpyxl import Workbook

from descriptors.formats.spreadsheet import COLUMN_NAMES, EXAMPLE_ROW, MAX_ROWS

PLACEHOLDER = "__HUGE__"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(rows: list[dict[str, str]]) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMN_NAMES)
    for row in rows:
        sheet.append([row.get(name, "") for name in COLUMN_NAMES])
    return workbook


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx_with_a_huge_shared_string(megabytes: int) -> bytes:
    """A template row whose title is one shared string of ``megabytes`` MB (a few hundred KB
    once compressed). openpyxl writes inline strings: the shared string is patched in."""
    buffer = io.BytesIO()
    _workbook([{**EXAMPLE_ROW, "title": PLACEHOLDER}]).save(buffer)
    source = zipfile.ZipFile(buffer)
    patches = {
        "xl/worksheets/sheet1.xml": (
            f'<c r="B2" t="inlineStr"><is><t>{PLACEHOLDER}</t></is></c>',
            '<c r="B2" t="s"><v>0</v></c>',
        ),
        "xl/_rels/workbook.xml.rels": (
            "</Relationships>",
            f'<Relationship Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml" '
            'Id="rIdStrings"/></Relationships>',
        ),
        "[Content_Types].xml": (
            "</Types>",
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}"/></Types>',
        ),
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            text = source.read(part.filename).decode()
            if part.filename in patches:
                old, new = patches[part.filename]
                assert old in text, part.filename
                text = text.replace(old, new)
            archive.writestr(part.filename, text)
        with archive.open("xl/sharedStrings.xml", "w") as stream:
            stream.write(f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode())
            chunk = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                stream.write(chunk)
            stream.write(b"</t></si></sst>")
    return output.getvalue()


def xlsx_with_a_cell_in_column_xfd(rows: int) -> bytes:
    """``rows`` template rows, and one more cell in the sheet's last column (XFD)."""
    workbook = _workbook(
        [{**EXAMPLE_ROW, "provider_reference": f"XFD-{index}"} for index in range(rows)]
    )
    workbook.active.cell(row=2, column=16_384, value="far away")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


READER = """
import resource, sys, time
import django
django.setup()
from descriptors.formats.spreadsheet import SpreadsheetError, read_rows, spreadsheet_check
raw = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
try:
    if sys.argv[2] == "check":
        spreadsheet_check(raw, "upload.xlsx")
        outcome = "accepted by the upload check"
    else:
        outcome = f"{sum(1 for _ in read_rows(raw, 'upload.xlsx'))} rows read"
except SpreadsheetError as error:
    outcome = f"refused: {error}"
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.2f} s, peak RSS {peak:.0f} MB ({before:.0f} MB before reading); {outcome}")
"""


def _read_in_a_fresh_process(raw: bytes, mode: str) -> str:
    path = f"/tmp/oclo-bench-faults-{os.getpid()}.xlsx"
    with open(path, "wb") as file:
        file.write(raw)
    try:
        result = subprocess.run(
            [sys.executable, "-c", READER, path, mode],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "oclo.settings"},
        )
    finally:
        os.remove(path)
    return result.stdout.strip()


def _many_parameters_request() -> None:
    from django.test import Client

    from tests.builders import make_opportunity  # a published record to search

    make_opportunity(title="Data analysis with Python")
    query = "&".join(
        [f"junk{number}=x" for number in range(600)]
        + [f"eqf={number}" for number in range(300)]
        + [f"language=L{number}" for number in range(100)]
    )
    client = Client()
    client.get(f"/?{query}")  # the first request of a process builds the facet index
    times = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(f"/?{query}")
        times.append(time.perf_counter() - started)
    print(
        f"search page with 1,000 parameters ({len(query) / 1024:.1f} KB): status "
        f"{response.status_code}, best {min(times) * 1000:.0f} ms, "
        f"worst {max(times) * 1000:.0f} ms of 5"
    )


def _throttled_request() -> None:
    """How long a 429 takes: the throttle answers before the view's work (a text search)."""
    from django.core.cache import cache
    from django.test import Client

    from catalogue.api.throttles import AnonymousRateThrottle

    cache.clear()
    AnonymousRateThrottle.THROTTLE_RATES = {"anon": "1/hour"}
    client = Client()
    client.get("/api/v1/learning-opportunities/", {"q": "data"})
    times = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get("/api/v1/learning-opportunities/", {"q": "data analysis"})
        times.append(time.perf_counter() - started)
    times.sort()
    print(
        f"throttled API search (status {response.status_code}): median "
        f"{times[len(times) // 2] * 1000:.1f} ms, worst {times[-1] * 1000:.1f} ms of 20"
    )


def run(*, soak_minutes: float = 2) -> None:
    from bench import outages
    from taxonomies.loaders import taxonomies_load
    from taxonomies.models import Concept, Scheme

    if not Concept.objects.filter(scheme=Scheme.LANGUAGE).exists():
        taxonomies_load()
    hostile = [
        ("XLSX, one 300 MB shared string", xlsx_with_a_huge_shared_string(300)),
        ("XLSX, one 30 MB shared string (under the limit)", xlsx_with_a_huge_shared_string(30)),
        ("XLSX, a cell in column XFD, 2,000 rows", xlsx_with_a_cell_in_column_xfd(2000)),
    ]
    for label, raw in hostile:
        for mode, where in (("check", "upload check (web)"), ("read", "worker read")):
            outcome = _read_in_a_fresh_process(raw, mode)
            print(f"{label} ({len(raw) / 1024:.0f} KB), {where}: {outcome}")
    print(f"(limits: {MAX_ROWS:,} rows; see descriptors/formats/spreadsheet.py)")
    _many_parameters_request()
    _throttled_request()
    outages.run(soak_minutes=soak_minutes)
