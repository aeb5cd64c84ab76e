"""Loader for the official ESCO CSV bundle (v1.1 and v1.2 file names), one module per step:
reading the files (``rows``), writing the tables (``tables``, ``importer``), the whole bundle
(``bundle``) and what the import did (``report``).

Streams each file, upserts by concept URI one batch per transaction, and reports every row it
rejects with the file, line and reason instead of stopping at the first bad row. Relation files
are mirrored: a relation the new bundle no longer has is deleted.
"""

from taxonomies.esco.bundle import esco_import
from taxonomies.esco.report import EscoImportReport, ImportCounts, Rejection
from taxonomies.esco.rows import RowRejected, esco_version_of

__all__ = [
    "EscoImportReport",
    "ImportCounts",
    "Rejection",
    "RowRejected",
    "esco_import",
    "esco_version_of",
]
