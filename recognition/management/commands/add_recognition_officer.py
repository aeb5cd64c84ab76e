from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from descriptors.models import Organisation
from recognition.services import recognition_officer_add


class Command(BaseCommand):
    help = "Make an existing user a recognition officer of an institution."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("institution", help="The institution's exact name.")

    def handle(self, username, institution, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}; create it first (createsuperuser or admin).")
        organisation = Organisation.objects.filter(name=institution).first()
        if organisation is None:
            raise CommandError(f"No organisation named {institution!r}.")
        recognition_officer_add(user=user, organisation=organisation)
        self.stdout.write(f"{username} is now a recognition officer of {institution}.")
