import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from descriptors.models import Organisation
from descriptors.services import organisation_member_add


class Command(BaseCommand):
    help = (
        "Give a user (created if needed) provider-staff access to one organisation: they can "
        "then sign in to /admin/ and maintain only that organisation's learning opportunities."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="The organisation's name.")
        parser.add_argument("--email", default="")

    def handle(self, username, organisation, email, **options):
        try:
            member_of = Organisation.objects.get(name=organisation)
        except Organisation.DoesNotExist as error:
            raise CommandError(
                f"No organisation named {organisation!r}; create it in the admin first."
            ) from error
        users = get_user_model()
        user = users.objects.filter(username=username).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = users.objects.create_user(username=username, email=email, password=password)
        organisation_member_add(user=user, organisation=member_of)
        self.stdout.write(f"{username} is now provider staff of {member_of}.")
        if password:
            self.stdout.write(f"Initial password (shown once, ask them to change it): {password}")
