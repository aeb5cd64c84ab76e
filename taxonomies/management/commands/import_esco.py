import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from taxonomies.esco import RowRejected, esco_import

SHOWN_REJECTIONS = 50


class Command(BaseCommand):
    help = (
        "Load the official ESCO CSV bundle from a folder (skills, skill groups, occupations, ISCO "
        "groups, their hierarchies, occupation-skill relations, *_<lang>.csv labels; v1.1 or "
        "v1.2 file names). Upserts by URI, mirrors relations; safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder holding the unzipped ESCO CSV files.")
        parser.add_argument(
            "--esco-version",
            help="The release the bundle holds, e.g. 1.2.0 (default: the folder's VERSION file "
            "or the version in its name, as in the official zip's name).",
        )
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, directory, esco_version, batch_size, no_progress, **options):
        def progress(rows, description):
            return tqdm(rows, desc=description, unit=" rows", file=sys.stderr, leave=False)

        try:
            report = esco_import(
                directory,
                version=esco_version,
                batch_size=batch_size,
                progress=(lambda rows, _description: rows) if no_progress else progress,
            )
        except (FileNotFoundError, RowRejected) as error:
            raise CommandError(str(error)) from error
        for line in report.summary_lines():
            self.stdout.write(line)
        if report.rejections:
            self.stdout.write(self.style.WARNING(f"{len(report.rejections)} row(s) skipped:"))
            for rejection in report.rejections[:SHOWN_REJECTIONS]:
                self.stdout.write(f"  {rejection}")
            if len(report.rejections) > SHOWN_REJECTIONS:
                self.stdout.write(f"  ... and {len(report.rejections) - SHOWN_REJECTIONS} more")
