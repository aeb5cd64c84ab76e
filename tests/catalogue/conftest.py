import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", "--no-users")
        yield
        transaction.set_rollback(True)
