import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue.search.snapshot_files import snapshot_keep_written


class Command(BaseCommand):
    help = (
        "Write the search facet snapshot to OCLO_SEARCH_SNAPSHOT_DIR for every worker of this "
        "machine to map, and again after each change of the catalogue. Gunicorn's master "
        "starts it. One writes per directory: another one started on it waits, and takes "
        "over when the first ends."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Write the snapshot once, then stop."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at the change log (default 1).",
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="Stop when the process that started this one has ended (gunicorn's master).",
        )

    def handle(self, *, once: bool, interval: float, exit_with_parent: bool, **options):
        if settings.OCLO_SEARCH_SNAPSHOT_DIR is None:
            raise CommandError("Set OCLO_SEARCH_SNAPSHOT_DIR: where to write the snapshot.")
        parent = os.getppid()
        snapshot_keep_written(
            interval=interval,
            once=once,
            stop=lambda: exit_with_parent and os.getppid() != parent,
        )
