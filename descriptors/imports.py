"""Bulk import of a provider's learning opportunities from the spreadsheet template.

Each row is all-or-nothing: it is checked cell by cell and against the admin form's rules
(``opportunity_validate``) before anything is written, so a bad row is reported with nothing of
it written, while the good rows land. Valid rows are written together, 500 at a time
(``opportunities_bulk_save``); should the database still refuse a batch, its rows are retried
one by one. The provider's own identifier makes re-imports update (or leave alone) instead of
duplicating. A dry run does all of it and rolls everything back, so its report is exactly what
the real import would do.

A column missing from the file leaves that descriptor as it is; a column present with an
empty cell clears it.
"""

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from descriptors.formats.spreadsheet import (
    COLUMNS,
    MULTI_SEPARATOR,
    SpreadsheetError,
    read_rows,
)
from descriptors.models import LearningOpportunity, Organisation, SpreadsheetImport
from descriptors.services import (
    OpportunityWrite,
    Stored,
    edition_validate,
    edition_values_split,
    opportunities_bulk_save,
    opportunities_stored,
    opportunity_validate,
)
from descriptors.text import fold
from descriptors.vocabularies import UnknownValue, Vocabularies

CHUNK = 500  # rows written, and re-indexed, together
CHANGE_REASON = "spreadsheet import"
EXCEL_EPOCH = date(1899, 12, 30)
SKILLS_AT_END = re.compile(r"^(?P<title>.*?)\s*\[(?P<skills>[^\[\]]*)\]\s*$")
YES = {"yes", "y", "true", "1", "si", "sì", "x"}
NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Problem:
    column: str
    value: str
    message: str


@dataclass
class RowResult:
    row: int
    reference: str
    action: str  # created, updated, unchanged or rejected
    problems: list[Problem] = field(default_factory=list)
    opportunity_id: int | None = None


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self) -> str:
        return ", ".join(
            f"{self.count(action)} {action}"
            for action in ("created", "updated", "unchanged", "rejected")
        )


class CellError(ValueError):
    pass


def _many(text: str) -> list[str]:
    return [part.strip() for part in text.split(MULTI_SEPARATOR) if part.strip()]


def _yes_no(text: str) -> bool:
    if fold(text) in YES:
        return True
    if fold(text) in NO:
        return False
    raise CellError(f"Write yes or no, not '{text}'.")


