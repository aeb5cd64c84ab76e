from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from descriptors.demo import demo_login
from descriptors.models import Organisation
from recognition.demo import demo_recognition_load
from recognition.services import recognition_officer_add

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "recognition.json"
DEMO_OFFICER = ("iuav-officer", "iuav-demo-2026", "Università Iuav di Venezia")


class Command(BaseCommand):
    help = (
        "Load the recognition demo (agreements with versions, decisions, a course, a pathway) "
        "over the demo catalogue; run load_demo first. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="No demo officer login.")

    def handle(self, no_users, **options):
        counts = demo_recognition_load(DEMO_FILE)
        self.stdout.write(
            "recognition demo: " + ", ".join(f"{count} {name}" for name, count in counts.items())
        )
        if no_users:
            return
        if not settings.DEBUG:
            raise CommandError("Demo logins have public passwords: refusing with DEBUG off.")
        username, password, institution = DEMO_OFFICER
        officer = demo_login(username, password)
        recognition_officer_add(
            user=officer, organisation=Organisation.objects.get(name=institution)
        )
        self.stdout.write(
            f"demo login: {username} / {password} (recognition officer, {institution})"
        )
