from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from descriptors.formats.futurelearn import futurelearn_convert
from descriptors.formats.spreadsheet import SpreadsheetError, read_rows
from descriptors.imports import opportunities_import
from descriptors.management.arguments import existing_file, organisation_named


class Command(BaseCommand):
    help = (
        "Import or update a provider's learning opportunities from the spreadsheet template "
        "(CSV or XLSX). Each row lands whole or is reported with its reasons."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--provider", required=True, help="The organisation's exact name.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument(
            "--from-futurelearn",
            action="store_true",
            help="The file is the FutureLearn catalogue CSV: convert it first.",
        )

    def handle(self, file, provider, dry_run, from_futurelearn, **options):
        organisation = organisation_named(provider)
        path = existing_file(file)
        raw = path.read_bytes()
        skipped = []
        try:
            if from_futurelearn:
                conversion = futurelearn_convert(raw)
                rows, skipped = conversion.rows, conversion.skipped
            else:
                rows = list(read_rows(raw, path.name))
        except SpreadsheetError as error:
            raise CommandError(str(error)) from error
        for number, reason in skipped:
            self.stdout.write(f"row {number}: {reason}")
        with tqdm(total=len(rows), unit="row", disable=None, file=self.stderr) as bar:
            report = opportunities_import(
                rows, provider=organisation, dry_run=dry_run, progress=bar.update
            )
        for row in report.rows:
            for problem in row.problems:
                where = f"row {row.row}" + (f", {problem.column}" if problem.column else "")
                value = f" {problem.value!r}:" if problem.value else ""
                self.stdout.write(f"{where}:{value} {problem.message}")
        prefix = "dry run, nothing written: " if dry_run else ""
        left_out = f", {len(skipped)} left out by the conversion" if skipped else ""
        self.stdout.write(f"{prefix}{report.summary}{left_out}")