def _decimal(text: str) -> Decimal | None:
    if not text:
        return None
    cleaned = text.replace("€", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise CellError(f"'{text}' is not a number.") from error


def _whole(text: str) -> int | None:
    number = _decimal(text)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise CellError(f"'{text}' is not a whole number of hours.")
    return int(number)


def _date(text: str) -> date | None:
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial day number
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return timezone.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(f"'{text}' is not a date; write YYYY-MM-DD.")


class RowParser:
    """Turns one row's cells into the values ``opportunity_save`` takes."""

    def __init__(self, vocabularies: Vocabularies):
        self.vocabularies = vocabularies

    def parse(self, cells: dict[str, str]):
        values, relations, outcomes, problems = {}, {}, None, []
        for column in COLUMNS:
            if column.name not in cells or column.name == "provider_reference":
                continue
            text = cells[column.name]
            try:
                if column.required and not text:
                    raise CellError("This column is required.")
                if column.name == "outcomes":
                    outcomes = self._outcomes(text)
                elif column.many and column.scheme:
                    relations[column.name] = [
                        self.vocabularies.concept(column.scheme, part) for part in _many(text)
                    ]
                elif column.name == "isced_fields":
                    relations[column.name] = [self.vocabularies.isced(part) for part in _many(text)]
                else:
                    values[column.name] = self._single(column, text)
            except (CellError, UnknownValue) as error:
                problems.append(Problem(column.name, text, str(error)))
        return values, relations, outcomes, problems

    def _single(self, column, text: str):
        name = column.name
        if column.scheme:
            return self.vocabularies.concept(column.scheme, text) if text else None
        if name == "eqf_level":
            return self.vocabularies.eqf(text) if text else None
        if name == "status":
            status = fold(text) or LearningOpportunity.Status.DRAFT
            allowed = (LearningOpportunity.Status.DRAFT, LearningOpportunity.Status.PUBLISHED)
            if status not in allowed:
                raise CellError(f"Write draft or published, not '{text}'.")
            return status
        if name in ("any_start_date", "is_free"):
            return _yes_no(text)
        if name in ("start_date", "end_date", "application_deadline"):
            return _date(text)
        if name == "workload_hours":
            return _whole(text)
        if name in ("ects_credits", "fee_amount"):
            return _decimal(text)
        return text

    def _outcomes(self, text: str) -> list[dict]:
        outcomes = []
        for line in filter(None, (line.strip() for line in text.splitlines())):
            match = SKILLS_AT_END.match(line)
            title, skills = (match["title"], _many(match["skills"])) if match else (line, [])
            try:
                found = [self.vocabularies.skill(skill) for skill in skills]
            except UnknownValue as error:
                raise CellError(
                    f"{error} (Text in [ ] at the end of an outcome is read as its ESCO skills: "
                    "to keep brackets in the outcome itself, add [] after it.)"
                ) from error
            outcomes.append({"title": title, "skills": found})
        return outcomes


def _existing(
    provider: Organisation, references: list[str]
) -> tuple[dict[str, LearningOpportunity], dict[int, Stored]]:
    """The provider's records with these identifiers, and their stored state to compare with."""
    records = LearningOpportunity.objects.filter(
        provider=provider,
        provider_reference__in=[reference for reference in references if reference],
    )
    by_reference = {record.provider_reference: record for record in records}
    return by_reference, opportunities_stored(record.pk for record in by_reference.values())


def _model_problems(error: ValidationError) -> list[Problem]:
    if not hasattr(error, "message_dict"):
        return [Problem("", "", message) for message in error.messages]
    return [
        Problem("" if name == "__all__" else name, "", message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _prepared_row(
    number, cells, *, provider, parser, existing, stored, seen
) -> tuple[RowResult, OpportunityWrite | None]:
    """Check one row; the write it needs, if valid and different from the record."""
    reference = cells.get("provider_reference", "")
    result = RowResult(number, reference, "rejected")
    if not reference:
        result.problems.append(Problem("provider_reference", "", "This column is required."))
        return result, None
    if reference in seen:
        result.problems.append(
            Problem("provider_reference", reference, f"Already on row {seen[reference]}.")
        )
        return result, None
    seen[reference] = number
    values, relations, outcomes, problems = parser.parse(cells)
    if problems:
        result.problems = problems
        return result, None
    opportunity = existing.get(reference)
    if values.get("status") == LearningOpportunity.Status.PUBLISHED:
        values["published_at"] = (opportunity and opportunity.published_at) or timezone.now()
    result.action = "created" if opportunity is None else "updated"
    opportunity = opportunity or LearningOpportunity(
        provider=provider, provider_reference=reference
    )
    edition = edition_values_split(values)
    for name, value in values.items():
        setattr(opportunity, name, value)
    write = OpportunityWrite(
        opportunity,
        relations,
        outcomes=outcomes,
        editions=None if edition is None else [edition],
        keep_other_editions=True,
    )
    if opportunity.pk is not None and not stored[opportunity.pk].differs(write):
        result.action, result.opportunity_id = "unchanged", opportunity.pk
        return result, None
    try:
        # Every reference was loaded by the parser and identifiers are checked across the
        # file: the per-record database look-ups can be skipped.
        opportunity_validate(opportunity=opportunity, relations=relations, references_resolved=True)
        if edition is not None:  # its messages name the row's columns
            write.editions = [edition_validate(opportunity=opportunity, values=edition)]
    except ValidationError as error:
        result.action, result.problems = "rejected", _model_problems(error)
        return result, None
    return result, write


def _chunk_write(prepared: list[tuple[RowResult, OpportunityWrite]], stored) -> None:
    """Write a chunk's valid rows together; if the database refuses the batch (another writer
    took an identifier since the file was read), write them one by one to find the culprits."""
    new = [write.opportunity for _, write in prepared if write.opportunity.pk is None]
    try:
        opportunities_bulk_save(
            writes=[write for _, write in prepared], change_reason=CHANGE_REASON, stored=stored
        )
    except DatabaseError:
        for opportunity in new:  # the ids the rolled-back batch handed out do not exist
            opportunity.pk, opportunity._state.adding = None, True
        for result, write in prepared:
            _row_write(result, write)
        return
    for result, write in prepared:
        result.opportunity_id = write.opportunity.pk


def _row_write(result: RowResult, write: OpportunityWrite) -> None:
    try:
        opportunity_validate(opportunity=write.opportunity, relations=write.relations)
        opportunities_bulk_save(writes=[write], change_reason=CHANGE_REASON)
    except ValidationError as error:
        result.action, result.problems = "rejected", _model_problems(error)
    except DatabaseError as error:
        result.action = "rejected"
        result.problems = _refusal_problems(write, error)
    else:
        result.opportunity_id = write.opportunity.pk


def _refusal_problems(write: OpportunityWrite, error: DatabaseError) -> list[Problem]:
    """Why the database refused a row: the form's message when a check now fails (another
    writer took the identifier between the check and the write), else the database's."""
    if write.opportunity.pk is not None and write.action == "created":
        write.opportunity.pk, write.opportunity._state.adding = None, True
    try:
        opportunity_validate(opportunity=write.opportunity, relations=write.relations)
    except ValidationError as validation_error:
        return _model_problems(validation_error)
    return [Problem("", "", f"The database refused this row: {error}")]


def opportunities_import(
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    provider: Organisation,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import template rows into ``provider``'s records; see the module docstring.

    ``progress`` is called with the number of rows after each chunk, outside any transaction
    of the import's own, so that another process can show it.
    """
    report = ImportReport(dry_run=dry_run)
    parser = RowParser(Vocabularies())
    seen = {}
    rows = iter(rows)
    # Chunk by chunk: a long file never holds one long transaction, and memory stays flat.
    while chunk := list(itertools.islice(rows, CHUNK)):
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            existing, stored = _existing(
                provider, [cells.get("provider_reference", "") for _, cells in chunk]
            )
            prepared = []
            for number, cells in chunk:
                result, write = _prepared_row(
                    number,
                    cells,
                    provider=provider,
                    parser=parser,
                    existing=existing,
                    stored=stored,
                    seen=seen,
                )
                report.rows.append(result)
                if write is not None:
                    prepared.append((result, write))
            _chunk_write(prepared, stored)
            if dry_run:
                # Chunks are independent (identifiers are unique in a file), so rolling each
                # back predicts the real import exactly.
                transaction.set_rollback(True)
        if progress:
            progress(len(chunk))
    return report


UNEXPECTED_PREVIEW_ERROR = "An unexpected error stopped the preview; it has been logged."
UNEXPECTED_IMPORT_ERROR = (
    "An unexpected error stopped the import; it has been logged. The rows before it are "
    "imported: upload the file again to finish (rows already imported count as unchanged)."
)


def spreadsheet_import_run(job: SpreadsheetImport) -> None:
    """Run an uploaded spreadsheet's preview or import, recording progress and the report.

    An unexpected error ends the job as failed (instead of leaving it running forever) and is
    raised again, for the log and the task's own record.
    """
    jobs = SpreadsheetImport.objects.filter(pk=job.pk)
    jobs.update(status=SpreadsheetImport.Status.RUNNING, rows_done=0, updated=timezone.now())
    try:
        _run(job, jobs)
    except Exception:
        jobs.update(
            status=SpreadsheetImport.Status.FAILED,
            error=UNEXPECTED_PREVIEW_ERROR if job.dry_run else UNEXPECTED_IMPORT_ERROR,
            finished=timezone.now(),
            updated=timezone.now(),
        )
        raise


def _run(job: SpreadsheetImport, jobs) -> None:
    try:
        rows = list(read_rows(bytes(job.content), job.file_name))
    except SpreadsheetError as error:
        job.status, job.error = SpreadsheetImport.Status.FAILED, str(error)
    else:
        jobs.update(rows_total=len(rows), updated=timezone.now())
        report = opportunities_import(
            rows,
            provider=job.provider,
            dry_run=job.dry_run,
            progress=lambda count: jobs.update(
                rows_done=F("rows_done") + count, updated=timezone.now()
            ),
        )
        job.rows_total = job.rows_done = len(rows)
        job.status, job.summary = SpreadsheetImport.Status.DONE, report.summary
        job.report = [asdict(row) for row in report.rows]
        if not job.dry_run:
            job.content = b""  # imported: the records themselves now hold what it said
    job.finished = timezone.now()
    job.save()
