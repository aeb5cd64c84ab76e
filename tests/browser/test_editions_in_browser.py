"""Editions as their users meet them: a provider copies the latest edition with new dates in
the admin (the real form, as Chromium submits it), a learner sees the next start and the past
editions on the page, on a phone and on a desktop."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from descriptors.models import Edition, LearningOpportunity
from tests.browser.conftest import screenshot
from tests.browser.test_admin_forms import admin_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = {"phone": 390, "desktop": 1280}


def cimea():
    return LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_provider_copies_the_latest_edition_with_new_dates(admin_page, width):  # noqa: F811
    page = admin_page
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    opportunity = cimea()
    latest = opportunity.editions.order_by("-start_date").first()
    start = latest.start_date + timedelta(days=364)
    url = reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk])
    page.goto(f"{page.server_url}{url}")

    page.get_by_role("link", name="Copy the latest edition with new dates").click()
    expect(page.locator("#content")).to_contain_text(
        latest.start_date.strftime("%-d %b %Y").lstrip("0")
    )
    page.get_by_label("Start date of the new edition").fill(start.isoformat())
    page.get_by_label("Edition code").fill("2028")
    screenshot(page, f"admin-copy-edition-{width}")
    page.get_by_role("button", name="Add the new edition").click()

    expect(page.locator(".messagelist .success")).to_contain_text("New edition starting")
    screenshot(page, f"admin-editions-inline-{width}")
    copy = opportunity.editions.get(reference="2028")
    assert copy.start_date == start
    assert copy.end_date - copy.start_date == latest.end_date - latest.start_date
    assert copy.application_deadline == latest.application_deadline + (start - latest.start_date)
    assert copy.places == latest.places and copy.status == Edition.Status.OPEN
    # the form still saves as the browser submits it, with the new edition inline
    page.locator("input[name=_save]").click()
    expect(page.locator(".errornote")).to_have_count(0)
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")


def test_a_date_the_form_refuses_is_said_and_nothing_is_added(admin_page):  # noqa: F811
    page = admin_page
    opportunity = cimea()
    count = opportunity.editions.count()
    url = reverse("admin:descriptors_learningopportunity_copy_edition", args=[opportunity.pk])
    page.goto(f"{page.server_url}{url}")
    page.get_by_label("Edition code").fill("2021")  # CIMEA's 2021 edition has this code
    page.get_by_label("Start date of the new edition").fill("2031-01-20")
    page.get_by_role("button", name="Add the new edition").click()
    expect(page.locator(".errorlist")).to_contain_text("already has an edition with this code")
    assert opportunity.editions.count() == count


@pytest.fixture
def first_of_december():
    """A day between CIMEA's 2026 and 2027 editions, with applications for 2027 open."""
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=True):
        yield


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_learner_sees_the_next_edition_and_the_history(
    page, first_of_december, catalogue_server, width
):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    opportunity = cimea()
    page.goto(f"{catalogue_server.url}{reverse('catalogue:search')}?q=credential+evaluator")
    card = page.locator("article.card").first
    expect(card).to_contain_text("Professional course for Credential Evaluators")  # en page
    expect(card.locator(".start")).to_have_text("Starts 18 Jan 2027")

    detail = reverse("catalogue:opportunity-detail", args=[opportunity.pk])
    page.goto(f"{catalogue_server.url}{detail}")
    expect(page.locator(".cta")).to_have_text("Apply by 20 Dec 2026")
    current, past = page.locator("table.editions").all()
    expect(current).to_contain_text("18 Jan 2027 – 17 May 2027")
    expect(current).to_contain_text("60 places")
    expect(past).to_contain_text("Past editions")
    for year in ("2021", "2022", "2023", "2024", "2025", "2026"):
        expect(past).to_contain_text(f"({year})")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"opportunity-editions-{width}")
