"""Real-browser tests: Playwright driving Debian's headless Chromium against a live server."""

import os
import shutil
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalogue.search.facet_index import facet_index

CHROMIUM = os.environ.get("OCLO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
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
def full_demo(catalogue_server):
    """The live server over the demo catalogue with the recognition demo (agreements,
    decisions, pathways) loaded too."""
    call_command("load_recognition_demo", "--no-users")
    facet_index.reset()
    return catalogue_server


@pytest.fixture
def page(browser):
    """A page under the app's real Content Security Policy, whose violations (Chromium reports
    each on the console and as a ``securitypolicyviolation`` event) ``csp_violations`` lists."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', event => window.__violations.push("
        "`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`"
        "));"
    )
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.violations.append(f"{page.url}: {message.text}")
        ),
    )
    yield page
    context.close()


def csp_violations(page) -> list[str]:
    """What the Content Security Policy refused on the pages ``page`` has shown (the console's
    reports) and on the one it shows (the events)."""
    return page.violations + [f"{page.url}: {v}" for v in page.evaluate("window.__violations")]


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, within: str | None = None) -> list[tuple]:
    """axe-core's WCAG 2 A and AA violations on the page, or within the element the CSS
    selector ``within`` names. axe is evaluated through the browser's debugging protocol,
    which the page's Content Security Policy does not govern (a script tag would be refused)."""
    if not page.evaluate("typeof axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "within => axe.run(within || document, {runOnly: ['wcag2a', 'wcag2aa']})", within
    )
    return [(v["id"], v["help"], len(v["nodes"])) for v in results["violations"]]


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def screenshot(page, name: str) -> None:
    """The whole page, for a person to look at: JPEG, which Chromium encodes in about half the
    time PNG takes (the suite takes some 150 of them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.jpg"), full_page=True, type="jpeg", quality=80)
