"""Run the benchmarks: ``python -m bench [name ...]`` (all when no name is given).

Each benchmark builds its own scratch test database (``test_<name>``), so it never touches
the data of the database that DATABASE_URL points to. Figures are printed, not asserted.
"""

import argparse
import functools
import os
import sys
import timeit

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oclo.settings")
    django.setup()
    from bench import (
        api,
        editions_migration,
        elm_import,
        engines,
        esco_import,
        faults,
        jobs,
        memory,
        relevance,
        search,
        skills,
        spreadsheet_import,
    )

    benchmarks = {
        "esco": esco_import.run,
        "search": search.run,
        "relevance": relevance.run,
        "api": api.run,
        "memory": memory.run,
        "import": spreadsheet_import.run,
        "faults": faults.run,
        "elm": elm_import.run,
        "jobs": jobs.run,
        "skills": skills.run,
        "editions_migration": editions_migration.run,
        "engines": engines.run,
    }
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*benchmarks, []], metavar="name")
    parser.add_argument(
        "--soak-minutes", type=float, default=2, help="faults: how long the soak runs"
    )
    arguments = parser.parse_args()
    names = arguments.names or list(benchmarks)
    benchmarks["faults"] = functools.partial(faults.run, soak_minutes=arguments.soak_minutes)
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    # Lets benchmarks read response contexts through the test client.
    setup_test_environment()

    print(f"database: {connection.vendor}", file=sys.stderr)
    print(_machine_speed())
    # OCLO_BENCH_KEEPDB=1 keeps the scratch database, and its generated catalogue, for the
    # next run.
    keepdb = os.environ.get("OCLO_BENCH_KEEPDB") == "1"
    databases = setup_databases(
        verbosity=0, interactive=False, keepdb=keepdb, serialized_aliases=set()
    )
    try:
        for name in names:
            benchmarks[name]()
    finally:
        if not keepdb:
            teardown_databases(databases, verbosity=0)


def _machine_speed() -> str:
    """A yardstick printed with the figures: the machines these run on differ twofold in
    single-core speed from one day to the next, so figures compare only beside it."""
    loop = min(timeit.repeat("sum(range(10**6))", number=10, repeat=5)) / 10 * 1000
    return (
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
        f"sum(range(10**6)) in {loop:.1f} ms (best of 5; lower is faster)"
    )


if __name__ == "__main__":
    main()
