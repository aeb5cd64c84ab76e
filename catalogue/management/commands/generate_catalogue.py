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
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Processes generating side by side (PostgreSQL only): 2 on a 2-core machine "
            "takes about half the time of 1.",
        )

    def handle(self, count, seed, jobs, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        try:
            created = catalogue_generate(
                count, seed=seed, jobs=jobs, progress=lambda line: print(line, file=sys.stderr)
            )
        except (ValueError, RuntimeError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{created} synthetic opportunities created")
