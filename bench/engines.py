"""Text search engines side by side (issue 21, decision record 0011): OCLO's database text
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

import dataclasses
import itertools
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.test import Client

from bench.search import QUERY_MIX, _percentile, _prepare, page_served
from catalogue.search.facet_index import facet_index
from catalogue.search.indexing import search_index_update
from catalogue.search.text_engines import (
    DatabaseTextEngine,
    TantivyTextEngine,
    TextDocument,
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
REINDEX_SAMPLE = 2000
READ_CHUNK = 2000
BUILD_BATCH = 20_000
# Copies' ids stay in a compact range: numpy's isin (the selectors', the ranking's) switches to
# a lookup table as large as the range of the ids.
COPY_ID_STEP = 10**6


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
    size = "; in the database file"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('catalogue_searchdocument'), "
                "pg_total_relation_size('catalogue_searchword')"
            )
            documents, vocabulary = cursor.fetchone()
        size = (
            f"; tables and indexes {(documents + vocabulary) / 2**20:.0f} MB, in PostgreSQL's "
            "memory, not this process"
        )
    return (
        f"database: indexing about {seconds:.0f} s for {len(ids)} documents "
        f"(re-indexed {len(sample)} and scaled){size}"
    )


def _tantivy_build(documents: Iterable[TextDocument], path: Path) -> tuple[TantivyTextEngine, str]:
    before = _resident_mb()
    engine = TantivyTextEngine(path)
    indexed, started, documents = 0, time.perf_counter(), iter(documents)
    while batch := list(itertools.islice(documents, BUILD_BATCH)):
        engine.documents_add(batch)
        indexed += len(batch)
    return engine, (
        f"tantivy: indexing {time.perf_counter() - started:.0f} s for {indexed} documents; "
        f"{_directory_mb(path):.0f} MB on disk; this process grew by "
        f"{_resident_mb() - before:.0f} MB"
    )


def _read_documents(ids: list[int]) -> tuple[list[TextDocument], float]:
    started = time.perf_counter()
    documents = []
    for start in range(0, len(ids), READ_CHUNK):
        documents += text_documents(ids[start : start + READ_CHUNK])
    return documents, time.perf_counter() - started


def _copies(documents: list[TextDocument], copies: int) -> Iterator[TextDocument]:
    """The catalogue ``copies`` times over, each copy with ids of its own."""
    assert max(document.id for document in documents) < COPY_ID_STEP
    for copy in range(copies):
        for document in documents:
            yield dataclasses.replace(document, id=document.id + copy * COPY_ID_STEP)


def _row(name: str, hits: object, timings: list[float]) -> str:
    return (
        f"  {name:<20}{hits!s:>9}{statistics.median(timings):>9.1f}"
        f"{_percentile(timings, 0.95):>9.1f}"
    )


def _text_part(engine: TextEngine, text: str) -> np.ndarray:
    """What the text engine does for one search: every match, and the rank of each."""
    matches = engine.search(text)
    matches.relevance(matches.ids)
    return matches.ids


def _text_figures(engine: TextEngine, rounds: int) -> dict[str, tuple]:
    figures = {}
    for name, params in ENGINE_QUERIES.items():
        if params.get("q"):
            timings, ids = _timed(lambda text=params["q"]: _text_part(engine, text), rounds)
            figures[name] = (len(ids), timings)
    return figures


def _print_text_figures(figures: dict[str, tuple]) -> None:
    print(f"  {'text part':<20}{'matches':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, (hits, timings) in figures.items():
        print(_row(name, hits, timings))


def _measure(label: str, engine: TextEngine, rounds: int) -> dict[str, tuple]:
    """Text part alone and whole page, per query type, with this engine behind search."""
    previous = text_engine_use(engine)
    client = Client()
    text = _text_figures(engine, rounds)
    page = {}
    try:
        for name, params in ENGINE_QUERIES.items():
            total = client.get("/", params).context["result"].total
            timings, response = _timed(lambda params=params: page_served(params), rounds)
            assert response.status_code == 200, response.status_code
            page[name] = (total, timings)
    finally:
        text_engine_use(previous)
    print(f"{label}:")
    _print_text_figures(text)
    print(f"  {'whole search page':<20}{'results':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, (total, timings) in page.items():
        print(_row(name, total, timings))
    return {"text": text, "page": page}


def _p95_table(measured: dict[str, dict]) -> None:
    """p95 side by side, each as a share of the database's, with the matches (text) or results
    (page) each engine found: a ratio means little where they differ."""
    print("p95 ms side by side (x the database's) [matches or results]:")
    for part in ("text", "page"):
        print(f"  {part:<20}" + "".join(f"{label:>30}" for label in measured))
        for name in ENGINE_QUERIES:
            values = [figures[part].get(name) for figures in measured.values()]
            if None in values:
                continue
            p95s = [_percentile(timings, 0.95) for _, timings in values]
            cells = (
                f"{p95:>9.1f} ({p95 / max(p95s[0], 0.1):>5.2f}x) [{hits:>7}]"
                for p95, (hits, _) in zip(p95s, values, strict=True)
            )
            print(f"  {name:<20}" + "".join(f"{cell:>30}" for cell in cells))


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
    documents, reading = _read_documents(ids)
    print(f"reading the {len(documents)} documents' texts from the database: {reading:.0f} s")
    directory = Path(tempfile.mkdtemp(prefix="oclo-tantivy-"))
    cache = settings.OCLO_SEARCH_CACHE
    settings.OCLO_SEARCH_CACHE = False
    try:
        tantivy, built = _tantivy_build(documents, directory / "catalogue")
        print(built)
        measured = {
            "database": _measure(
                "database (PostgreSQL full text / SQLite in Python)", DatabaseTextEngine(), rounds
            ),
            "tantivy exact words": _measure(
                "tantivy, exact words only (the database's matches)", tantivy.exact_words(), rounds
            ),
            "tantivy widened": _measure(
                "tantivy, with word forms and typos (issue 13)", tantivy, rounds
            ),
        }
        _p95_table(measured)
        copies = int(os.environ.get("OCLO_BENCH_TANTIVY_COPIES", "0"))
        if copies > 1:
            _tantivy_copies(documents, copies, directory / "copies", rounds)
    finally:
        settings.OCLO_SEARCH_CACHE = cache
        shutil.rmtree(directory, ignore_errors=True)
    print(
        f"load average after: {', '.join(f'{load:.1f}' for load in os.getloadavg())}; "
        f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def _tantivy_copies(documents: list[TextDocument], copies: int, path: Path, rounds: int) -> None:
    """tantivy's text part on the catalogue repeated ``copies`` times (OCLO_BENCH_TANTIVY_COPIES):
    a larger index without generating it in the database, whose own search cannot be measured
    on it (so: the text part only)."""
    engine, built = _tantivy_build(_copies(documents, copies), path)
    print(built)
    for label, variant in (("exact words", engine.exact_words()), ("widened", engine)):
        print(f"tantivy on {copies} copies of the catalogue, {label}:")
        _print_text_figures(_text_figures(variant, rounds))
