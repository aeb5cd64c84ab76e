import sys

from django.core.management.base import BaseCommand, CommandError

from catalogue.synthetic import catalogue_generate


class Command(BaseCommand):
    help = (
        "Create a synthetic catalogue of N published opportunities with realistic distributions "
        "(providers, languages, fields, skills, ECTS, 1-6 editions with fees and dates) for scale "
        "work. Needs the taxonomies; with the full ESCO bundle imported the skills are more "
        "varied."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, count, seed, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        try:
            created = catalogue_generate(
                count, seed=seed, progress=lambda line: print(line, file=sys.stderr)
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{created} synthetic opportunities created")
