from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from descriptors.demo import demo_catalogue_load, demo_login
from descriptors.models import Organisation
from descriptors.services import organisation_member_add

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "catalogue.json"
DEMO_PROVIDER = ("cimea-editor", "cimea-demo-2026", "CIMEA")
DEMO_ADMIN = ("admin", "admin-demo-2026")


class Command(BaseCommand):
    help = (
        "Load the demo catalogue (33 learning opportunities, 18 organisations) and, in "
        "development, the demo logins. Run load_taxonomies first. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users", action="store_true", help="Load the catalogue only, no demo logins."
        )

    def handle(self, no_users, **options):
        counts = demo_catalogue_load(DEMO_FILE)
        self.stdout.write(
            f"demo catalogue: {counts['organisations']} organisations, "
            f"{counts['created']} opportunities created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
        if no_users:
            return
        if not settings.DEBUG:
            raise CommandError("Demo logins have public passwords: refusing with DEBUG off.")
        admin = demo_login(*DEMO_ADMIN)
        admin.is_staff = admin.is_superuser = True
        admin.save()
        username, password, organisation = DEMO_PROVIDER
        provider = demo_login(username, password)
        organisation_member_add(
            user=provider, organisation=Organisation.objects.get(name=organisation)
        )
        self.stdout.write(
            f"demo logins: {DEMO_PROVIDER[0]} / {DEMO_PROVIDER[1]} (provider staff of "
            f"{organisation}), {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]} (superuser)"
        )
