"""Run the benchmarks: ``python -m bench [name ...]`` (all when no name is given).

Each benchmark builds its own scratch test database (``test_<name>``), so it never touches
the data of the database that DATABASE_URL points to. Figures are printed, not asserted.
"""

import argparse
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oclo.settings")
    django.setup()
    from bench import (
        api,
        elm_import,
        esco_import,
        faults,
        jobs,
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
        "import": spreadsheet_import.run,
        "faults": faults.run,
        "elm": elm_import.run,
        "jobs": jobs.run,
        "skills": skills.run,
    }
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*benchmarks, []], metavar="name")
    names = parser.parse_args().names or list(benchmarks)
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    # Lets benchmarks read response contexts through the test client.
    setup_test_environment()

    print(f"database: {connection.vendor}", file=sys.stderr)
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


if __name__ == "__main__":
    main()
