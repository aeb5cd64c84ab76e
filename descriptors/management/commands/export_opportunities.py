from pathlib import Path

from django.core.management.base import BaseCommand

from descriptors.formats.spreadsheet import (
    dump_template_csv,
    dump_template_xlsx,
    provider_rows,
    template_rows,
)
from descriptors.management.arguments import organisation_named


class Command(BaseCommand):
    help = (
        "Write a provider's learning opportunities in the import template (CSV or XLSX, by "
        "the file's extension); without --provider, the empty template with an example row."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="A .csv or .xlsx path.")
        parser.add_argument("--provider", help="The organisation's exact name.")

    def handle(self, output, provider, **options):
        rows = provider_rows(organisation_named(provider)) if provider else template_rows()
        dump = dump_template_xlsx if output.lower().endswith(".xlsx") else dump_template_csv
        Path(output).write_bytes(dump(rows))
        self.stdout.write(f"{len(rows)} rows written to {output}")
