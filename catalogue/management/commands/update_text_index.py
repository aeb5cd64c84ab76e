from django.conf import settings
from django.core.management.base import BaseCommand

from catalogue.search.text_engines import text_index_catch_up


class Command(BaseCommand):
    help = (
        "Bring this machine's text index (OCLO_TEXT_ENGINE=tantivy) up to date with the change "
        "log now, rather than on the first search after a deploy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Index every opportunity again.")

    def handle(self, *, rebuild: bool, **options):
        indexed = text_index_catch_up(rebuild=rebuild)
        if indexed is None:
            self.stdout.write(
                f'OCLO_TEXT_ENGINE="{settings.OCLO_TEXT_ENGINE}" keeps its text index in the '
                "database: nothing to do here (rebuild_search_index rebuilds it)."
            )
        else:
            what = "opportunity" if indexed == 1 else "opportunities"
            self.stdout.write(f"{indexed} {what} indexed in {settings.OCLO_TEXT_INDEX_DIR}")
