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
    from bench import esco_import

    benchmarks = {"esco": esco_import.run}
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*benchmarks, []], metavar="name")
    names = parser.parse_args().names or list(benchmarks)
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    print(f"database: {connection.vendor}", file=sys.stderr)
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        for name in names:
            benchmarks[name]()
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
