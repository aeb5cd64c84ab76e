"""An admin save in a real browser is one write: searchable at once, one change-log entry."""

import pytest
from django.contrib.auth import get_user_model

from catalogue.models import CatalogueChange
from descriptors.models import LearningOpportunity
from tests.browser.conftest import screenshot

PASSWORD = "a-long-browser-password"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_save_is_one_change_and_searchable_at_once(page, catalogue_server, width):
    """A new title and a new learning outcome (the record, an inline and its history) saved
    together: one change for the feed, and search finds the new words at once."""
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    entries = CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{catalogue_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(
        f"{catalogue_server.url}/admin/descriptors/learningopportunity/{opportunity.pk}/change/"
    )
    page.fill("#id_title", "Digitales Marketing im Einzelhandel")
    extra = opportunity.outcomes.count()  # the blank form after the existing outcomes
    page.fill(f"textarea[name='outcomes-{extra}-title']", "Plan a loyalty programme.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    screenshot(page, f"admin-save-{width}")
    assert CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count() == entries + 1
    page.goto(f"{catalogue_server.url}/?q=einzelhandel")
    assert page.locator(f"a[href='/opportunities/{opportunity.pk}/']").count() >= 1
    page.goto(f"{catalogue_server.url}/?q=loyalty")
    assert page.locator(f"a[href='/opportunities/{opportunity.pk}/']").count() >= 1
