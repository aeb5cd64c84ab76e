"""Search page at scale: a fixed query mix against a synthetic catalogue (issue 3 targets:
p95 under 150 ms for every query type, under 50 ms for the empty query and facet-only browsing).

OCLO_BENCH_COUNT sets the catalogue size (default 100,000); OCLO_BENCH_ROUNDS the repetitions,
after one uncounted warm-up request per query type.
"""

import gc
import os
import resource
import statistics
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext

from bench.esco_import import DEFAULT_BUNDLE
from catalogue.search.facet_index import _new_day, facet_index
from catalogue.synthetic import catalogue_generate
from descriptors.models import LearningOpportunity
from taxonomies.esco import esco_import

QUERY_MIX = {
    "empty query": {},
    "common word": {"q": "management"},
    "rare word": {"q": "photovoltaic"},
    "phrase": {"q": '"data analysis"'},
    "text + 2 facets": {"q": "management", "eqf": "6", "mode": "920fbb3cbe"},
    "5 facets": {
        "eqf": "6",
        "mode": "920fbb3cbe",
        "language": "ITA",
        "type": "05053c1cbe",
        "ects": "2-5",
    },
    "page 50": {"page": "50"},
    # Filters on the editions (1-6 per micro-credential).
    "free, starting within 90 days": {"price": "free", "start": "90"},
    "applications open, sorted by start": {"application": "open", "sort": "start"},
    "past editions only": {"when": "past"},
    # Issue 13: a misspelt word is corrected, a word the catalogue has in other forms widened.
    "typo, common word": {"q": "managment"},
    "typo, rare word": {"q": "photovoltiac"},
    "word form": {"q": "photographing"},
    "no record has all words": {"q": "photovoltaic zebra"},
    # One record has all three: those with two of them follow it.
    "few have all words": {"q": "photovoltaic marketing strategy"},
}


_handler = ClientHandler()


def page_served(params: dict) -> HttpResponse:
    """The search page through the whole middleware stack, as a server answers it.

    Not through the test client's ``get`` when timing: each of its requests connects a new
    template listener, which Django's ``func_accepts_kwargs`` keeps in a 512-entry
    ``lru_cache`` with the contexts it recorded. Every full garbage collection then walked the
    last 512 pages: 100-300 ms pauses, most of the p95 at 100,000 records, that no server has.
    """
    return _handler(RequestFactory().get("/", params).environ)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _prepare(count: int) -> None:
    existing = LearningOpportunity.objects.published().count()
    if existing >= count:
        return
    call_command("load_taxonomies", verbosity=0)
    if (DEFAULT_BUNDLE / "skills_en.csv").is_file():
        esco_import(DEFAULT_BUNDLE)
    started = time.perf_counter()
    catalogue_generate(
        count - existing,
        progress=lambda line: print(line, file=sys.stderr),
        jobs=2 if connection.vendor == "postgresql" else 1,
    )
    print(f"generated {count - existing} opportunities in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum would gather them on a live site after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run() -> None:
    count = int(os.environ.get("OCLO_BENCH_COUNT", "100000"))
    rounds = int(os.environ.get("OCLO_BENCH_ROUNDS", "30"))
    _prepare(count)
    facet_index.reset()
    started = time.perf_counter()
    snapshot = facet_index.current()
    gc.freeze()  # as gunicorn's master does before forking its workers (oclo/gunicorn.py)
    print(
        f"facet index: {snapshot.size} documents built in {time.perf_counter() - started:.1f} s; "
        f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    started = time.perf_counter()
    _new_day(snapshot)  # what the first search after midnight waits for
    print(f"facet index: a new day's refresh in {time.perf_counter() - started:.2f} s")
    client = Client()
    # Warm-up (plan caches, first page reads; not counted), read for the result counts.
    totals = {
        name: client.get("/", params).context["result"].total for name, params in QUERY_MIX.items()
    }
    # What those first requests built lasts: a gunicorn worker freezes it after its first
    # requests (FREEZE_AFTER_REQUESTS in oclo/gunicorn.py).
    gc.collect()
    gc.freeze()
    print(f"search page, {count} opportunities on {connection.vendor}, {rounds} rounds:")
    for label, cached in (("each search computed", False), ("repeat visits (cache)", True)):
        settings.OCLO_SEARCH_CACHE = cached
        print(f"{label:<18}{'results':>9}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
        for name, params in QUERY_MIX.items():
            timings, queries, total = [], 0, totals[name]
            page_served(params)  # the cached run's first visit fills its cache
            for _ in range(rounds):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = page_served(params)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                queries = len(captured.captured_queries)
            print(
                f"  {name:<16}{total:>9}{statistics.median(timings):>9.1f}"
                f"{_percentile(timings, 0.95):>9.1f}{queries:>9}"
            )
