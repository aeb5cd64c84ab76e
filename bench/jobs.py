"""Courses for a job at scale: the page and the API for a mix of occupations against the
synthetic catalogue (issue 15 target: p95 under 150 ms at 100,000 opportunities).

Uses the search benchmark's catalogue (OCLO_BENCH_COUNT, default 100,000; the full ESCO bundle
with occupations is loaded first when it is beside the project). First with every answer
computed (the first visit of each occupation pays for its skills and their hierarchy), then
with the answers kept per catalogue version, as in production.
"""

import os
import statistics
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client

from bench.search import _percentile, _prepare
from catalogue.search.facet_index import facet_index
from taxonomies.models import EscoOccupation

OCCUPATIONS = 20


def _sample_occupations() -> list[EscoOccupation]:
    """Occupations with many skills (the expensive ones) and named ones a learner would try."""
    named = list(
        EscoOccupation.objects.occupations().filter(
            preferred_label__in=["software developer", "journalist", "data analyst"]
        )
    )
    busiest = list(
        EscoOccupation.objects.occupations()
        .annotate(skill_count=Count("skill_relations"))
        .order_by("-skill_count", "pk")[: OCCUPATIONS - len(named)]
    )
    return named + busiest


def run() -> None:
    count = int(os.environ.get("OCLO_BENCH_COUNT", "100000"))
    rounds = int(os.environ.get("OCLO_BENCH_ROUNDS", "3"))
    _prepare(count)
    occupations = _sample_occupations()
    if not occupations:
        print("jobs: skipped, no ESCO occupations (the full bundle is not beside the project)")
        return
    facet_index.current()
    client = Client()
    for cached in (False, True):
        settings.OCLO_SEARCH_CACHE = cached
        print(
            f"courses for a job, {count} opportunities on {connection.vendor}, "
            f"{len(occupations)} occupations x {rounds} rounds, "
            + ("answers kept per catalogue version:" if cached else "every answer computed:")
        )
        _measure(client, occupations, rounds)


def _measure(client: Client, occupations: list[EscoOccupation], rounds: int) -> None:
    for label, path, params in (
        ("page, no filter", "/jobs/{key}/", {}),
        ("page, 2 filters + 2 skills held", "/jobs/{key}/", {"eqf": "6", "language": "ENG"}),
        ("API, no filter", "/api/v1/esco-occupations/{key}/opportunities/", {}),
        ("API, build a path", "/api/v1/esco-occupations/{key}/opportunities/", {"path": "true"}),
    ):
        timings, totals = [], []
        for _ in range(rounds):
            for occupation in occupations:
                query = dict(params)
                if "language" in params:
                    query["have"] = [skill.key for skill in occupation.skills.order_by("pk")[:2]]
                started = time.perf_counter()
                response = client.get(path.format(key=occupation.key), query)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.content[:300]
                if path.startswith("/api/"):
                    totals.append(response.json()["count"])
        matched = f", median {statistics.median(totals):.0f} results" if totals else ""
        print(
            f"  {label}: p50 {statistics.median(timings):.0f} ms, "
            f"p95 {_percentile(timings, 0.95):.0f} ms, max {max(timings):.0f} ms{matched}"
        )
