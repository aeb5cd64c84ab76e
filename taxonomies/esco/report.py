"""What an ESCO import did: counts per kind of record, and every row it rejected with the file,
line and reason.
"""

from dataclasses import dataclass, field


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
    # Records that show a changed skill (the catalogue's), refreshed for it.
    records_refreshed: int = 0

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
        lines.append(f"records showing changed skills: {self.records_refreshed} refreshed")
        return lines
