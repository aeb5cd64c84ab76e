"""Reading a LOQ document: once, streaming (``iterparse``), keeping each top-level record as
XML in a scratch SQLite file by id, so that a learning opportunity can be read with the records
it refers to wherever they stand in the document (decision 0009, "Streaming")."""

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from descriptors.formats.elm_xml import LOQ

# The records a document lists in its reference groups, by element name.
RECORD_ELEMENTS = {
    "learningOpportunity",
    "learningAchievementSpecification",
    "qualification",
    "learningOutcome",
    "learningActivitySpecification",
    "learningAssessmentSpecification",
    "organisation",
    "location",
}
STAGING_BATCH = 2000


class DocumentRejected(ValueError):
    """A document that cannot be read at all (not XML, not a LOQ document)."""


@dataclass
class LoqElement:
    """One record of a document, parsed on its own; ``line`` is where it starts."""

    id: str
    element: etree._Element
    line: int

    def source_line(self, element) -> int:
        """The line in the document of an element of this record."""
        return self.line + (element.sourceline or 1) - 1


class LoqDocument:
    """A document read once, streaming: each top-level record is kept, as XML, in a scratch
    SQLite file by its id, so that references may point forwards (opportunities come first,
    the organisations they name last) and a 1 GB document needs no 1 GB of memory."""

    def __init__(self, source: BinaryIO | bytes | str | Path):
        self._directory = tempfile.TemporaryDirectory(prefix="oclo-loq-")
        self._db = sqlite3.connect(Path(self._directory.name) / "records.sqlite3")
        self._db.execute(
            "CREATE TABLE record (seq INTEGER PRIMARY KEY, id TEXT, kind TEXT, line INT, xml BLOB,"
            " grp TEXT)"
        )
        self.duplicates = 0
        self._stage(source)
        self._db.execute("CREATE INDEX record_id ON record (id)")
        self._db.execute("CREATE INDEX record_group ON record (grp)")
        # Micro-credentials: groups of learning opportunities.
        self.opportunity_count = self._db.execute(
            "SELECT COUNT(DISTINCT grp) FROM record WHERE kind = 'learningOpportunity'"
        ).fetchone()[0]

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()

    def __enter__(self) -> "LoqDocument":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _stage(self, source) -> None:
        if isinstance(source, bytes):
            source = _BytesReader(source)
        elif isinstance(source, str | Path):
            source = str(source)
        events = etree.iterparse(
            source,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
        )
        depth, batch = 0, []
        try:
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1 and etree.QName(element).namespace != LOQ:
                        raise DocumentRejected(
                            f"not an ELM LOQ document: the root element is {element.tag}"
                        )
                    continue
                if depth == 3 and isinstance(element.tag, str):
                    name = etree.QName(element).localname
                    if name in RECORD_ELEMENTS and element.get("id"):
                        batch.append(
                            (
                                element.get("id"),
                                name,
                                element.sourceline,
                                etree.tostring(element),
                                _group(element) if name == "learningOpportunity" else None,
                            )
                        )
                    # Done with it: free it and its finished siblings.
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while element.getprevious() is not None:
                        del parent[0]
                    if len(batch) >= STAGING_BATCH:
                        self._store(batch)
                depth -= 1
        except etree.XMLSyntaxError as error:
            raise DocumentRejected(f"not well-formed XML: {error}") from error
        self._store(batch)

    def _store(self, batch: list) -> None:
        self._db.executemany(
            "INSERT INTO record (id, kind, line, xml, grp) VALUES (?, ?, ?, ?, ?)", batch
        )
        batch.clear()

    def opportunities(self) -> Iterator[list[LoqElement]]:
        """The document's micro-credentials in document order: each the learning
        opportunities (editions) that share an achievement specification (a repeated id: the
        first of them)."""
        seen = set()
        groups = self._db.cursor().execute(
            "SELECT grp FROM record WHERE kind = 'learningOpportunity' "
            "GROUP BY grp ORDER BY MIN(seq)"
        )
        for (group,) in groups:
            found = []
            for record_id, line, xml in self._db.execute(
                "SELECT id, line, xml FROM record WHERE grp = ? ORDER BY seq", (group,)
            ):
                if record_id in seen:
                    self.duplicates += 1
                    continue
                seen.add(record_id)
                found.append(LoqElement(record_id, etree.fromstring(xml), line))
            if found:
                yield found

    def get(self, record_id: str | None) -> LoqElement | None:
        """The record with this id (the first, should several have it)."""
        row = self._db.execute(
            "SELECT line, xml FROM record WHERE id = ? ORDER BY seq LIMIT 1", (record_id,)
        ).fetchone()
        return LoqElement(record_id, etree.fromstring(row[1]), row[0]) if row else None


def _group(opportunity) -> str:
    """Which micro-credential a learning opportunity offers: its specification's id (else its
    own, and the import will say it lacks one)."""
    specification = opportunity.find(f"{{{LOQ}}}learningAchievementSpecification")
    if specification is not None and specification.get("idref"):
        return specification.get("idref")
    return opportunity.get("id")


class _BytesReader:
    """A file-like view of bytes for iterparse (which wants a file or a name)."""

    def __init__(self, data: bytes):
        self._data, self._position = memoryview(data), 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._position + size
        chunk = self._data[self._position : end].tobytes()
        self._position += len(chunk)
        return chunk
