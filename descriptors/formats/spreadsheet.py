"""The providers' spreadsheet template (CSV and XLSX): columns, reading and writing.

One row per edition of a micro-credential, one column per descriptor, in a frozen order
(columns are only ever appended). Rows with the same ``provider_reference`` are the editions of
one micro-credential: its descriptors are read from its first row (the others may repeat them
or leave them empty), each row's edition columns (``EDITION_COLUMNS``) describe one edition.
Cells with several values separate them with ``;``. The ``outcomes``
cell holds one learning outcome per line; an outcome's ESCO skills follow it in square
brackets, by URI or English preferred label: ``Edit a photo series [perform image editing;
http://data.europa.eu/esco/skill/...]``. The ``grants`` cell holds one grant per line: ``name |
who can get it | web page``. Controlled values are accepted as code, URI or
English/Italian label, whatever the case and accents.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from descriptors.formats.csv_export import formula_safe
from descriptors.models import Edition, LearningOpportunity
from taxonomies.models import Concept, EqfLevel, Scheme

MULTI_SEPARATOR = ";"
GRANT_SEPARATOR = "|"  # between a grant's name, who can get it and its web page
# What a cell may hold, for the template's help sheet and the import's messages.
YES_NO = "yes / no"


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    required: bool = False
    scheme: str = ""  # a controlled vocabulary (values listed on the "allowed values" sheet)
    many: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("provider_reference", "Your own identifier: re-importing it updates the record.", True),
    Column("title", "Title in the default language (ECCOE 1).", True),
    Column("status", "draft or published (default draft)."),
    Column("description", "Summary (ECCOE 2)."),
    Column(
        "opportunity_type",
        "Course, module, MOOC... (ECCOE 3).",
        scheme=Scheme.LEARNING_OPPORTUNITY_TYPE,
    ),
    Column("homepage", "Web page where learners enrol, https://..."),
    Column("default_language", "Language of the texts in this row.", True, Scheme.LANGUAGE),
    Column(
        "languages",
        "Languages of instruction (ECCOE 8), ';'-separated.",
        True,
        Scheme.LANGUAGE,
        True,
    ),
    Column("countries", "Countries where provided (ECCOE 7).", scheme=Scheme.COUNTRY, many=True),
    Column("modes", "Online, blended, on site (ECCOE 16).", scheme=Scheme.MODE, many=True),
    Column("eqf_level", "EQF level 1-8 (ECCOE 20)."),
    Column(
        "isced_fields", "ISCED-F 2013 codes or names (ECCOE 19), ';'-separated.", True, many=True
    ),
    Column("workload_hours", "Hours of work (ECCOE 12), a whole number."),
    Column("ects_credits", "ECTS credits (ECCOE 17); 2,5 and 2.5 both work."),
    Column("any_start_date", f"Self-paced, starts any time: {YES_NO}."),
    Column("start_date", "YYYY-MM-DD (or a spreadsheet date)."),
    Column("end_date", "YYYY-MM-DD."),
    Column("application_deadline", "YYYY-MM-DD."),
    Column("is_free", f"Free of charge: {YES_NO}."),
    Column("fee_amount", "Price for a learner (ECCOE 15)."),
    Column("currency", "EUR, ...", scheme=Scheme.CURRENCY),
    Column("credential_type", "Type of credential (ECCOE 18).", scheme=Scheme.CREDENTIAL_TYPE),
    Column("entry_requirements", "Prerequisites (ECCOE 14)."),
    Column(
        "outcomes",
        "One learning outcome per line; its ESCO skills after it in [ ], ';'-separated "
        "(an outcome that ends with [ ] of its own and has no skills: add [] after it).",
    ),
    Column(
        "edition_reference",
        "Your code for this row's edition, e.g. 2027-spring. Rows with the same "
        "provider_reference are the editions of one micro-credential.",
    ),
    Column("edition_status", "planned, open, running, finished or cancelled (default open)."),
    Column("places", "Places in this edition, a whole number."),
    Column("region", "NUTS region where it takes place (ECCOE 7), e.g. ITC4C.", scheme=Scheme.NUTS),
    Column(
        "grants",
        f"Grants and subsidies, one per line: name {GRANT_SEPARATOR} who can get it "
        f"{GRANT_SEPARATOR} web page (the last two may be left out).",
    ),
)
# The columns that describe one edition of the micro-credential, and the Edition field each
# fills; every other column describes the micro-credential itself.
EDITION_COLUMNS = {
    "edition_reference": "reference",
    "edition_status": "status",
    "any_start_date": "any_start_date",
    "start_date": "start_date",
    "end_date": "end_date",
    "application_deadline": "application_deadline",
    "is_free": "is_free",
    "fee_amount": "fee_amount",
    "currency": "currency",
    "places": "places",
}
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
EXAMPLE_ROW = {
    "provider_reference": "PHOTO-101",
    "title": "Street photography: shape and content",
    "status": "draft",
    "description": "Compose street photographs that tell a story.",
    "opportunity_type": "Course",
    "homepage": "https://example.org/photo-101",
    "default_language": "en",
    "languages": "English; Italian",
    "countries": "IT",
    "modes": "Blended",
    "eqf_level": "6",
    "isced_fields": "0211",
    "workload_hours": "50",
    "ects_credits": "2",
    "any_start_date": "no",
    "start_date": "2027-03-01",
    "end_date": "2027-05-31",
    "application_deadline": "2027-02-15",
    "is_free": "no",
    "fee_amount": "290",
    "currency": "EUR",
    "credential_type": "",
    "entry_requirements": "",
    "outcomes": "Compose street photographs [photography; cameras]\n"
    "Edit a photographic series [perform image editing]",
    "edition_reference": "2027-spring",
    "edition_status": "open",
    "places": "16",
    "region": "",
    "grants": f"Regional training voucher {GRANT_SEPARATOR} Residents of Lazio "
    f"{GRANT_SEPARATOR} https://example.org/voucher",
}


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


# What a file may hold, checked before or while it is parsed: a small upload can unpack to
# gigabytes (one 300 MB shared string in a 300 KB XLSX) or make the parser pad every row to
# 16,384 cells (one cell in column XFD). Real provider files stay far below each limit.
MAX_ROWS = 20_000
# The reader yields an empty row for each missing one: a lone cell in row 1,048,576 would
# cost a million of them. Blank rows among the data are fine up to here.
MAX_ROW_NUMBER = 5 * MAX_ROWS
MAX_COLUMNS = 100  # the template has 30; room for a provider's own columns, which are ignored
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_PART_BYTES = 64 * 1024 * 1024  # any part of an XLSX once unpacked (a 10,000-row sheet: 14 MB)
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024  # the part openpyxl holds in memory whole
MAX_DELIMITERS_PER_LINE = 10_000  # a CSV row is parsed whole into a list of its cells
MEGABYTE = 1024 * 1024


def _decoded(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252, a superset of Latin-1's printables.
        return raw.decode("cp1252", errors="replace")


def _too_long(row: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"Row {row} has a cell longer than {MAX_CELL_CHARS:,} characters (the most a "
        "spreadsheet cell holds): is this the right file?"
    )


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    text = _decoded(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    for number, line in enumerate(io.StringIO(text), start=1):
        if line.count(delimiter) > MAX_DELIMITERS_PER_LINE:
            raise SpreadsheetError(
                f"Line {number} has more than {MAX_DELIMITERS_PER_LINE:,} separators: "
                "is this the right file?"
            )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row = 0  # rows, not lines: a cell may hold several lines
    try:
        for values in reader:
            row += 1
            yield values
    except csv.Error as error:  # a cell beyond the csv module's limit (128 KB), a stray NUL
        if "field larger than field limit" in str(error):
            raise _too_long(row + 1) from error
        raise SpreadsheetError(f"Row {row + 1} is not readable CSV ({error}).") from error


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_archive(raw: bytes) -> zipfile.ZipFile:
    """The XLSX's zip archive, once the unpacked size of each part is known to be bounded.

    The sizes come from the archive's directory, without unpacking anything; ``zipfile`` never
    returns more than that size of a part, whatever its compressed data holds.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError) as error:
        raise SpreadsheetError("This is not a readable XLSX file (it is not a zip).") from error
    for part in archive.infolist():
        limit = (
            MAX_SHARED_STRINGS_BYTES
            if part.filename.lower().endswith("sharedstrings.xml")
            else MAX_PART_BYTES
        )
        if part.file_size > limit:
            raise SpreadsheetError(
                f"This XLSX file unpacks to {part.file_size / MEGABYTE:,.0f} MB in "
                f"{part.filename} (at most {limit // MEGABYTE} MB are read): split it into "
                "smaller files."
            )
    return archive


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    _xlsx_archive(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(f"This is not a readable XLSX file ({error}).") from error
    sheet = workbook.worksheets[0]
    # Read row by row with an explicit width: without it, openpyxl pads every row to the
    # sheet's last used column (16,384 cells for one cell in column XFD).
    header = next(
        sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), ()
    )
    header = _trimmed([_cell(value) for value in header])
    yield header
    if header:
        for values in sheet.iter_rows(min_row=2, max_col=len(header), values_only=True):
            yield [_cell(value) for value in values]
    workbook.close()


