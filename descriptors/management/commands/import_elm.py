from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from descriptors.elm_import import DocumentRejected, elm_import
from descriptors.management.arguments import existing_file, organisation_named


class Command(BaseCommand):
    help = (
        "Import the learning opportunities of an ELM LOQ XML document. Each record is imported "
        "whole or not at all; rejected records are listed with the reason and line, and what "
        "the document holds that the catalogue does not keep is counted. Re-importing updates "
        "the same records. Records from other systems arrive as drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--provider",
            help="Import every record as this organisation's (its exact name), as its API "
            "token would; records of other organisations are refused. Without it, each "
            "record's provider is the first organisation the document names (created if the "
            "catalogue does not have it yet).",
        )

    def handle(self, file, provider, **options):
        organisation = organisation_named(provider) if provider else None
        path = existing_file(file)
        with tqdm(unit="record", disable=None, file=self.stderr) as bar:

            def total(count: int) -> None:
                bar.total = count
                bar.refresh()

            try:
                report = elm_import(
                    path,
                    provider=organisation,
                    create_organisations=organisation is None,
                    progress=bar.update,
                    total=total,
                )
            except DocumentRejected as error:
                raise CommandError(str(error)) from error
        self.stdout.write(report.summary)
        for rejection in report.rejected:
            self.stdout.write(self.style.WARNING(f"  rejected {rejection}"))
        for note in report.notes():
            self.stdout.write(f"  {note}")
