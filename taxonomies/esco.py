"""Loader for the official ESCO CSV bundle (v1.1 and v1.2 file names).

Streams each file, upserts by concept URI one batch per transaction, and reports every row it
rejects with the file, line and reason instead of stopping at the first bad row. Relation files
are mirrored: a relation the new bundle no longer has is deleted.
"""

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from taxonomies.models import (
    EscoBroaderRelation,
    EscoOccupation,
    EscoOccupationBroader,
    EscoOccupationLabel,
    EscoOccupationSkill,
    EscoRelease,
    EscoSkill,
    EscoSkillLabel,
    label_search_text,
)
from taxonomies.selectors import ESCO_VERSION_CACHE_KEY

ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|isced-f)/[\w.-]+$")
OCCUPATION_URI = re.compile(r"^http://data\.europa\.eu/esco/(occupation|isco)/[\w.-]+$")
# "ESCO dataset - v1.2.0 - classification - en - csv": the release is in the bundle's name.
VERSION_IN_NAME = re.compile(r"v(\d+\.\d+(?:\.\d+)?)")
RELATIONS = {choice.value for choice in EscoOccupationSkill.Relation}
SKILL_TYPES = {choice.value for choice in EscoSkill.SkillType}
REUSE_LEVELS = {choice.value for choice in EscoSkill.ReuseLevel}
# The concept fields an upsert compares and writes, in one place so that "unchanged" means
# the same thing for skills and groups.
CONCEPT_FIELDS = (
    "concept_type",
    "code",
    "preferred_label",
    "alt_labels",
    "description",
    "skill_type",
    "reuse_level",
    "status",
    "modified",
)
OCCUPATION_FIELDS = (
    "concept_type",
    "code",
    "isco_code",
    "preferred_label",
    "alt_labels",
    "hidden_labels",
    "description",
    "status",
    "modified",
)

ProgressFactory = Callable[[Iterator, str], Iterator]


class RowRejected(ValueError):
    """A row that cannot be imported; the message says why."""


@dataclass
class Rejection:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.reason}"


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0


@dataclass
class EscoImportReport:
    skills: ImportCounts = field(default_factory=ImportCounts)
    groups: ImportCounts = field(default_factory=ImportCounts)
    relations: ImportCounts = field(default_factory=ImportCounts)
    labels: ImportCounts = field(default_factory=ImportCounts)
    occupations: ImportCounts = field(default_factory=ImportCounts)
    isco_groups: ImportCounts = field(default_factory=ImportCounts)
    occupation_relations: ImportCounts = field(default_factory=ImportCounts)
    occupation_skills: ImportCounts = field(default_factory=ImportCounts)
    occupation_labels: ImportCounts = field(default_factory=ImportCounts)
    rejections: list[Rejection] = field(default_factory=list)
    version: str = ""

    SECTIONS = (
        "skills",
        "groups",
        "relations",
        "labels",
        "occupations",
        "isco_groups",
        "occupation_relations",
        "occupation_skills",
        "occupation_labels",
    )

    def summary_lines(self) -> list[str]:
        lines = [f"ESCO version: {self.version}"]
        for name in self.SECTIONS:
            counts: ImportCounts = getattr(self, name)
            lines.append(
                f"{name.replace('_', ' ')}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged, {counts.deleted} deleted, {counts.skipped} skipped"
            )
        return lines


def _no_progress(rows: Iterator, _description: str) -> Iterator:
    return rows


def _find(directory: Path, *names: str) -> Path | None:
    for name in names:
        if (directory / name).is_file():
            return directory / name
    return None


def _read(path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
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


def _lines(text: str | None) -> str:
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


def _clean_concept(row: dict[str, str], concept_type: str) -> dict:
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
        "alt_labels": _lines(row.get("altLabels")),
        "description": (row.get("description") or "").strip(),
        "skill_type": skill_type,
        "reuse_level": reuse_level,
        "status": (row.get("status") or "released").strip(),
        "modified": modified,
    }


def _clean_occupation(row: dict[str, str], concept_type: str) -> dict:
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
        "alt_labels": _lines(row.get("altLabels")),
        "hidden_labels": _lines(row.get("hiddenLabels")),
        "description": (row.get("description") or "").strip(),
        "status": (row.get("status") or "released").strip(),
        "modified": _modified(row, uri),
    }


