"""Text search engines side by side (issue 21, decision record 0008): OCLO's database text
search against tantivy, an embedded search library, on the same generated catalogue.

For each query type it prints the hits and p50/p95 of
- the text part alone: the engine's matching ids and their relevance (``TextEngine``);
- the whole search page (facet counts, page, snippets) with that engine behind the selectors;
and, per engine, the index build time, its size and the memory it took. Every search is
computed (the result caches are off): these are cache misses.

``OCLO_BENCH_COUNT`` sets the catalogue size (default 100,000), ``OCLO_BENCH_ROUNDS`` the
repetitions (default 20) after one uncounted warm-up per query type. Needs the ``bench``
dependency group (``pip install tantivy``).
"""

import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.test import Client

from bench.search import QUERY_MIX, _percentile, _prepare
from catalogue.facet_index import facet_index
from catalogue.search_index import search_index_update
from catalogue.text_engine import (
    DatabaseTextEngine,
    TantivyTextEngine,
    TextEngine,
    text_documents,
    text_engine_use,
)
from descriptors.models import LearningOpportunity

# The search benchmark's mix, plus what issue 13 asks search to understand: a misspelt word
# (common, then rare) and a word form the catalogue does not contain as such.
ENGINE_QUERIES = {
    **QUERY_MIX,
    "typo, common word": {"q": "managment"},
    "typo, rare word": {"q": "photovoltiac"},
    "word form, common": {"q": "developers"},
    "word form, rare": {"q": "photographing"},
}
# Indexing cost of the database engine is measured on a sample and scaled (re-indexing the
# whole catalogue takes minutes and would also rewrite the data the other engine reads).
REINDEX_SAMPLE = 5000
READ_CHUNK = 2000


def _resident_mb() -> float:
    """Current resident memory of this process (not the peak)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _directory_mb(path: Path) -> float:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file()) / 2**20


def _timed(action: Callable[[], object], rounds: int) -> tuple[list[float], object]:
    action()  # warm-up: plan caches, first page reads (not counted)
    timings, answer = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        answer = action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, answer


def _database_index_figures(ids: list[int]) -> str:
    sample = ids[:REINDEX_SAMPLE]
    started = time.perf_counter()
    search_index_update(sample)
    seconds = (time.perf_counter() - started) * len(ids) / max(1, len(sample))
    size = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('catalogue_searchdocument'), "
                "pg_total_relation_size('catalogue_searchword')"
            )
            documents, vocabulary = cursor.fetchone()
        size = f"; tables and indexes {(documents + vocabulary) / 2**20:.0f} MB"
    return (
        f"database: indexing about {seconds:.0f} s for {len(ids)} documents "
        f"(re-indexed {len(sample)} and scaled){size}; in PostgreSQL's memory, not this process"
    )


def _tantivy_build(ids: list[int], path: Path) -> tuple[TantivyTextEngine, str]:
    before = _resident_mb()
    engine = TantivyTextEngine(path)
    reading = indexing = 0.0
    for start in range(0, len(ids), READ_CHUNK * 5):
        started = time.perf_counter()
        documents = []
        for chunk in range(start, min(len(ids), start + READ_CHUNK * 5), READ_CHUNK):
            documents += text_documents(ids[chunk : chunk + READ_CHUNK])
        reading += time.perf_counter() - started
        started = time.perf_counter()
        engine.documents_add(documents)
        indexing += time.perf_counter() - started
    return engine, (
        f"tantivy: indexing {indexing:.0f} s (+ {reading:.0f} s reading the texts from the "
        f"database) for {len(ids)} documents; {_directory_mb(path):.0f} MB on disk; this "
        f"process grew by {_resident_mb() - before:.0f} MB"
    )


def _row(name: str, hits: object, timings: list[float]) -> str:
    return (
        f"  {name:<20}{hits!s:>9}{statistics.median(timings):>9.1f}"
        f"{_percentile(timings, 0.95):>9.1f}"
    )


def _text_part(engine: TextEngine, text: str) -> np.ndarray:
    """What the text engine does for one search: match, then rank every match."""
    matches = engine.search(text)
    return matches.relevance(matches.ids)[0]


def _measure(label: str, engine: TextEngine, rounds: int) -> dict[str, tuple]:
    """Text part alone and whole page, per query type, with this engine behind search."""
    previous = text_engine_use(engine)
    client = Client()
    figures = {}
    try:
        for name, params in ENGINE_QUERIES.items():
            text = params.get("q", "")
            if text:
                text_timings, ids = _timed(
                    lambda text=text: _text_part(engine, text),
                    rounds,
                )
            else:
                text_timings, ids = [0.0], []
            page_timings, response = _timed(lambda params=params: client.get("/", params), rounds)
            assert response.status_code == 200, response.status_code
            figures[name] = (
                len(ids) if text else "-",
                text_timings,
                response.context["result"].total,
                page_timings,
            )
    finally:
        text_engine_use(previous)
    print(f"{label}:")
    print(f"  {'text part':<20}{'matches':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, (hits, timings, _, _) in figures.items():
        if hits != "-":
            print(_row(name, hits, timings))
    print(f"  {'whole search page':<20}{'results':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, (_, _, total, timings) in figures.items():
        print(_row(name, total, timings))
    return figures


def _ratios(database: dict, tantivy: dict) -> None:
    print("ratio database / tantivy (p95; above 1 the database is slower):")
    print(f"  {'query':<20}{'text':>9}{'page':>9}")
    for name in ENGINE_QUERIES:
        text = (
            f"{_percentile(database[name][1], 0.95) / _percentile(tantivy[name][1], 0.95):.1f}x"
            if database[name][0] != "-"
            else "-"
        )
        page = _percentile(database[name][3], 0.95) / _percentile(tantivy[name][3], 0.95)
        print(f"  {name:<20}{text:>9}{page:>8.1f}x")


def run() -> None:
    count = int(os.environ.get("OCLO_BENCH_COUNT", "100000"))
    rounds = int(os.environ.get("OCLO_BENCH_ROUNDS", "20"))
    _prepare(count)
    print(f"engines: {count} opportunities on {connection.vendor}, {rounds} rounds, cache misses")
    print(f"load average before: {', '.join(f'{load:.1f}' for load in os.getloadavg())}")
    started = time.perf_counter()
    facet_index.reset()
    facet_index.current()
    print(f"facet index (shared by both engines): built in {time.perf_counter() - started:.0f} s")
    ids = list(LearningOpportunity.objects.published().order_by("pk").values_list("pk", flat=True))
    print(_database_index_figures(ids))
    directory = Path(tempfile.mkdtemp(prefix="oclo-tantivy-"))
    cache = settings.OCLO_SEARCH_CACHE
    settings.OCLO_SEARCH_CACHE = False
    try:
        tantivy, built = _tantivy_build(ids, directory)
        print(built)
        database = _measure(
            "database (PostgreSQL full text / SQLite in Python)", DatabaseTextEngine(), rounds
        )
        measured = _measure("tantivy (embedded, one index per machine)", tantivy, rounds)
        _ratios(database, measured)
    finally:
        settings.OCLO_SEARCH_CACHE = cache
        shutil.rmtree(directory, ignore_errors=True)
    print(
        f"load average after: {', '.join(f'{load:.1f}' for load in os.getloadavg())}; "
        f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        file=sys.stdout,
    )
