"""Importing a whole ESCO CSV bundle (v1.1 and v1.2 file names): the skills pillar, then the
occupations pillar, then the record of which release is loaded.
"""

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from taxonomies.esco.importer import EscoImporter, ProgressFactory
from taxonomies.esco.report import EscoImportReport
from taxonomies.esco.rows import (
    clean_occupation,
    clean_skill_concept,
    esco_version_of,
    find_file,
    label_files,
)
from taxonomies.models import (
    EscoBroaderRelation,
    EscoOccupation,
    EscoOccupationBroader,
    EscoOccupationLabel,
    EscoRelease,
    EscoSkill,
    EscoSkillLabel,
)
from taxonomies.selectors import ESCO_VERSION_CACHE_KEY, OCCUPATION_LANGUAGES_CACHE_KEY
from taxonomies.signals import concepts_changed


def _no_progress(rows: Iterator, _description: str) -> Iterator:
    return rows


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
    skills_path = find_file(directory, "skills_en.csv")
    if skills_path is None:
        raise FileNotFoundError(f"{directory} holds no skills_en.csv: is it an ESCO CSV bundle?")
    importer = EscoImporter(
        directory,
        batch_size=batch_size or settings.OCLO_ESCO_IMPORT_BATCH_SIZE,
        progress=progress,
    )
    importer.report.version = esco_version_of(directory, version)
    _import_skills_pillar(importer, directory, skills_path)
    _import_occupations_pillar(importer, directory)
    _record_release(directory, importer.report.version)
    if importer.skills.changed:
        importer.report.records_refreshed = sum(
            refreshed
            for _, refreshed in concepts_changed.send(
                sender=EscoSkill, ids=sorted(importer.skills.changed)
            )
        )
    return importer.report


def _import_skills_pillar(importer: EscoImporter, directory: Path, skills_path: Path) -> None:
    report, skills = importer.report, importer.skills
    groups_path = find_file(directory, "skillGroups_en.csv")
    if groups_path:
        importer.import_concepts(
            groups_path, skills, clean_skill_concept, EscoSkill.ConceptType.GROUP, report.groups
        )
    importer.import_concepts(
        skills_path, skills, clean_skill_concept, EscoSkill.ConceptType.SKILL, report.skills
    )
    relations_path = find_file(
        directory, "broaderRelationsSkillPillar.csv", "broaderRelationsSkillPillar_en.csv"
    )
    if relations_path:
        importer.import_broader(relations_path, skills, EscoBroaderRelation, report.relations)
    for labels_path, language in label_files(directory, "skills"):
        importer.import_labels(
            labels_path, language, skills, EscoSkillLabel, "skill", report.labels
        )


def _import_occupations_pillar(importer: EscoImporter, directory: Path) -> None:
    """Occupations come after skills: their relations name skills by URI."""
    report, occupations = importer.report, importer.occupations
    for name, concept_type, counts in (
        ("ISCOGroups_en.csv", EscoOccupation.ConceptType.ISCO_GROUP, report.isco_groups),
        ("occupations_en.csv", EscoOccupation.ConceptType.OCCUPATION, report.occupations),
    ):
        path = find_file(directory, name)
        if path:
            importer.import_concepts(path, occupations, clean_occupation, concept_type, counts)
    occupation_relations_path = find_file(
        directory, "broaderRelationsOccPillar.csv", "broaderRelationsOccPillar_en.csv"
    )
    if occupation_relations_path:
        importer.import_broader(
            occupation_relations_path,
            occupations,
            EscoOccupationBroader,
            report.occupation_relations,
        )
    occupation_skills_path = find_file(
        directory, "occupationSkillRelations.csv", "occupationSkillRelations_en.csv"
    )
    if occupation_skills_path:
        importer.import_occupation_skills(occupation_skills_path)
    for stem in ("ISCOGroups", "occupations"):
        for labels_path, language in label_files(directory, stem):
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


def _record_release(directory: Path, version: str) -> None:
    cache.delete_many([ESCO_VERSION_CACHE_KEY, OCCUPATION_LANGUAGES_CACHE_KEY])
    EscoRelease.objects.update_or_create(
        version=version,
        source=str(directory.resolve())[:255],
        defaults={
            "loaded_at": timezone.now(),
            "skills": EscoSkill.objects.skills().count(),
            "occupations": EscoOccupation.objects.occupations().count(),
        },
    )