@dataclass
class _Table:
    """A concept table and what it holds: uri -> (id, field values), to tell unchanged rows
    apart and to resolve the URIs of relation files."""

    model: type[models.Model]
    fields: tuple[str, ...]
    known: dict[str, tuple[int, tuple]] = field(default_factory=dict)

    def __post_init__(self):
        self.known = {
            values[0]: (values[1], tuple(values[2:]))
            for values in self.model.objects.values_list("uri", "id", *self.fields).iterator()
        }

    def id_of(self, uri: str | None) -> int | None:
        known = self.known.get((uri or "").strip())
        return known[0] if known else None


def _sync_edges(
    model: type[models.Model], wanted: set[tuple[int, int]], counts: ImportCounts, batch_size: int
) -> None:
    """Make the broader edges of the narrower concepts in ``wanted`` exactly ``wanted``."""
    narrower_ids = {narrower for narrower, _ in wanted}
    existing = {
        (pk, narrower, broader)
        for pk, narrower, broader in model.objects.values_list("pk", "narrower_id", "broader_id")
        if narrower in narrower_ids
    }
    existing_pairs = {(narrower, broader) for _, narrower, broader in existing}
    new = sorted(wanted - existing_pairs)
    stale = [pk for pk, narrower, broader in existing if (narrower, broader) not in wanted]
    counts.unchanged += len(wanted & existing_pairs)
    for start in range(0, len(new), batch_size):
        with transaction.atomic():
            model.objects.bulk_create(
                [
                    model(narrower_id=narrower, broader_id=broader)
                    for narrower, broader in new[start : start + batch_size]
                ],
                ignore_conflicts=True,
            )
    counts.created += len(new)
    _delete_ids(model, stale, batch_size)
    counts.deleted += len(stale)


@transaction.atomic
def _insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many plain rows: COPY on PostgreSQL, one prepared statement on SQLite. The ORM's
    bulk_create spent 15 s building model instances and SQL for ESCO's 124k occupation-skill
    relations; this takes about one."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