def _trimmed(names: list[str]) -> list[str]:
    while names and not names[-1].strip():
        names.pop()
    return names


def _header(names: list[str]) -> list[str]:
    names = [name.strip().lower() for name in _trimmed(list(names))]
    if len(names) > MAX_COLUMNS:
        raise SpreadsheetError(
            f"The header row has more than {MAX_COLUMNS} columns (the template has "
            f"{len(COLUMNS)}): is this the right file?"
        )
    missing = [column.name for column in COLUMNS if column.required and column.name not in names]
    if missing:
        raise SpreadsheetError(
            "The header row lacks required columns: " + ", ".join(missing) + ". "
            "Download the template to see them."
        )
    return names


def _is_xlsx(filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm"))


def read_rows(raw: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, {column: text}) for each non-empty row.

    Raises ``SpreadsheetError`` for a file that cannot be read, or that is beyond the limits
    above (before parsing it where the limit allows, else at the first row beyond it)."""
    rows = _xlsx_rows(raw) if _is_xlsx(filename) else _csv_rows(raw)
    try:
        names = _header(next(rows))
    except StopIteration as error:
        raise SpreadsheetError("The file is empty.") from error
    count = 0
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROW_NUMBER:
            raise SpreadsheetError(
                f"The sheet goes on past row {MAX_ROW_NUMBER:,}: delete the rows after your "
                f"data, or split the file (at most {MAX_ROWS:,} rows)."
            )
        if not any(value.strip() for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise SpreadsheetError(
                f"The file has more than {MAX_ROWS:,} rows: split it into several files."
            )
        if any(len(value) > MAX_CELL_CHARS for value in values):
            raise _too_long(number)
        yield (
            number,
            {name: value.strip() for name, value in zip(names, values, strict=False) if name},
        )


def spreadsheet_check(raw: bytes, filename: str) -> None:
    """What the upload form checks while the person waits: that the file is readable and has
    the required columns. Cheap whatever the file: an XLSX's first row and the few shared
    strings it uses are read, not the workbook (the task worker reads the rest)."""
    if not _is_xlsx(filename):
        next(read_rows(raw, filename), None)
        return
    archive = _xlsx_archive(raw)
    try:
        _header(_xlsx_header(archive))
    except SpreadsheetError:
        raise
    except (KeyError, ElementTree.ParseError, ValueError) as error:
        raise SpreadsheetError(f"This is not a readable XLSX file ({error}).") from error


SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# XML elements read while looking for the first row: a hostile sheet could put millions of
# other elements before it.
MAX_HEADER_ELEMENTS = 100_000


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The path of the workbook's first sheet (the one the import reads)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{SPREADSHEET_NS}sheets/{SPREADSHEET_NS}sheet")
    if sheet is None:
        raise SpreadsheetError("This XLSX file has no sheet.")
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relation in relations:
        if relation.get("Id") == sheet.get(RELATIONSHIP_ID):
            target = relation.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise SpreadsheetError("This XLSX file has no sheet.")


def _column(reference: str | None, default: int) -> int:
    """0-based column of a cell reference such as ``AB1``."""
    letters = "".join(character for character in reference or "" if character.isalpha())
    if not letters:
        return default
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _xlsx_header(archive: zipfile.ZipFile) -> list[str]:
    cells: dict[int, tuple[str, str]] = {}  # column -> (cell type, text or shared string index)
    with archive.open(_first_sheet(archive)) as stream:
        events = ElementTree.iterparse(stream, events=("end",))
        for count, (_, element) in enumerate(events):
            if count > MAX_HEADER_ELEMENTS:
                raise SpreadsheetError("The first row of the first sheet cannot be found.")
            if element.tag == f"{SPREADSHEET_NS}c":
                column = _column(element.get("r"), len(cells))
                kind = element.get("t", "n")
                if kind == "inlineStr":
                    text = "".join(part.text or "" for part in element.iter(f"{SPREADSHEET_NS}t"))
                else:
                    text = element.findtext(f"{SPREADSHEET_NS}v") or ""
                if column <= MAX_COLUMNS:
                    cells[column] = (kind, text)
                element.clear()  # with its value: the cells of a row are read one by one
            elif element.tag == f"{SPREADSHEET_NS}row":
                if element.get("r", "1") != "1":
                    cells = {}  # the first row is empty
                break
    shared = _shared_strings(
        archive, {int(text) for kind, text in cells.values() if kind == "s" and text.isdigit()}
    )
    width = max(cells, default=-1) + 1
    return [
        shared.get(int(cells[index][1]), "")
        if cells.get(index, ("", ""))[0] == "s"
        else cells.get(index, ("", ""))[1]
        for index in range(width)
    ]


def _shared_strings(archive: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings at these indexes, reading the part only as far as the last one."""
    found: dict[int, str] = {}
    if not wanted:
        return found
    index = 0
    with archive.open("xl/sharedStrings.xml") as stream:
        events = ElementTree.iterparse(stream, events=("start", "end"))
        _, root = next(events)
        for event, element in events:
            if event != "end" or element.tag != f"{SPREADSHEET_NS}si":
                continue
            if index in wanted:
                found[index] = "".join(
                    part.text or "" for part in element.iter(f"{SPREADSHEET_NS}t")
                )
                if len(found) == len(wanted):
                    break
            index += 1
            root.clear()  # keep memory flat over a long part
    return found


def _joined(items: Iterable) -> str:
    return f"{MULTI_SEPARATOR} ".join(items)


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _day(value) -> str:
    return value.isoformat() if value else ""


def _code(concept) -> str:
    return concept.code if concept else ""


def outcome_cell_line(title: str, skills: list[str]) -> str:
    """One line of the ``outcomes`` cell: the outcome, then its skills in brackets. A title
    that itself ends with brackets ("... [Livestream]") and has no skills gets an empty ``[]``,
    or the import would read its brackets as skills."""
    if skills:
        return f"{title} [{_joined(skills)}]"
    return f"{title} []" if title.rstrip().endswith("]") else title


def grant_cell_line(grant) -> str:
    """One line of the ``grants`` cell: name | who can get it | web page, without the empty
    parts at its end, except the web page's after a | in who can get it (the import reads
    the part after the last | as the web page)."""
    parts = [grant.title, grant.description, grant.homepage]
    if GRANT_SEPARATOR not in grant.description:
        while parts and not parts[-1]:
            parts.pop()
    return f" {GRANT_SEPARATOR} ".join(parts).rstrip()


def rows_of(opportunity: LearningOpportunity) -> list[dict[str, str]]:
    """An opportunity as template rows, one per edition (export, and the input of a round
    trip); one row with empty edition cells when it has no edition."""
    outcomes = [
        outcome_cell_line(outcome.title, [skill.uri for skill in outcome.skills.all()])
        for outcome in opportunity.outcomes.all()
    ]
    descriptors = {
        "provider_reference": opportunity.provider_reference or "",
        "title": opportunity.title,
        "status": opportunity.status,
        "description": opportunity.description,
        "opportunity_type": _code(opportunity.opportunity_type),
        "homepage": opportunity.homepage,
        "default_language": _code(opportunity.default_language),
        "languages": _joined(c.code for c in opportunity.languages.all()),
        "countries": _joined(c.code for c in opportunity.countries.all()),
        "region": _code(opportunity.region),
        "modes": _joined(c.code for c in opportunity.modes.all()),
        "eqf_level": str(opportunity.eqf_level_id or ""),
        "isced_fields": _joined(field.code for field in opportunity.isced_fields.all()),
        "workload_hours": str(opportunity.workload_hours or ""),
        "ects_credits": _number(opportunity.ects_credits),
        "credential_type": _code(opportunity.credential_type),
        "entry_requirements": opportunity.entry_requirements,
        "outcomes": "\n".join(outcomes),
        "grants": "\n".join(grant_cell_line(grant) for grant in opportunity.grants.all()),
    }
    editions = sorted(opportunity.editions.all(), key=lambda edition: edition.sort_key())
    return [descriptors | _edition_cells(edition) for edition in editions] or [descriptors]


def _edition_cells(edition) -> dict[str, str]:
    return {
        "edition_reference": edition.reference,
        "edition_status": edition.status,
        "any_start_date": "yes" if edition.any_start_date else "no",
        "start_date": _day(edition.start_date),
        "end_date": _day(edition.end_date),
        "application_deadline": _day(edition.application_deadline),
        "is_free": "yes" if edition.is_free else "no",
        "fee_amount": _number(edition.fee_amount),
        "currency": _code(edition.currency),
        "places": "" if edition.places is None else str(edition.places),
    }


def dump_template_csv(rows: Iterable[dict[str, str]]) -> bytes:
    """UTF-8 with a BOM (so that Excel reads the accents), comma-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow(formula_safe(row.get(name, "")) for name in COLUMN_NAMES)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _allowed_values() -> dict[str, list[tuple[str, str]]]:
    allowed = {
        column.name: [
            (concept.code, concept.label)
            for concept in Concept.objects.filter(scheme=column.scheme).order_by("label")
        ]
        for column in COLUMNS
        if column.scheme
    }
    allowed["eqf_level"] = [(str(level.level), str(level)) for level in EqfLevel.objects.all()]
    allowed["status"] = [
        (value, label)
        for value, label in LearningOpportunity.Status.choices
        if value != LearningOpportunity.Status.ARCHIVED
    ]
    allowed["edition_status"] = list(Edition.Status.choices)
    return allowed


def dump_template_xlsx(rows: Iterable[dict[str, str]]) -> bytes:
    """Sheet 1 the rows; "columns" what each column holds; "allowed values" the controlled
    lists (ISCED-F and ESCO are too long to list: use codes, names or URIs)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "opportunities"
    sheet.append(COLUMN_NAMES)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Typed as text: openpyxl would otherwise store "=..." as a formula.
        sheet.append([row.get(name, "") for name in COLUMN_NAMES])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    help_sheet = workbook.create_sheet("columns")
    help_sheet.append(["column", "required", "what it holds"])
    for column in COLUMNS:
        help_sheet.append([column.name, "yes" if column.required else "", str(column.help)])
    values_sheet = workbook.create_sheet("allowed values")
    values_sheet.append(["column", "code", "label"])
    allowed = _allowed_values()
    for name, pairs in allowed.items():
        for code, label in pairs:
            values_sheet.append([name, code, str(label)])
    for name in ("status", "edition_status", "eqf_level", "any_start_date", "is_free"):
        index = COLUMN_NAMES.index(name) + 1
        letter = sheet.cell(row=1, column=index).column_letter
        choices = (
            "yes,no"
            if name in ("any_start_date", "is_free")
            else ",".join(code for code, _ in allowed[name])
        )
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}10000")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def provider_rows(organisation) -> list[dict[str, str]]:
    """Every record of a provider as template rows, for export -> edit -> import."""
    return opportunities_rows(LearningOpportunity.objects.filter(provider=organisation))


def opportunities_rows(opportunities) -> list[dict[str, str]]:
    """These opportunities as template rows, one per edition, by identifier."""
    opportunities = opportunities.with_template_data().order_by("provider_reference", "pk")
    return [row for opportunity in opportunities for row in rows_of(opportunity)]


def template_rows() -> list[dict[str, str]]:
    return [EXAMPLE_ROW]
