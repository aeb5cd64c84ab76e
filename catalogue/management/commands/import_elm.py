from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.search_index import deferred_indexing
from descriptors.formats.elm_xml import RecordRejected, load_loq


class Command(BaseCommand):
    help = (
        "Import the learning opportunities of an ELM LOQ XML document. Each record is "
        "imported whole or not at all; rejected records are listed with the reason and line. "
        "Re-importing updates the same records."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            with deferred_indexing():
                report = load_loq(Path(file).read_bytes())
        except (OSError, RecordRejected) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.rejected)} rejected"
        )
        for rejection in report.rejected:
            self.stdout.write(self.style.WARNING(f"  rejected {rejection}"))
        for warning in report.warnings:
            self.stdout.write(f"  note: {warning}")
