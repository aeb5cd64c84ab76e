"""ESCO import: the full official bundle (skills, occupations and their relations) into an
empty database, then a no-op re-import.

Target (issue 15): the full bundle with occupations in 20 s or less and under 500 MB peak
memory on a 2-core machine with PostgreSQL.
"""

import os
import resource
import time
from pathlib import Path

from django.conf import settings

from taxonomies.esco import esco_import
from taxonomies.models import EscoOccupation, EscoSkill

DEFAULT_BUNDLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "esco"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> None:
    bundle = Path(os.environ.get("OCLO_ESCO_BUNDLE", DEFAULT_BUNDLE))
    if not (bundle / "skills_en.csv").is_file():
        print(f"esco: skipped, no bundle at {bundle} (set OCLO_ESCO_BUNDLE)")
        return
    EscoOccupation.objects.all().delete()
    EscoSkill.objects.all().delete()
    for label in ("empty database", "re-import, nothing changed"):
        started = time.perf_counter()
        report = esco_import(bundle, version=os.environ.get("OCLO_ESCO_VERSION"))
        seconds = time.perf_counter() - started
        print(
            f"esco import ({label}): {seconds:.1f} s, process peak RSS {_peak_rss_mb():.0f} MB; "
            + "; ".join(report.summary_lines()[1:])
        )
