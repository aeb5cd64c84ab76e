"""Bulk import of a provider's learning opportunities from the spreadsheet template.

Rows with the same identifier are the editions of one micro-credential (see the template's
docstring). Each row is all-or-nothing: it is checked cell by cell and against the admin form's
rules (``opportunity_validate``, ``edition_validate``) before anything is written, so a bad row
is reported with nothing of it written, while the good rows land; the first row of a
micro-credential carries its descriptors, so when it is rejected its other rows are too.
Editions are matched to the stored ones as every writer matches them (``edition_match``: by
``edition_reference``, else by start date); stored editions the file does not mention are kept
(deleting one is done in the admin or the API). Valid records are written together, 500 at a
time (``opportunities_bulk_save``); should the database still refuse a batch, its rows are retried
one by one. The provider's own identifier makes re-imports update (or leave alone) instead of
duplicating. A dry run does all of it and rolls everything back, so its report is exactly what
the real import would do.

A column missing from the file leaves that descriptor as it is; a column present with an
empty cell clears it.
"""

import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from descriptors.formats.spreadsheet import (
    COLUMNS,
    EDITION_COLUMNS,
    SpreadsheetError,
    read_rows,
)
from descriptors.formats.spreadsheet_cells import NO, Problem, RowParser
from descriptors.models import LearningOpportunity, Organisation, SpreadsheetImport
from descriptors.services import (
    OpportunityWrite,
    Stored,
    edition_match,
    edition_validate,
    opportunities_bulk_save,
    opportunities_stored,
    opportunity_validate,
    stored_edition,
)
from descriptors.text import fold
from descriptors.vocabularies import Vocabularies
from taxonomies.suggestions import skills_suggest

CHUNK = 500  # records written, and re-indexed, together
CHANGE_REASON = "spreadsheet import"


@dataclass
class RowResult:
    row: int
    reference: str
    action: str  # created, updated, unchanged or rejected
    problems: list[Problem] = field(default_factory=list)
    opportunity_id: int | None = None
    # preview only: ESCO skills suggested for the row's outcomes that name none
    suggestions: list[dict] = field(default_factory=list)


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


