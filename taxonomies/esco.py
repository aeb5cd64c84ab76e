"""Loader for the official ESCO CSV bundle (v1.1 and v1.2 file names).

Streams each file, upserts by concept URI one batch per transaction, and reports every row it
rejects with the file, line and reason instead of stopping at the first bad row.
"""

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from taxonomies.models import EscoBroaderRelation, EscoSkill, EscoSkillLabel

ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/(skill|isced-f)/[\w.-]+$")
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
    rejections: list[Rejection] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = []
        for name in ("skills", "groups", "relations", "labels"):
            counts: ImportCounts = getattr(self, name)
            lines.append(
                f"{name}: {counts.created} created, {counts.updated} updated, "
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


def _clean_concept(row: dict[str, str], concept_type: str) -> dict:
    if None in row:
        raise RowRejected(f"{len(row[None])} more field(s) than the header")
    uri = (row.get("conceptUri") or "").strip()
    if not ESCO_URI.match(uri):
        raise RowRejected(f"conceptUri {uri!r} is not an ESCO skill or skill-group URI")
    label = (row.get("preferredLabel") or "").strip()
    if not label:
        raise RowRejected(f"{uri} has no preferredLabel")
    skill_type = (row.get("skillType") or "").strip()
    if skill_type and skill_type not in SKILL_TYPES:
        raise RowRejected(f"{uri}: unknown skillType {skill_type!r}")
    reuse_level = (row.get("reuseLevel") or "").strip()
    if reuse_level and reuse_level not in REUSE_LEVELS:
        raise RowRejected(f"{uri}: unknown reuseLevel {reuse_level!r}")
    modified_text = (row.get("modifiedDate") or "").strip()
    modified: datetime | None = parse_datetime(modified_text) if modified_text else None
    if modified_text and modified is None:
        raise RowRejected(f"{uri}: modifiedDate {modified_text!r} is not a date-time")
    code = (row.get("code") or "").strip()
    if not code and "/isced-f/" in uri:
        code = uri.rsplit("/", 1)[1]
    return {
        "uri": uri,
        "concept_type": concept_type,
        "code": code,
        "preferred_label": label[:255],
        "alt_labels": "\n".join(
            alt.strip() for alt in (row.get("altLabels") or "").splitlines() if alt.strip()
        ),
        "description": (row.get("description") or "").strip(),
        "skill_type": skill_type,
        "reuse_level": reuse_level,
        "status": (row.get("status") or "released").strip(),
        "modified": modified,
    }


class _EscoImporter:
    def __init__(self, directory: Path, *, batch_size: int, progress: ProgressFactory):
        self.directory = directory
        self.batch_size = batch_size
        self.progress = progress
        self.report = EscoImportReport()
        # uri -> (id, field values): what the database holds, to tell unchanged rows apart.
        self.known: dict[str, tuple[int, tuple]] = {
            values[0]: (values[1], tuple(values[2:]))
            for values in EscoSkill.objects.values_list("uri", "id", *CONCEPT_FIELDS).iterator()
        }

    def reject(self, path: Path, line: int, reason: str, counts: ImportCounts) -> None:
        counts.skipped += 1
        self.report.rejections.append(Rejection(path.name, line, reason))

    def import_concepts(self, path: Path, concept_type: str, counts: ImportCounts) -> None:
        batch: list[dict] = []
        seen: set[str] = set()
        for line, row in self.progress(_read(path, {"conceptUri", "preferredLabel"}), path.name):
            try:
                values = _clean_concept(row, concept_type)
            except RowRejected as error:
                self.reject(path, line, str(error), counts)
                continue
            if values["uri"] in seen:
                self.reject(path, line, f"{values['uri']} appears twice; first row kept", counts)
                continue
            seen.add(values["uri"])
            batch.append(values)
            if len(batch) >= self.batch_size:
                self._write_concepts(batch, counts)
                batch = []
        self._write_concepts(batch, counts)

    @transaction.atomic
    def _write_concepts(self, batch: list[dict], counts: ImportCounts) -> None:
        to_write = []
        for values in batch:
            current = self.known.get(values["uri"])
            fields = tuple(values[name] for name in CONCEPT_FIELDS)
            if current is None:
                counts.created += 1
            elif current[1] == fields:
                counts.unchanged += 1
                continue
            else:
                counts.updated += 1
            to_write.append(EscoSkill(**values))
        if not to_write:
            return
        EscoSkill.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["uri"],
            update_fields=CONCEPT_FIELDS,
        )
        ids = dict(
            EscoSkill.objects.filter(uri__in=[skill.uri for skill in to_write]).values_list(
                "uri", "id"
            )
        )
        for skill in to_write:
            self.known[skill.uri] = (
                ids[skill.uri],
                tuple(getattr(skill, name) for name in CONCEPT_FIELDS),
            )

    def import_relations(self, path: Path) -> None:
        counts = self.report.relations
        wanted: set[tuple[int, int]] = set()
        for line, row in self.progress(_read(path, {"conceptUri", "broaderUri"}), path.name):
            narrower = self.known.get((row.get("conceptUri") or "").strip())
            broader = self.known.get((row.get("broaderUri") or "").strip())
            if narrower is None or broader is None:
                missing = row.get("conceptUri") if narrower is None else row.get("broaderUri")
                self.reject(path, line, f"{missing} is not in the imported concepts", counts)
                continue
            wanted.add((narrower[0], broader[0]))
        narrower_ids = {narrower for narrower, _ in wanted}
        existing = {
            pair
            for pair in EscoBroaderRelation.objects.values_list("narrower_id", "broader_id")
            if pair[0] in narrower_ids
        }
        stale = existing - wanted
        new = sorted(wanted - existing)
        counts.unchanged += len(wanted & existing)
        for start in range(0, len(new), self.batch_size):
            with transaction.atomic():
                EscoBroaderRelation.objects.bulk_create(
                    [
                        EscoBroaderRelation(narrower_id=narrower, broader_id=broader)
                        for narrower, broader in new[start : start + self.batch_size]
                    ],
                    ignore_conflicts=True,
                )
        counts.created += len(new)
        for narrower, broader in stale:
            EscoBroaderRelation.objects.filter(narrower_id=narrower, broader_id=broader).delete()
        counts.deleted += len(stale)

    def import_labels(self, path: Path, language: str) -> None:
        counts = self.report.labels
        existing = {
            skill_id: (preferred, alt)
            for skill_id, preferred, alt in EscoSkillLabel.objects.filter(
                language=language
            ).values_list("skill_id", "preferred_label", "alt_labels")
        }
        batch: list[EscoSkillLabel] = []
        for line, row in self.progress(_read(path, {"conceptUri", "preferredLabel"}), path.name):
            uri = (row.get("conceptUri") or "").strip()
            known = self.known.get(uri)
            label = (row.get("preferredLabel") or "").strip()
            if known is None:
                self.reject(path, line, f"{uri} is not in the imported concepts", counts)
                continue
            if not label:
                self.reject(path, line, f"{uri} has no preferredLabel", counts)
                continue
            alt = "\n".join(a.strip() for a in (row.get("altLabels") or "").splitlines() if a)
            current = existing.get(known[0])
            if current == (label[:255], alt):
                counts.unchanged += 1
                continue
            if current is None:
                counts.created += 1
            else:
                counts.updated += 1
            batch.append(
                EscoSkillLabel(
                    skill_id=known[0],
                    language=language,
                    preferred_label=label[:255],
                    alt_labels=alt,
                )
            )
            if len(batch) >= self.batch_size:
                self._write_labels(batch)
                batch = []
        self._write_labels(batch)

    @transaction.atomic
    def _write_labels(self, batch: list[EscoSkillLabel]) -> None:
        EscoSkillLabel.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["skill", "language"],
            update_fields=["preferred_label", "alt_labels"],
        )


def esco_import(
    directory: str | Path,
    *,
    batch_size: int | None = None,
    progress: ProgressFactory = _no_progress,
) -> EscoImportReport:
    """Load an ESCO CSV bundle folder: skills, skill groups, hierarchy and extra-language labels.

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
    groups_path = _find(directory, "skillGroups_en.csv")
    if groups_path:
        importer.import_concepts(groups_path, EscoSkill.ConceptType.GROUP, importer.report.groups)
    importer.import_concepts(skills_path, EscoSkill.ConceptType.SKILL, importer.report.skills)
    relations_path = _find(
        directory, "broaderRelationsSkillPillar.csv", "broaderRelationsSkillPillar_en.csv"
    )
    if relations_path:
        importer.import_relations(relations_path)
    for labels_path in sorted(directory.glob("skills_*.csv")) + sorted(
        directory.glob("*/skills_*.csv")
    ):
        language = labels_path.stem.split("_", 1)[1]
        if language != "en":
            importer.import_labels(labels_path, language)
    return importer.report
