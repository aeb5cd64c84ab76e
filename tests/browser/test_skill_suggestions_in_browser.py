"""A provider writes a learning outcome in the admin, asks for skill suggestions, adds one with
a click and saves: only then is the skill linked."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from descriptors.models import LearningOpportunity, LearningOutcome
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "browser-suggest-pass"
OUTCOME = "Scrivere il codice sorgente di applicazioni"  # Italian; no word in any skill label


@pytest.mark.parametrize("width", [1280, 390])
def test_suggested_skill_is_added_with_a_click_and_saved_with_the_form(
    page, catalogue_server, embedded_skills, width
):
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    opportunity = LearningOpportunity.objects.get(provider_reference="POLIMI-BIM")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{catalogue_server.url}{reverse('admin:login')}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    url = reverse("admin:descriptors_learningopportunity_change", args=[opportunity.pk])
    page.goto(f"{catalogue_server.url}{url}")

    row = page.locator(f"#outcomes-{opportunity.outcomes.count()}")  # the blank extra outcome
    row.get_by_role("button", name="Suggest skills").click()
    expect(row.locator(".skill-suggest-status")).to_have_text("Write the learning outcome first.")
    row.locator("textarea[name$='-title']").fill(OUTCOME)
    row.get_by_role("button", name="Suggest skills").click()
    chip = row.locator(".skill-chip", has_text="computer programming")
    expect(chip).to_be_visible()
    expect(chip.locator(".skill-chip-words")).to_contain_text("from:")
    assert not LearningOutcome.objects.filter(title=OUTCOME).exists()

    chip.click()
    expect(chip).to_be_disabled()
    expect(row.locator(".select2-selection__choice")).to_contain_text(["computer programming"])
    screenshot(page, f"admin-skill-suggestions-{width}")
    assert not LearningOutcome.objects.filter(title=OUTCOME).exists()  # nothing saved yet

    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    outcome = LearningOutcome.objects.get(opportunity=opportunity, title=OUTCOME)
    assert [skill.preferred_label for skill in outcome.skills.all()] == ["computer programming"]
