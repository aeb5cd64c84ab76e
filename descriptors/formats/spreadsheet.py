"""The providers' spreadsheet template (CSV and XLSX): columns, reading and writing.

One row per learning opportunity, one column per descriptor, in a frozen order (columns are
only ever appended). Cells with several values separate them with ``;``. The ``outcomes``
cell holds one learning outcome per line; an outcome's ESCO skills follow it in square
brackets, by URI or English preferred label: ``Edit a photo series [perform image editing;
http://data.europa.eu/esco/skill/...]``. Controlled values are accepted as code, URI or
English/Italian label, whatever the case and accents.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from descriptors.formats.csv_export import formula_safe
from descriptors.models import LearningOpportunity
from taxonomies.models import Concept, EqfLevel, Scheme

MULTI_SEPARATOR = ";"
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
        "One learning outcome per line; its ESCO skills after it in [ ], ';'-separated.",
    ),
)
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
}


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


def _decoded(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252, a superset of Latin-1's printables.
        return raw.decode("cp1252", errors="replace")


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    text = _decoded(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


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


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(f"This is not a readable XLSX file ({error}).") from error
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_cell(value) for value in values]
    workbook.close()


def read_rows(raw: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, {column: text}) for each non-empty row."""
    rows = _xlsx_rows(raw) if filename.lower().endswith((".xlsx", ".xlsm")) else _csv_rows(raw)
    try:
        header = next(rows)
    except StopIteration as error:
        raise SpreadsheetError("The file is empty.") from error
    names = [name.strip().lower() for name in header]
    missing = [column.name for column in COLUMNS if column.required and column.name not in names]
    if missing:
        raise SpreadsheetError(
            "The header row lacks required columns: " + ", ".join(missing) + ". "
            "Download the template to see them."
        )
    for number, values in enumerate(rows, start=2):
        if not any(value.strip() for value in values):
            continue
        yield (
            number,
            {name: value.strip() for name, value in zip(names, values, strict=False) if name},
        )


def _joined(items: Iterable) -> str:
    return f"{MULTI_SEPARATOR} ".join(items)


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _day(value) -> str:
    return value.isoformat() if value else ""


def _code(concept) -> str:
    return concept.code if concept else ""


def row_of(opportunity: LearningOpportunity) -> dict[str, str]:
    """An opportunity as a template row (export, and the input of a round trip)."""
    outcomes = []
    for outcome in opportunity.outcomes.all():
        skills = [skill.uri for skill in outcome.skills.all()]
        outcomes.append(outcome.title + (f" [{_joined(skills)}]" if skills else ""))
    return {
        "provider_reference": opportunity.provider_reference or "",
        "title": opportunity.title,
        "status": opportunity.status,
        "description": opportunity.description,
        "opportunity_type": _code(opportunity.opportunity_type),
        "homepage": opportunity.homepage,
        "default_language": _code(opportunity.default_language),
        "languages": _joined(c.code for c in opportunity.languages.all()),
        "countries": _joined(c.code for c in opportunity.countries.all()),
        "modes": _joined(c.code for c in opportunity.modes.all()),
        "eqf_level": str(opportunity.eqf_level_id or ""),
        "isced_fields": _joined(field.code for field in opportunity.isced_fields.all()),
        "workload_hours": str(opportunity.workload_hours or ""),
        "ects_credits": _number(opportunity.ects_credits),
        "any_start_date": "yes" if opportunity.any_start_date else "no",
        "start_date": _day(opportunity.start_date),
        "end_date": _day(opportunity.end_date),
        "application_deadline": _day(opportunity.application_deadline),
        "is_free": "yes" if opportunity.is_free else "no",
        "fee_amount": _number(opportunity.fee_amount),
        "currency": _code(opportunity.currency),
        "credential_type": _code(opportunity.credential_type),
        "entry_requirements": opportunity.entry_requirements,
        "outcomes": "\n".join(outcomes),
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
    for name in ("status", "eqf_level", "any_start_date", "is_free"):
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
    opportunities = (
        LearningOpportunity.objects.filter(provider=organisation)
        .select_related("opportunity_type", "default_language", "currency", "credential_type")
        .prefetch_related("languages", "countries", "modes", "isced_fields", "outcomes__skills")
        .order_by("provider_reference", "pk")
    )
    return [row_of(opportunity) for opportunity in opportunities]


def template_rows() -> list[dict[str, str]]:
    return [EXAMPLE_ROW]
