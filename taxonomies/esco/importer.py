"""Upserting the rows of each ESCO file: concepts by URI one batch per transaction, hierarchy
edges and occupation-skill relations mirrored (what the file no longer has is deleted), labels
in other languages, and the occupations' type-ahead text.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import models, transaction

from taxonomies.esco.report import EscoImportReport, ImportCounts, Rejection
from taxonomies.esco.rows import RowRejected, multi_valued, read_rows
from taxonomies.esco.tables import (
    CONCEPT_FIELDS,
    OCCUPATION_FIELDS,
    ConceptTable,
    delete_ids,
    insert_rows,
    sync_edges,
    update_rows,
)
from taxonomies.models import (
    EscoOccupation,
    EscoOccupationLabel,
    EscoOccupationSkill,
    EscoSkill,
    label_search_text,
)

RELATIONS = {choice.value for choice in EscoOccupationSkill.Relation}
# Wraps a file's rows, e.g. in a progress bar; given the rows and the file's name.
ProgressFactory = Callable[[Iterator, str], Iterator]


class EscoImporter:
    def __init__(self, directory: Path, *, batch_size: int, progress: ProgressFactory):
        self.directory = directory
        self.batch_size = batch_size
        self.progress = progress
        self.report = EscoImportReport()
        self.skills = ConceptTable(EscoSkill, CONCEPT_FIELDS)
        self.occupations = ConceptTable(EscoOccupation, OCCUPATION_FIELDS)

    def reject(self, path: Path, line: int, reason: str, counts: ImportCounts) -> None:
        counts.skipped += 1
        self.report.rejections.append(Rejection(path.name, line, reason))

    def rows(self, path: Path, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
        return self.progress(read_rows(path, required), path.name)

    def import_concepts(
        self,
        path: Path,
        table: ConceptTable,
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
    def _write_concepts(self, table: ConceptTable, batch: list[dict], counts: ImportCounts) -> None:
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
                table.changed.add(current[0])
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
        self, path: Path, table: ConceptTable, model: type[models.Model], counts: ImportCounts
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
        sync_edges(model, wanted, counts, self.batch_size)

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
        insert_rows(
            EscoOccupationSkill,
            ("occupation_id", "skill_id", "relation"),
            [(occupation, skill, wanted[occupation, skill]) for occupation, skill in new],
        )
        update_rows(EscoOccupationSkill, "relation", changed)
        delete_ids(EscoOccupationSkill, stale, self.batch_size)
        counts.created += len(new)
        counts.updated += len(changed)
        counts.deleted += len(stale)
        counts.unchanged += len(wanted) - len(new) - len(changed)

    def import_labels(
        self,
        path: Path,
        language: str,
        table: ConceptTable,
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
            alt = multi_valued(row.get("altLabels"))
            current = existing.get(owner_id)
            if current == (label[:255], alt):
                counts.unchanged += 1
                continue
            if current is None:
                counts.created += 1
            else:
                counts.updated += 1
            table.changed.add(owner_id)
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
