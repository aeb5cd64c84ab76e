"""The Content Security Policy holds where staff and partners go: the admin and the API's Swagger
UI load without one violation in Chromium, and a script injected into a page does not run. (The
public pages are walked under it in test_public_pages, and every browser test's page runs
under it.)"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from descriptors.models import LearningOpportunity
from recognition.models import TargetCourse
from tests.browser.conftest import csp_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (390, 1280)
PASSWORD = "csp-walk-pass"


def test_an_injected_script_does_not_run(page, full_demo):
    """What a stored XSS would add to a page: an inline script is refused, and reported."""
    page.goto(full_demo.url)
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        "document.body.append(s)"
    )
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in violation for violation in csp_violations(page))


@pytest.mark.heavy
def test_the_admin_and_swagger_ui_break_no_rule(page, full_demo):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    page.goto(full_demo.url + reverse("admin:login"))
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
            page.goto(full_demo.url + path)
    # Swagger UI renders the schema and runs "Try it out" under the policy.
    page.goto(full_demo.url + reverse("api:docs"))
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
    assert csp_violations(page) == []
