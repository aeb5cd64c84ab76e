"""An admin save in a real browser is one write: searchable at once (also when the search
index is read from the machine's snapshot files), one change-log entry; a refused one says why
beside the field and saves nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from catalogue.models import CatalogueChange
from catalogue.search.facet_index import facet_index
from catalogue.search.words import words
from descriptors.models import LearningOpportunity
from taxonomies.models import EscoSkill
from tests.browser.conftest import overflow, screenshot
from tests.browser.test_admin_forms import select2_pick
from tests.browser.test_hostile_flows_in_browser import sign_in

PASSWORD = "a-long-browser-password"


def open_change_form(page, server, opportunity) -> None:
    """Signed in as the superuser "editor", on the opportunity's admin form."""
    sign_in(page, server, "editor", PASSWORD)
    page.goto(f"{server.url}/admin/descriptors/learningopportunity/{opportunity.pk}/change/")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_save_is_one_change_and_searchable_at_once(page, catalogue_server, width):
    """A new title and a new learning outcome (the record, an inline and its history) saved
    together: one change for the feed, and search finds the new words at once."""
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    entries = CatalogueChange.objects.filter(opportunity_id=opportunity.pk).count()
    page.set_viewport_size({"width": width, "height": 900})
    open_change_form(page, catalogue_server, opportunity)
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


@pytest.mark.parametrize("width", [1280, 390])
def test_a_skill_linked_in_the_admin_makes_the_course_found_by_the_skills_other_names(
    page, catalogue_server, width
):
    """A provider links an ESCO skill to a new outcome; a learner who searches for another name
    of that skill, one the course's own text never uses, finds the course at once."""
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    skill = EscoSkill.objects.get(preferred_label="ICT safety")
    other_name = "welfare"  # of its alternative label "ICT welfare maintenance"
    assert other_name in words(skill.alt_labels)
    course = f"a[href='/opportunities/{opportunity.pk}/']"
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{catalogue_server.url}/?q={other_name}")
    expect(page.locator(course)).to_have_count(0)

    open_change_form(page, catalogue_server, opportunity)
    extra = opportunity.outcomes.count()  # the blank form after the existing outcomes
    page.fill(f"textarea[name='outcomes-{extra}-title']", "Keep the shop's tills safe.")
    select2_pick(page, f"outcomes-{extra}-skills", "ICT safety")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto(f"{catalogue_server.url}/?q={other_name}")
    expect(page.locator(course).first).to_be_visible()
    assert not overflow(page)
    screenshot(page, f"found-by-a-skills-other-name-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_skill_renamed_in_the_admin_renames_it_on_the_courses_naming_it(
    page, catalogue_server, width
):
    """The ESCO skill a course's outcome names is given a new preferred label in the admin: a
    learner finds the course by the new name and reads it on the course's page."""
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    skill = EscoSkill.objects.filter(outcomes__opportunity=opportunity).first()
    course = f"a[href='/opportunities/{opportunity.pk}/']"
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{catalogue_server.url}/?q=shopcraft")
    expect(page.locator(course)).to_have_count(0)

    sign_in(page, catalogue_server, "editor", PASSWORD)
    page.goto(f"{catalogue_server.url}/admin/taxonomies/escoskill/{skill.pk}/change/")
    page.fill("#id_preferred_label", "retail shopcraft")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto(f"{catalogue_server.url}/?q=shopcraft")
    expect(page.locator(course).first).to_be_visible()
    page.locator(course).first.click()
    expect(page.get_by_text("retail shopcraft").first).to_be_visible()
    assert not overflow(page)
    screenshot(page, f"renamed-skill-on-the-course-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_region_outside_the_chosen_countries_is_named_beside_the_region(
    page, catalogue_server, width
):
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    opportunity = LearningOpportunity.objects.exclude(region=None).filter(countries__code="ITA")[0]
    open_change_form(page, catalogue_server, opportunity)
    page.select_option("#id_countries_to", label="Italy")
    page.click("#id_countries_remove")
    page.select_option("#id_countries_from", label="Spain")
    page.click("#id_countries_add")
    page.click("input[name=_save]")
    expect(page.locator(".field-region .errorlist")).to_have_text(
        "This region is in none of the countries where it takes place (Spain)."
    )
    screenshot(page, f"admin-region-outside-countries-{width}")
    assert list(opportunity.countries.values_list("code", flat=True)) == ["ITA"]


@pytest.mark.parametrize("width", [1280, 390])
def test_with_one_snapshot_per_machine_a_renamed_course_sorts_into_place_at_once(
    page, catalogue_server, settings, tmp_path, width
):
    """The search index read from the machine's snapshot files, written before the edit: the
    new title is found, and listed by title among the others, before the files are rewritten."""
    settings.OCLO_SEARCH_SNAPSHOT_DIR = tmp_path
    call_command("search_snapshot", "--once")
    facet_index.reset()
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    opportunity = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{catalogue_server.url}/?sort=title")
    first_before = page.locator(".card h2").first.inner_text()

    open_change_form(page, catalogue_server, opportunity)
    page.fill("#id_title", "Aardvark-friendly digital marketing")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    page.goto(f"{catalogue_server.url}/?sort=title")
    expect(page.locator(".card h2").first).to_have_text("Aardvark-friendly digital marketing")
    expect(page.locator(".card h2").nth(1)).to_have_text(first_before)
    assert not overflow(page)
    screenshot(page, f"snapshot-files-sorted-by-title-{width}")