@transaction.atomic
def _update_rows(model: type[models.Model], column: str, rows: list[tuple]) -> None:
    """Set one column of many rows, given as (value, id) pairs (bulk_update's CASE grows with
    the batch and took seconds for a few thousand rows)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", rows
        )


def _delete_ids(model: type[models.Model], ids: list[int], batch_size: int) -> None:
    for start in range(0, len(ids), batch_size):
        model.objects.filter(pk__in=ids[start : start + batch_size]).delete()


class _EscoImporter:
    def __init__(self, directory: Path, *, batch_size: int, progress: ProgressFactory):
        self.directory = directory
        self.batch_size = batch_size
        self.progress = progress
        self.report = EscoImportReport()
        self.skills = _Table(EscoSkill, CONCEPT_FIELDS)
        self.occupations = _Table(EscoOccupation, OCCUPATION_FIELDS)

    def reject(self, path: Path, line: int, reason: str, counts: ImportCounts) -> None:
        counts.skipped += 1
        self.report.rejections.append(Rejection(path.name, line, reason))

    def rows(self, path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
        return self.progress(_read(path, required), path.name)

    def import_concepts(
        self,
        path: Path,
        table: _Table,
        clean: Callable[[dict[str, str], str], dict],
        concept_type: str,
        counts: ImportCounts,
    ) -> None:
        batch: list[dict] = []
        seen: set[str] = set()
        for line, row in self.rows(path, {"conceptUri", "preferredLabel"}):
            try:
                values = clean(row, concept_type)
            except RowRejected as error:
                self.reject(path, line, str(error), counts)
                continue
            if values["uri"] in seen:
                self.reject(path, line, f"{values['uri']} appears twice; first row kept", counts)
                continue
            seen.add(values["uri"])
            batch.append(values)
            if len(batch) >= self.batch_size:
                self._write_concepts(table, batch, counts)
                batch = []
        self._write_concepts(table, batch, counts)

    @transaction.atomic
    def _write_concepts(self, table: _Table, batch: list[dict], counts: ImportCounts) -> None:
        to_write = []
        for values in batch:
            current = table.known.get(values["uri"])
            fields = tuple(values[name] for name in table.fields)
            if current is None:
                counts.created += 1
            elif current[1] == fields:
                counts.unchanged += 1
                continue
            else:
                counts.updated += 1
            to_write.append(table.model(**values))
        if not to_write:
            return
        table.model.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["uri"],
            update_fields=table.fields,
        )
        ids = dict(
            table.model.objects.filter(uri__in=[row.uri for row in to_write]).values_list(
                "uri", "id"
            )
        )
        for row in to_write:
            table.known[row.uri] = (
                ids[row.uri],
                tuple(getattr(row, name) for name in table.fields),
            )

    def import_broader(
        self, path: Path, table: _Table, model: type[models.Model], counts: ImportCounts
    ) -> None:
        wanted: set[tuple[int, int]] = set()
        for line, row in self.rows(path, {"conceptUri", "broaderUri"}):
            narrower = table.id_of(row.get("conceptUri"))
            broader = table.id_of(row.get("broaderUri"))
            if narrower is None or broader is None:
                missing = row.get("conceptUri") if narrower is None else row.get("broaderUri")
                self.reject(path, line, f"{missing} is not in the imported concepts", counts)
                continue
            wanted.add((narrower, broader))
        _sync_edges(model, wanted, counts, self.batch_size)

    def import_occupation_skills(self, path: Path) -> None:
        """Mirror the file: relations it no longer has are deleted, changed types updated."""
        counts = self.report.occupation_skills
        wanted: dict[tuple[int, int], str] = {}
        required = {"occupationUri", "relationType", "skillUri"}
        for line, row in self.rows(path, required):
            occupation = self.occupations.id_of(row.get("occupationUri"))
            skill = self.skills.id_of(row.get("skillUri"))
            relation = (row.get("relationType") or "").strip()
            if occupation is None:
                reason = f"{row.get('occupationUri')} is not in the imported occupations"
            elif skill is None:
                reason = f"{row.get('skillUri')} is not in the imported skills"
            elif relation not in RELATIONS:
                reason = f"unknown relationType {relation!r}"
            else:
                # Listed twice with both types: essential wins, it is the stronger claim.
                if wanted.get((occupation, skill)) != EscoOccupationSkill.Relation.ESSENTIAL:
                    wanted[(occupation, skill)] = relation
                continue
            self.reject(path, line, reason, counts)
        existing = {
            (occupation, skill): (pk, relation)
            for pk, occupation, skill, relation in EscoOccupationSkill.objects.values_list(
                "pk", "occupation_id", "skill_id", "relation"
            ).iterator()
        }
        new = [pair for pair in wanted if pair not in existing]
        changed = [
            (relation, existing[pair][0])
            for pair, relation in wanted.items()
            if pair in existing and existing[pair][1] != relation
        ]
        stale = [pk for pair, (pk, _) in existing.items() if pair not in wanted]
        _insert_rows(
            EscoOccupationSkill,
            ("occupation_id", "skill_id", "relation"),
            [(occupation, skill, wanted[occupation, skill]) for occupation, skill in new],
        )
        _update_rows(EscoOccupationSkill, "relation", changed)
        _delete_ids(EscoOccupationSkill, stale, self.batch_size)
        counts.created += len(new)
        counts.updated += len(changed)
        counts.deleted += len(stale)
        counts.unchanged += len(wanted) - len(new) - len(changed)

    def import_labels(
        self,
        path: Path,
        language: str,
        table: _Table,
        model: type[models.Model],
        owner: str,
        counts: ImportCounts,
    ) -> None:
        existing = {
            owner_id: (preferred, alt)
            for owner_id, preferred, alt in model.objects.filter(language=language).values_list(
                f"{owner}_id", "preferred_label", "alt_labels"
            )
        }
        batch: list[models.Model] = []
        for line, row in self.rows(path, {"conceptUri", "preferredLabel"}):
            uri = (row.get("conceptUri") or "").strip()
            owner_id = table.id_of(uri)
            label = (row.get("preferredLabel") or "").strip()
            if owner_id is None:
                self.reject(path, line, f"{uri} is not in the imported concepts", counts)
                continue
            if not label:
                self.reject(path, line, f"{uri} has no preferredLabel", counts)
                continue
            alt = _lines(row.get("altLabels"))
            current = existing.get(owner_id)
            if current == (label[:255], alt):
                counts.unchanged += 1
                continue
            if current is None:
                counts.created += 1
            else:
                counts.updated += 1
            batch.append(
                model(
                    **{f"{owner}_id": owner_id},
                    language=language,
                    preferred_label=label[:255],
                    alt_labels=alt,
                )
            )
            if len(batch) >= self.batch_size:
                self._write_labels(model, owner, batch)
                batch = []
        self._write_labels(model, owner, batch)

    @transaction.atomic
    def _write_labels(self, model: type[models.Model], owner: str, batch: list) -> None:
        model.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=[owner, "language"],
            update_fields=["preferred_label", "alt_labels"],
        )

    def refresh_occupation_search_text(self) -> None:
        """Every label of each occupation in every language, for the type-ahead."""
        other_languages: dict[int, list[str]] = {}
        for occupation_id, preferred, alt in EscoOccupationLabel.objects.values_list(
            "occupation_id", "preferred_label", "alt_labels"
        ):
            other_languages.setdefault(occupation_id, []).extend([preferred, alt])
        changed = []
        for pk, preferred, alt, hidden, current in EscoOccupation.objects.values_list(
            "pk", "preferred_label", "alt_labels", "hidden_labels", "search_text"
        ).iterator():
            text = label_search_text(preferred, alt, hidden, *other_languages.get(pk, []))
            if text != current:
                changed.append(EscoOccupation(pk=pk, search_text=text))
        with transaction.atomic():
            EscoOccupation.objects.bulk_update(changed, ["search_text"], batch_size=self.batch_size)


def _labels_files(directory: Path, stem: str) -> Iterator[tuple[Path, str]]:
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


def esco_import(
    directory: str | Path,
    *,
    version: str | None = None,
    batch_size: int | None = None,
    progress: ProgressFactory = _no_progress,
) -> EscoImportReport:
    """Load an ESCO CSV bundle folder: skills, skill groups, hierarchy, occupations, ISCO groups
    and their hierarchy, occupation-skill relations and extra-language labels, then record which
    ESCO version is loaded.

    Raises ``FileNotFoundError`` when the folder holds no ``skills_en.csv`` and ``RowRejected``
    when a file lacks a required column; bad rows are skipped and reported, never fatal.
    """
    directory = Path(directory)
    skills_path = _find(directory, "skills_en.csv")
    if skills_path is None:
        raise FileNotFoundError(f"{directory} holds no skills_en.csv: is it an ESCO CSV bundle?")
    importer = _EscoImporter(
        directory,
        batch_size=batch_size or settings.OCLO_ESCO_IMPORT_BATCH_SIZE,
        progress=progress,
    )
    report = importer.report
    report.version = esco_version_of(directory, version)
    skills, occupations = importer.skills, importer.occupations
    groups_path = _find(directory, "skillGroups_en.csv")
    if groups_path:
        importer.import_concepts(
            groups_path, skills, _clean_concept, EscoSkill.ConceptType.GROUP, report.groups
        )
    importer.import_concepts(
        skills_path, skills, _clean_concept, EscoSkill.ConceptType.SKILL, report.skills
    )
    relations_path = _find(
        directory, "broaderRelationsSkillPillar.csv", "broaderRelationsSkillPillar_en.csv"
    )
    if relations_path:
        importer.import_broader(relations_path, skills, EscoBroaderRelation, report.relations)
    for labels_path, language in _labels_files(directory, "skills"):
        importer.import_labels(
            labels_path, language, skills, EscoSkillLabel, "skill", report.labels
        )

    isco_path = _find(directory, "ISCOGroups_en.csv")
    if isco_path:
        importer.import_concepts(
            isco_path,
            occupations,
            _clean_occupation,
            EscoOccupation.ConceptType.ISCO_GROUP,
            report.isco_groups,
        )
    occupations_path = _find(directory, "occupations_en.csv")
    if occupations_path:
        importer.import_concepts(
            occupations_path,
            occupations,
            _clean_occupation,
            EscoOccupation.ConceptType.OCCUPATION,
            report.occupations,
        )
    occupation_relations_path = _find(
        directory, "broaderRelationsOccPillar.csv", "broaderRelationsOccPillar_en.csv"
    )
    if occupation_relations_path:
        importer.import_broader(
            occupation_relations_path,
            occupations,
            EscoOccupationBroader,
            report.occupation_relations,
        )
    occupation_skills_path = _find(
        directory, "occupationSkillRelations.csv", "occupationSkillRelations_en.csv"
    )
    if occupation_skills_path:
        importer.import_occupation_skills(occupation_skills_path)
    for stem in ("ISCOGroups", "occupations"):
        for labels_path, language in _labels_files(directory, stem):
            importer.import_labels(
                labels_path,
                language,
                occupations,
                EscoOccupationLabel,
                "occupation",
                report.occupation_labels,
            )
    if occupations.known:
        importer.refresh_occupation_search_text()
    _record_release(directory, report.version)
    return report


def _record_release(directory: Path, version: str) -> None:
    cache.delete(ESCO_VERSION_CACHE_KEY)
    EscoRelease.objects.update_or_create(
        version=version,
        source=str(directory.resolve())[:255],
        defaults={
            "loaded_at": timezone.now(),
            "skills": EscoSkill.objects.skills().count(),
            "occupations": EscoOccupation.objects.occupations().count(),
        },
    )
