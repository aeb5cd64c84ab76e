"""Reading an ESCO CSV bundle: which files it holds, which release it is, each file's rows, and
each row turned into a concept's values or a ``RowRejected`` saying why it cannot be.
"""

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.utils.dateparse import parse_datetime

from taxonomies.models import EscoSkill

ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|isced-f)/[\w.-]+$")
OCCUPATION_URI = re.compile(r"^http://data\.europa\.eu/esco/(occupation|isco)/[\w.-]+$")
# "ESCO dataset - v1.2.0 - classification - en - csv": the release is in the bundle's name.
VERSION_IN_NAME = re.compile(r"v(\d+\.\d+(?:\.\d+)?)")
SKILL_TYPES = {choice.value for choice in EscoSkill.SkillType}
REUSE_LEVELS = {choice.value for choice in EscoSkill.ReuseLevel}


class RowRejected(ValueError):
    """A row that cannot be imported; the message says why."""


def find_file(directory: Path, *names: str) -> Path | None:
    for name in names:
        if (directory / name).is_file():
            return directory / name
    return None


def read_rows(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each record; rejects the whole file if columns are missing."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise RowRejected(
                f"{path.name} lacks the column(s) {', '.join(sorted(missing))}; "
                f"found {', '.join(reader.fieldnames or [])}"
            )
        line = reader.line_num + 1
        for row in reader:
            yield line, row
            line = reader.line_num + 1


def label_files(directory: Path, stem: str) -> Iterator[tuple[Path, str]]:
    """(file, language) of the ``<stem>_<lang>.csv`` files other than English, also one
    folder down (extra-language bundles usually come as a folder of their own)."""
    for path in sorted(directory.glob(f"{stem}_*.csv")) + sorted(directory.glob(f"*/{stem}_*.csv")):
        language = path.stem.split("_", 1)[1]
        if language != "en":
            yield path, language


def esco_version_of(directory: Path, given: str | None = None) -> str:
    """The release a bundle holds: as given, else its ``VERSION`` file, else the version in
    the folder's name (the official zips are named "ESCO dataset - v1.2.0 - ..."); the CSV
    files themselves do not say."""
    if given:
        return given.strip().removeprefix("v")
    version_file = directory / "VERSION"
    if version_file.is_file():
        return version_file.read_text(encoding="utf-8").strip().removeprefix("v")
    match = VERSION_IN_NAME.search(directory.resolve().name)
    return match.group(1) if match else "unknown"


def multi_valued(text: str | None) -> str:
    """A multi-valued cell (one value per line) without blank or padded values."""
    return "\n".join(value.strip() for value in (text or "").splitlines() if value.strip())


def _modified(row: dict[str, str], uri: str) -> datetime | None:
    text = (row.get("modifiedDate") or "").strip()
    modified = parse_datetime(text) if text else None
    if text and modified is None:
        raise RowRejected(f"{uri}: modifiedDate {text!r} is not a date-time")
    return modified


def _uri_and_label(row: dict[str, str], pattern: re.Pattern, what: str) -> tuple[str, str]:
    if None in row:
        raise RowRejected(f"{len(row[None])} more field(s) than the header")
    uri = (row.get("conceptUri") or "").strip()
    if not pattern.match(uri):
        raise RowRejected(f"conceptUri {uri!r} is not an ESCO {what} URI")
    label = (row.get("preferredLabel") or "").strip()
    if not label:
        raise RowRejected(f"{uri} has no preferredLabel")
    return uri, label


def clean_skill_concept(row: dict[str, str], concept_type: str) -> dict:
    uri, label = _uri_and_label(row, ESCO_URI, "skill or skill-group")
    skill_type = (row.get("skillType") or "").strip()
    if skill_type and skill_type not in SKILL_TYPES:
        raise RowRejected(f"{uri}: unknown skillType {skill_type!r}")
    reuse_level = (row.get("reuseLevel") or "").strip()
    if reuse_level and reuse_level not in REUSE_LEVELS:
        raise RowRejected(f"{uri}: unknown reuseLevel {reuse_level!r}")
    modified = _modified(row, uri)
    code = (row.get("code") or "").strip()
    if not code and "/isced-f/" in uri:
        code = uri.rsplit("/", 1)[1]
    return {
        "uri": uri,
        "concept_type": concept_type,
        "code": code,
        "preferred_label": label[:255],
        "alt_labels": multi_valued(row.get("altLabels")),
        "description": (row.get("description") or "").strip(),
        "skill_type": skill_type,
        "reuse_level": reuse_level,
        "status": (row.get("status") or "released").strip(),
        "modified": modified,
    }


def clean_occupation(row: dict[str, str], concept_type: str) -> dict:
    uri, label = _uri_and_label(row, OCCUPATION_URI, "occupation or ISCO group")
    code = (row.get("code") or "").strip()
    isco_code = (row.get("iscoGroup") or "").strip()
    if isco_code and not isco_code.isdigit():
        raise RowRejected(f"{uri}: iscoGroup {isco_code!r} is not an ISCO-08 code")
    return {
        "uri": uri,
        "concept_type": concept_type,
        "code": code[:32],
        "isco_code": isco_code[:8],
        "preferred_label": label[:255],
        "alt_labels": multi_valued(row.get("altLabels")),
        "hidden_labels": multi_valued(row.get("hiddenLabels")),
        "description": (row.get("description") or "").strip(),
        "status": (row.get("status") or "released").strip(),
        "modified": _modified(row, uri),
    }
