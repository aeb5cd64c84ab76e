"""Spreadsheet import: a 10,000-row template file for one provider, the same file again (all
unchanged), then a file where every row has a new title and outcome skills (all updated).

Target (issue 6): at least 1,000 rows per second with validation, on PostgreSQL; peak memory.
Rows are varied copies of the template's example (distinct identifiers and titles, a few
languages, levels, fields and ESCO skills), as a provider's export would look.
"""

import os
import resource
import time

from descriptors.formats.spreadsheet import EXAMPLE_ROW, dump_template_csv, read_rows
from descriptors.imports import opportunities_import
from descriptors.models import Organisation
from taxonomies.loaders import taxonomies_load
from taxonomies.models import Concept, Scheme

LANGUAGES = ["en", "it", "fr; en", "de", "es; en"]
FIELDS = ["0211", "0613", "0413; 0311", "0722", "0912"]
SKILLS = ["photography", "cameras", "perform image editing", "lighting techniques"]


def _rows(count: int, edition: int = 1) -> list[dict[str, str]]:
    return [
        {
            **EXAMPLE_ROW,
            "provider_reference": f"BENCH-{index:05d}",
            "title": f"Benchmark course {index}, edition {edition}",
            "languages": LANGUAGES[index % len(LANGUAGES)],
            "isced_fields": FIELDS[index % len(FIELDS)],
            "eqf_level": str(3 + index % 6),
            "outcomes": f"Outcome one of course {index} [{SKILLS[index % 4]}]\n"
            f"Outcome two [{SKILLS[(index + edition) % 4]}; {SKILLS[(index + edition + 1) % 4]}]",
        }
        for index in range(count)
    ]


def run() -> None:
    if not Concept.objects.filter(scheme=Scheme.LANGUAGE).exists():
        taxonomies_load()
    count = int(os.environ.get("OCLO_BENCH_IMPORT_ROWS", "10000"))
    first, second = dump_template_csv(_rows(count)), dump_template_csv(_rows(count, edition=2))
    provider, _ = Organisation.objects.get_or_create(
        name="Benchmark provider",
        defaults={
            "provider_type": Concept.objects.get(scheme=Scheme.PROVIDER_TYPE, code="hei"),
            "country": Concept.objects.get(scheme=Scheme.COUNTRY, code="ITA"),
        },
    )
    provider.opportunities.all().delete()
    runs = (("new records", first), ("same file again", first), ("every row edited", second))
    for label, raw in runs:
        started = time.perf_counter()
        report = opportunities_import(read_rows(raw, "bench.csv"), provider=provider)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"spreadsheet import ({label}, {count} rows, {len(raw) / 1e6:.1f} MB): "
            f"{seconds:.1f} s, {count / seconds:.0f} rows/s, process peak RSS {peak:.0f} MB; "
            f"{report.summary}"
        )
