"""ELM LOQ import: a document of 5,000 records from another installation (all new drafts),
the same document again (all unchanged), and this catalogue's own export of them re-imported
(matched by id, all unchanged).

Target (issue 12.5): a catalogue of 5,000 records in under a minute (>= 100 records/s) on the
2-core development machine, streaming the file: the import's own memory (Python allocations,
traced) stays flat however large the document. Records come from the synthetic catalogue
(``generate_catalogue``), with two to five outcomes linked to ESCO skills each.
"""

import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.test import override_settings

from catalogue.models import CatalogueChange
from catalogue.synthetic import catalogue_generate
from descriptors.elm_import import elm_import
from descriptors.formats.elm_xml import dump_loq
from descriptors.models import LearningOpportunity
from taxonomies.loaders import taxonomies_load
from taxonomies.models import Concept, Scheme


def _export(ids: list[int], path: Path) -> None:
    opportunities = LearningOpportunity.objects.with_detail_data().filter(pk__in=ids)
    path.write_bytes(dump_loq(opportunities.order_by("pk")))


def _measure(label: str, path: Path, count: int, *, traced: bool = False) -> None:
    """One import, timed; ``traced`` also records the import's peak of Python memory (which
    slows it down several times: its time is not the rate)."""
    changes = CatalogueChange.objects.count()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    report = elm_import(path)
    seconds = time.perf_counter() - started
    memory = ""
    if traced:
        memory = f", import's traced peak {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB"
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"ELM import ({label}, {count} records, {path.stat().st_size / 1e6:.1f} MB): "
        f"{seconds:.1f} s, {count / seconds:.0f} records/s{memory}, process peak RSS "
        f"{rss:.0f} MB; {report.summary}; "
        f"{CatalogueChange.objects.count() - changes} change-log entries"
    )


def run() -> None:
    if not Concept.objects.filter(scheme=Scheme.LANGUAGE).exists():
        taxonomies_load()
    count = int(os.environ.get("OCLO_BENCH_ELM_RECORDS", "5000"))
    LearningOpportunity.objects.all().delete()
    catalogue_generate(count, progress=lambda message: None)
    ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
    with tempfile.TemporaryDirectory() as directory:
        own, foreign = Path(directory) / "own.xml", Path(directory) / "foreign.xml"
        _export(ids, own)
        with override_settings(OCLO_BASE_URL="https://oclo.other.example"):
            _export(ids, foreign)
        # The other installation's records without their provider identifiers: new here.
        LearningOpportunity.objects.all().delete()
        _measure("another installation's export, all new", foreign, count)
        _measure("the same document again", foreign, count)
        ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
        _export(ids, own)
        _measure("our own export, matched by id", own, count)
        _measure("the same, memory traced", own, count, traced=True)
