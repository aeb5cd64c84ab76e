"""A spreadsheet template row's cells read into the values the write path takes: vocabulary
values resolved, yes/no, numbers and dates in the ways people type them, outcomes with their
ESCO skills in [ ], grants with who can get them and their web page. A cell that cannot be
read is a ``Problem`` of its row."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from descriptors.formats.spreadsheet import COLUMNS, GRANT_SEPARATOR, MULTI_SEPARATOR
from descriptors.models import Edition, LearningOpportunity
from descriptors.services import grant_validate
from descriptors.text import fold
from descriptors.vocabularies import UnknownValue, Vocabularies

EXCEL_EPOCH = date(1899, 12, 30)
SKILLS_AT_END = re.compile(r"^(?P<title>.*?)\s*\[(?P<skills>[^\[\]]*)\]\s*$")
YES = {"yes", "y", "true", "1", "si", "sì", "x"}
NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Problem:
    column: str
    value: str
    message: str


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


def _whole(text: str, unit: str) -> int | None:
    number = _decimal(text)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise CellError(f"'{text}' is not a whole number of {unit}.")
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


def _grants(text: str) -> list[dict]:
    """One grant per line: name | who can get it | web page, the last two optional, each
    checked as the model checks it. The name ends at the first | and the web page starts
    after the last, so that who can get it may hold a | of its own."""
    grants = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        title, _, rest = line.partition(GRANT_SEPARATOR)
        description, homepage = rest, ""
        if GRANT_SEPARATOR in rest:
            description, _, homepage = rest.rpartition(GRANT_SEPARATOR)
        grant = {
            "title": title.strip(),
            "description": description.strip(),
            "homepage": homepage.strip(),
        }
        try:
            grant_validate(grant)
        except ValidationError as error:
            raise CellError(error.messages[0]) from error
        grants.append(grant)
    return grants


class RowParser:
    """Turns one row's cells into the values ``opportunity_save`` takes."""

    def __init__(self, vocabularies: Vocabularies):
        self.vocabularies = vocabularies

    def parse(self, cells: dict[str, str], columns=COLUMNS):
        """The row's field values, many-to-many relations, children (outcomes and grants, each
        only when its column is there) and problems."""
        values, relations, children, problems = {}, {}, {}, []
        for column in columns:
            if column.name not in cells or column.name == "provider_reference":
                continue
            text = cells[column.name]
            try:
                if column.required and not text:
                    raise CellError("This column is required.")
                if column.name == "outcomes":
                    children["outcomes"] = self._outcomes(text)
                elif column.name == "grants":
                    children["grants"] = _grants(text)
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
        return values, relations, children, problems

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
        if name == "edition_status":
            status = fold(text) or Edition.Status.OPEN
            if status not in Edition.Status.values:
                raise CellError(
                    f"Write planned, open, running, finished or cancelled, not '{text}'."
                )
            return status
        if name in ("any_start_date", "is_free"):
            return _yes_no(text)
        if name in ("start_date", "end_date", "application_deadline"):
            return _date(text)
        if name == "workload_hours":
            return _whole(text, "hours")
        if name == "places":
            return _whole(text, "places")
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
