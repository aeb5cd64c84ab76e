"""Bulk import of a provider's learning opportunities from the spreadsheet template.

Each row is all-or-nothing: it is checked cell by cell, then saved through
``opportunity_save`` (the admin form's rules) in its own savepoint, so a bad row is reported
with nothing of it written, while the good rows land. The provider's own identifier makes
re-imports update (or leave alone) instead of duplicating. A dry run does all of it and rolls
everything back, so its report is exactly what the real import would do.

A column missing from the file leaves that descriptor as it is; a column present with an
empty cell clears it.
"""

import contextlib
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from descriptors.formats.spreadsheet import COLUMNS, MULTI_SEPARATOR
from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import opportunity_save
from descriptors.signals import bulk_write
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField

CHUNK = 500  # rows re-indexed together in a real import
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


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching controlled values."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(fold(value), list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


class Vocabularies:
    """Resolves controlled values given as code, URI or English/Italian label (cached)."""

    def __init__(self):
        self._concepts: dict[str, dict[str, Concept]] = {}
        self._isced: dict[str, IscedField] | None = None
        self._skills: dict[str, int] | None = None

    def concept(self, scheme: str, value: str) -> Concept:
        if scheme not in self._concepts:
            index = {}
            for concept in Concept.objects.filter(scheme=scheme):
                names = [
                    concept.code,
                    concept.uri,
                    concept.label,
                    concept.short_code,
                    *concept.labels.values(),
                ]
                index.update((fold(name), concept) for name in names if name)
            self._concepts[scheme] = index
        found = self._concepts[scheme].get(fold(value))
        if found is None:
            raise CellError(
                f"'{value}' is not a known value." + _suggest(value, self._concepts[scheme])
            )
        return found

    def isced(self, value: str) -> IscedField:
        if self._isced is None:
            self._isced = {}
            for isced_field in IscedField.objects.all():
                names = [
                    isced_field.code,
                    isced_field.uri,
                    isced_field.name,
                    *isced_field.names.values(),
                ]
                self._isced.update((fold(name), isced_field) for name in names if name)
        found = self._isced.get(fold(value))
        if found is None:
            raise CellError(
                f"'{value}' is not an ISCED-F 2013 field." + _suggest(value, self._isced)
            )
        return found

    def skill(self, value: str) -> int:
        if self._skills is None:
            self._skills = {}
            for pk, uri, label in EscoSkill.objects.values_list("pk", "uri", "preferred_label"):
                self._skills[fold(uri)] = pk
                self._skills.setdefault(fold(label), pk)
        found = self._skills.get(fold(value))
        if found is None:
            raise CellError(f"'{value}' is not an ESCO skill." + _suggest(value, self._skills))
        return found


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
        self.eqf_levels = {str(level.level): level for level in EqfLevel.objects.all()}
        self.eqf_levels |= {fold(level.uri): level for level in self.eqf_levels.values()}

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
            except CellError as error:
                problems.append(Problem(column.name, text, str(error)))
        return values, relations, outcomes, problems

    def _single(self, column, text: str):
        name = column.name
        if column.scheme:
            return self.vocabularies.concept(column.scheme, text) if text else None
        if name == "eqf_level":
            if not text:
                return None
            level = self.eqf_levels.get(fold(text).removeprefix("eqf").strip())
            if level is None:
                raise CellError(f"'{text}' is not an EQF level (1-8).")
            return level
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
            outcomes.append(
                {"title": title, "skills": [self.vocabularies.skill(skill) for skill in skills]}
            )
        return outcomes


def _unchanged(opportunity, values: dict, relations: dict, outcomes) -> bool:
    if any(getattr(opportunity, name) != value for name, value in values.items()):
        return False
    for name, members in relations.items():
        if {member.pk for member in getattr(opportunity, name).all()} != {m.pk for m in members}:
            return False
    if outcomes is not None:
        current = [
            (outcome.title, {skill.pk for skill in outcome.skills.all()})
            for outcome in opportunity.outcomes.all()
        ]
        if current != [(outcome["title"], set(outcome["skills"])) for outcome in outcomes]:
            return False
    return True


def _model_problems(error: ValidationError) -> list[Problem]:
    if not hasattr(error, "message_dict"):
        return [Problem("", "", message) for message in error.messages]
    return [
        Problem("" if name == "__all__" else name, "", message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _existing(provider: Organisation) -> dict[str, LearningOpportunity]:
    records = LearningOpportunity.objects.filter(provider=provider).prefetch_related(
        "languages", "countries", "modes", "isced_fields", "outcomes__skills"
    )
    return {record.provider_reference: record for record in records if record.provider_reference}


def _import_row(number, cells, *, provider, parser, existing, seen) -> RowResult:
    reference = cells.get("provider_reference", "")
    result = RowResult(number, reference, "rejected")
    if not reference:
        result.problems.append(Problem("provider_reference", "", "This column is required."))
        return result
    if reference in seen:
        result.problems.append(
            Problem("provider_reference", reference, f"Already on row {seen[reference]}.")
        )
        return result
    seen[reference] = number
    values, relations, outcomes, problems = parser.parse(cells)
    if problems:
        result.problems = problems
        return result
    opportunity = existing.get(reference)
    if opportunity is not None and _unchanged(opportunity, values, relations, outcomes):
        result.action, result.opportunity_id = "unchanged", opportunity.pk
        return result
    if values.get("status") == LearningOpportunity.Status.PUBLISHED:
        values["published_at"] = (opportunity and opportunity.published_at) or timezone.now()
    created = opportunity is None
    opportunity = opportunity or LearningOpportunity(
        provider=provider, provider_reference=reference
    )
    # One history entry per row, written with the chunk, instead of one per descriptor list.
    opportunity.skip_history_when_saving = True
    try:
        with transaction.atomic():
            saved = opportunity_save(
                opportunity=opportunity, values=values, relations=relations, outcomes=outcomes
            )
    except ValidationError as error:
        result.problems = _model_problems(error)
        return result
    finally:
        del opportunity.skip_history_when_saving
    existing[reference] = saved
    result.action, result.opportunity_id = ("created" if created else "updated"), saved.pk
    return result


def _history_record(results: list[RowResult], existing: dict) -> None:
    for action, update in (("created", False), ("updated", True)):
        saved = [existing[row.reference] for row in results if row.action == action]
        if saved:
            LearningOpportunity.history.bulk_history_create(
                saved, update=update, default_change_reason="spreadsheet import"
            )


def opportunities_import(
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    provider: Organisation,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import template rows into ``provider``'s records; see the module docstring."""
    report = ImportReport(dry_run=dry_run)
    parser = RowParser(Vocabularies())
    existing, seen = _existing(provider), {}
    rows = iter(rows)
    # A real import commits row by row: a long file never holds one long transaction.
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        while True:
            chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
            if not chunk:
                break
            with bulk_write():
                results = [
                    _import_row(
                        number,
                        cells,
                        provider=provider,
                        parser=parser,
                        existing=existing,
                        seen=seen,
                    )
                    for number, cells in chunk
                ]
                _history_record(results, existing)
            report.rows += results
            if progress:
                progress(len(chunk))
        if dry_run:
            transaction.set_rollback(True)
    return report
