from django.core.management.base import BaseCommand

from catalogue.search.indexing import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild every opportunity's search document (after an upgrade or a raw SQL import)."

    def handle(self, **options):
        self.stdout.write(f"{search_index_rebuild()} opportunities re-indexed")
