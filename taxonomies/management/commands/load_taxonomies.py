from django.core.management.base import BaseCommand

from taxonomies.loaders import taxonomies_load


class Command(BaseCommand):
    help = (
        "Load EQF, ISCED-F 2013, NQF levels, the ELM controlled vocabularies and the curated "
        "ESCO subset from fixtures/taxonomies. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", help="Another fixtures folder (default: the shipped one)."
        )

    def handle(self, directory=None, **options):
        for name, counts in taxonomies_load(directory).items():
            self.stdout.write(
                f"{name}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