def _model_problems(error: ValidationError, columns: dict[str, str] | None = None) -> list[Problem]:
    """A model's ``ValidationError`` as problems, its fields named by their ``columns``."""
    if not hasattr(error, "message_dict"):
        return [Problem("", "", message) for message in error.messages]
    columns = columns or {}
    return [
        Problem("" if name == "__all__" else columns.get(name, name), "", message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _other_columns(found: list[Problem], more: list[Problem]) -> list[Problem]:
    """The problems of ``more`` about columns ``found`` says nothing of yet (a cell that could
    not be read is also missing to the checks that come after)."""
    columns = {problem.column for problem in found}
    return [problem for problem in more if problem.column not in columns]


# Edition fields by the column that fills them, and back.
EDITION_FIELD_COLUMNS = {name: column for column, name in EDITION_COLUMNS.items()}
EDITION_COLUMN_SET = tuple(column for column in COLUMNS if column.name in EDITION_COLUMNS)


def _records(rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[list[tuple[int, dict]]]:
    """The rows of each micro-credential (one identifier), in the order of their first row; a
    row without identifier is a record of its own (and rejected)."""
    records: dict = {}
    for number, cells in rows:
        key = cells.get("provider_reference", "") or ("", number)
        records.setdefault(key, []).append((number, cells))
    yield from records.values()


def _edition_values(values: dict) -> dict:
    """Take the edition columns out of a row's parsed ``values``, as Edition fields."""
    return {
        name: values.pop(column) for column, name in EDITION_COLUMNS.items() if column in values
    }


def _describes_an_edition(cells: dict[str, str]) -> bool:
    """Whether a row says anything of an edition (a "no" alone, as an empty template row has
    in its yes/no columns, does not)."""
    return any(fold(cells[column]) not in NO for column in EDITION_COLUMNS if column in cells)


def _edition_key(edition: dict):
    """What tells an edition apart in a file and matches it to a stored one."""
    if edition.get("reference"):
        return ("reference", edition["reference"])
    if edition.get("start_date"):
        return ("start_date", edition["start_date"])
    return None


@dataclass
class _RowEdition:
    result: RowResult
    values: dict  # Edition fields from the file


class _RecordCheck:
    """Checks one micro-credential's rows: its descriptors on the first row, an edition on
    each row that describes one."""

    def __init__(self, rows, *, provider, parser, existing, stored, suggest=None):
        self.rows, self.parser, self.suggest = rows, parser, suggest
        self.provider, self.existing, self.stored = provider, existing, stored
        reference = rows[0][1].get("provider_reference", "")
        self.results = [RowResult(number, reference, "rejected") for number, _ in rows]

    @property
    def head(self) -> RowResult:
        return self.results[0]

    def prepared(self) -> OpportunityWrite | None:
        """The write the record needs, if its first row is valid and it differs from what is
        stored; the results say what happens to each row."""
        first_cells = self.rows[0][1]
        reference = self.head.reference
        if not reference:
            self.head.problems.append(Problem("provider_reference", "", "This column is required."))
            return None
        values, relations, children, problems = self.parser.parse(first_cells)
        first_edition = _edition_values(values)
        if self.suggest is not None and not problems:
            self.head.suggestions = self.suggest(
                children.get("outcomes") or [], values.get("default_language")
            )
        opportunity = self.existing.get(reference)
        action = "created" if opportunity is None else "updated"
        opportunity = opportunity or LearningOpportunity(
            provider=self.provider, provider_reference=reference
        )
        for name, value in values.items():
            setattr(opportunity, name, value)
        try:
            # Every reference was loaded by the parser and identifiers are checked across
            # the file: the per-record database look-ups can be skipped.
            opportunity_validate(
                opportunity=opportunity, relations=relations, references_resolved=True
            )
        except ValidationError as error:
            problems += _other_columns(problems, _model_problems(error))
        if problems:
            # Every problem of the row in one report, not one kind per upload: the checks of
            # the edition it describes too, on the cells that could be read.
            if EDITION_COLUMNS.keys() & first_cells.keys():
                self._row_editions(opportunity, first_edition)
                problems += _other_columns(problems, self.head.problems)
            return self._rejected(problems)
        editions = None
        if EDITION_COLUMNS.keys() & first_cells.keys():
            row_editions = self._row_editions(opportunity, first_edition)
            if self.head.problems:
                return self._rejected(self.head.problems)
            editions = self._editions_to_write(opportunity, row_editions)
        for result in self.results:
            if not result.problems:
                result.action = action
        write = OpportunityWrite(opportunity, relations, editions=editions, **children)
        if opportunity.pk is not None and not self.stored[opportunity.pk].differs(write):
            for result in self.results:
                if not result.problems:
                    result.action, result.opportunity_id = "unchanged", opportunity.pk
            return None
        return write

    def _rejected(self, problems: list[Problem]) -> None:
        self.head.action, self.head.problems = "rejected", problems
        for result in self.results[1:]:
            result.action = "rejected"
            result.problems = [
                Problem(
                    "provider_reference",
                    result.reference,
                    f"Row {self.head.row}, where this micro-credential is described, is rejected.",
                )
            ]
        return None

    def _row_editions(self, opportunity, first_edition: dict) -> list[_RowEdition]:
        """The edition of each row that describes one, each checked; a row with a problem is
        rejected alone (the first row's problems reject the record)."""
        first_number, first_cells = self.rows[0]
        found, seen = [], {}
        for index, (number, cells) in enumerate(self.rows):
            result = self.results[index]
            if index == 0:
                values = first_edition
            else:
                parsed, _, _, result.problems = self.parser.parse(cells, EDITION_COLUMN_SET)
                values = _edition_values(parsed)
                result.problems += _differences(cells, first_cells, first_number)
            if not result.problems and _describes_an_edition(cells):
                key = _edition_key(values)
                if key in seen:
                    result.problems.append(_repeated(result.reference, seen[key], key))
                else:
                    seen[key] = number
                    try:
                        edition_validate(opportunity=opportunity, values=values)
                    except ValidationError as error:
                        result.problems += _model_problems(error, EDITION_FIELD_COLUMNS)
                    else:
                        found.append(_RowEdition(result, values))
            if result.problems:
                result.action = "rejected"
        return found

    def _editions_to_write(self, opportunity, row_editions: list[_RowEdition]) -> list[dict]:
        """The micro-credential's whole set of editions: those of the file, each over the
        stored edition it matches (``edition_match``, keeping what the template has no column
        for), and the stored ones the file does not mention."""
        stored = self.stored[opportunity.pk].children["editions"] if opportunity.pk else []
        given = [row_edition.values for row_edition in row_editions]
        unmentioned = dict(stored)
        editions = [
            (stored_edition(pk, unmentioned.pop(pk)) if pk is not None else {}) | values
            for pk, values in zip(edition_match(given, stored), given, strict=True)
        ]
        return editions + [stored_edition(pk, row) for pk, row in unmentioned.items()]


def _differences(cells: dict[str, str], first_cells: dict[str, str], first_row: int):
    """A later row's descriptor cells that say something else than the first row's."""
    return [
        Problem(
            name,
            text,
            f"Row {first_row} says otherwise: a micro-credential's descriptors are read from "
            "its first row; leave them empty on the rows of its other editions.",
        )
        for name, text in cells.items()
        if name not in EDITION_COLUMNS
        and name != "provider_reference"
        and text.strip()
        and text.strip() != first_cells.get(name, "").strip()
    ]


def _repeated(reference: str, row: int, key) -> Problem:
    """A row whose edition an earlier row of the same micro-credential already gives."""
    why = {
        None: "neither row gives an edition_reference or a start_date to tell them apart",
        "reference": "same edition_reference",
        "start_date": "same start_date, and no edition_reference",
    }[key and key[0]]
    return Problem(
        "provider_reference", reference, f"Already on row {row}: the same edition ({why})."
    )


def _chunk_write(prepared: list[tuple[list[RowResult], OpportunityWrite]], stored) -> None:
    """Write a chunk's valid records together; if the database refuses the batch (another
    writer took an identifier since the file was read), write them one by one to find the
    culprits."""
    new = [write.opportunity for _, write in prepared if write.opportunity.pk is None]
    try:
        opportunities_bulk_save(
            writes=[write for _, write in prepared], change_reason=CHANGE_REASON, stored=stored
        )
    except DatabaseError:
        for opportunity in new:  # the ids the rolled-back batch handed out do not exist
            opportunity.pk, opportunity._state.adding = None, True
        for results, write in prepared:
            _record_write(results, write)
        return
    for results, write in prepared:
        _written(results, write)


def _written(results: list[RowResult], write: OpportunityWrite) -> None:
    for result in results:
        if result.action != "rejected":
            result.opportunity_id = write.opportunity.pk


def _record_write(results: list[RowResult], write: OpportunityWrite) -> None:
    try:
        opportunity_validate(opportunity=write.opportunity, relations=write.relations)
        opportunities_bulk_save(writes=[write], change_reason=CHANGE_REASON)
    except ValidationError as error:
        _all_rejected(results, _model_problems(error))
    except DatabaseError as error:
        _all_rejected(results, _refusal_problems(write, error))
    else:
        _written(results, write)


def _all_rejected(results: list[RowResult], problems: list[Problem]) -> None:
    for result in results:
        result.action = "rejected"
    results[0].problems = problems


def _refusal_problems(write: OpportunityWrite, error: DatabaseError) -> list[Problem]:
    """Why the database refused a record: the form's message when a check now fails (another
    writer took the identifier between the check and the write), else the database's."""
    if write.opportunity.pk is not None and write.action == "created":
        write.opportunity.pk, write.opportunity._state.adding = None, True
    try:
        opportunity_validate(opportunity=write.opportunity, relations=write.relations)
    except ValidationError as validation_error:
        return _model_problems(validation_error)
    return [Problem("", "", f"The database refused this row: {error}")]


class _OutcomeSuggestions:
    """The preview's skill suggestions for outcomes written without skills, so the provider
    can add the fitting URIs in [ ] before importing; for the first outcomes only, as each
    costs tens of milliseconds."""

    OUTCOMES = 100
    SKILLS = 5

    def __init__(self):
        self.left = self.OUTCOMES

    def __call__(self, outcomes: list[dict], language) -> list[dict]:
        suggested = []
        for outcome in outcomes:
            if outcome["skills"] or self.left <= 0:
                continue
            self.left -= 1
            code = (language.short_code if language else "") or "en"
            skills = skills_suggest(outcome["title"], code, limit=self.SKILLS)
            suggested.append(
                {
                    "outcome": outcome["title"],
                    "skills": [
                        {
                            "uri": suggestion.skill.uri,
                            "label": suggestion.skill.preferred_label,
                            "words": suggestion.words,
                        }
                        for suggestion in skills
                    ],
                }
            )
        return suggested


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
    suggest = _OutcomeSuggestions() if dry_run else None
    records = _records(rows)
    # Chunk by chunk: a long file never holds one long transaction.
    while chunk := list(itertools.islice(records, CHUNK)):
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            existing, stored = _existing(
                provider, [record[0][1].get("provider_reference", "") for record in chunk]
            )
            prepared = []
            for record in chunk:
                check = _RecordCheck(
                    record,
                    provider=provider,
                    parser=parser,
                    existing=existing,
                    stored=stored,
                    suggest=suggest,
                )
                write = check.prepared()
                report.rows.extend(check.results)
                if write is not None:
                    prepared.append((check.results, write))
            _chunk_write(prepared, stored)
            if dry_run:
                # Chunks are independent (identifiers are unique across chunks), so rolling
                # each back predicts the real import exactly.
                transaction.set_rollback(True)
        if progress:
            progress(sum(len(record) for record in chunk))
    report.rows.sort(key=lambda result: result.row)
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
