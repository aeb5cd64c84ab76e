"""The Content Security Policy holds everywhere a person goes: every public page (with an htmx
facet click), the admin and the API's Swagger UI load without one violation in Chromium, and
a script injected into a page does not run."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from catalogue.search.facet_index import facet_index
from descriptors.models import LearningOpportunity
from recognition.models import TargetCourse
from tests.browser.conftest import screenshot
from tests.browser.test_public_pages import public_pages

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (390, 1280)
PASSWORD = "csp-walk-pass"


@pytest.fixture
def watched_page(browser):
    """A page whose Content Security Policy violations (Chromium reports each on the console
    and as a ``securitypolicyviolation`` event) are collected in ``page.violations``."""
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


def violations(page) -> list[str]:
    return page.violations + [f"{page.url}: {v}" for v in page.evaluate("window.__violations")]


@pytest.fixture
def demo_server(catalogue_server):
    call_command("load_recognition_demo", "--no-users")
    facet_index.reset()
    return catalogue_server


def test_public_pages_and_a_facet_click_break_no_rule(watched_page, demo_server):
    page = watched_page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in public_pages().values():
            response = page.goto(demo_server.url + path)
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
    # htmx swaps the results in place when a facet is ticked.
    page.goto(demo_server.url)
    page.locator("#facet-eqf").get_by_label(re.compile(r"^EQF level 6")).check()
    expect(page).to_have_url(re.compile(r"eqf=6"))
    expect(page.get_by_role("link", name=re.compile("Remove filter"))).to_be_visible()
    assert violations(page) == []


def test_an_injected_script_does_not_run(watched_page, demo_server):
    """What a stored XSS would add to a page: an inline script is refused, and reported."""
    page = watched_page
    page.goto(demo_server.url)
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        "document.body.append(s)"
    )
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in violation for violation in violations(page))


def test_the_admin_and_swagger_ui_break_no_rule(watched_page, demo_server):
    page = watched_page
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    page.goto(demo_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("root")
    opportunity = LearningOpportunity.objects.published().first()
    course = TargetCourse.objects.first()
    compare = reverse("admin:recognition_targetcourse_compare", args=[course.pk])
    paths = [
        reverse("admin:index"),
        reverse("admin:descriptors_learningopportunity_changelist"),
        reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk]),
        reverse("admin:descriptors_learningopportunity_add"),
        f"{compare}?opportunity={opportunity.pk}",
    ]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(demo_server.url + path)
    # Swagger UI renders the schema and runs "Try it out" under the policy.
    page.goto(demo_server.url + reverse("api:docs"))
    # The schema is generated on first use: seconds on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OCLO API", timeout=30_000)
    operation = page.locator("#operations-learning-opportunities-learning_opportunities_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200", timeout=30_000)
    screenshot(page, "api-docs-under-csp-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "api-docs-under-csp-phone")
    assert violations(page) == []
