import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from taxonomies.loaders import taxonomies_load

SHARED = Path(settings.BASE_DIR).parent / "shared"


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


def pytest_configure(config):
    # CI asks for PostgreSQL; silently testing SQLite instead would hide what CI exists to catch.
    if (
        os.environ.get("OCLO_REQUIRE_POSTGRES")
        and "postgresql" not in settings.DATABASES["default"]["ENGINE"]
    ):
        raise pytest.UsageError("OCLO_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the shipped taxonomies, loaded once per session."""
    with django_db_blocker.unblock():
        taxonomies_load()
    # With CACHE_URL (Redis) the cache outlives the run: rendered answers are keyed by the
    # catalogue version, which a new test database starts again.
    cache.clear()


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", "--no-users")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared reference folder {SHARED} is not beside the project")
    return SHARED


@pytest.fixture
def on_postgres() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]
