"""Real-browser tests: Playwright driving Debian's headless Chromium against a live server."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("OCLO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
# Flags that keep Chromium quiet on a machine without internet access.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def _django_db_helper(demo_database, django_db_blocker):
    """The database of a browser test (pytest-django's fixture behind ``django_db``, replaced
    here): a fresh copy of the demo catalogue where writes commit, so that the live server's
    threads and the task worker see what the test writes and it sees theirs; dropped after the
    test. pytest-django's transactional test would instead flush the whole database after
    each test (seconds) and leave the next to load the taxonomies and the demo again."""
    with django_db_blocker.unblock():
        demo_database.enter("demo", writable=True)
        yield
        demo_database.leave()


@pytest.fixture
def catalogue_server(live_server, demo_database):
    """The live server (one for the session) over the test's copy of the demo catalogue."""
    return live_server


@pytest.fixture
def page(browser):
    # axe-core is injected as an inline script, which the Content Security Policy refuses:
    # test_content_security_policy walks the pages without this bypass.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """The whole page, for a person to look at: JPEG, which Chromium encodes in about half the
    time PNG takes (the suite takes some 150 of them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.jpg"), full_page=True, type="jpeg", quality=80)
