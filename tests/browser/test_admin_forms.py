"""Every admin change form saves, as a person would save it: open it in Chromium, change
nothing or one field, press Save, and see Django's success message. (A blank extra inline form
that counted as changed once blocked every save of an opportunity with "This field is
required.")"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue
from descriptors.models import LearningOpportunity, Organisation
from recognition.models import Agreement, Pathway, RecognitionDecision, TargetCourse
from taxonomies.models import EscoSkill
from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "browser-test-pass"


@pytest.fixture
def admin_page(page, catalogue_server):
    """A superuser signed in through the admin's login form, with the recognition demo and
    one API token in the database."""
    call_command("load_recognition_demo", "--no-users")
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    api_token_issue(
        token=ApiToken(organisation=Organisation.objects.order_by("pk").first(), name="LMS")
    )
    page.goto(f"{catalogue_server.url}{reverse('admin:login')}")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("root")
    page.server_url = catalogue_server.url
    return page


def change_form(page, obj):
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    page.goto(f"{page.server_url}{url}")
    expect(page.locator("#content h1")).to_be_visible()


def save_and_expect_success(page, obj):
    page.locator("input[name=_save]").click()
    success = page.locator(".messagelist .success")
    expect(page.locator(".errornote")).to_have_count(0)
    expect(success).to_contain_text("was changed successfully")
    expect(success).to_contain_text(str(obj))


def published_opportunity():
    # One with outcomes, assessments and translations: every inline of the form is in use.
    return (
        LearningOpportunity.objects.published()
        .filter(outcomes__isnull=False, assessments__isnull=False)
        .order_by("pk")
        .first()
    )


EVERY_FORM = {
    "opportunity": published_opportunity,
    "organisation": lambda: Organisation.objects.order_by("pk").first(),
    "agreement": lambda: Agreement.objects.filter(status=Agreement.Status.DRAFT).first(),
    "decision": lambda: RecognitionDecision.objects.order_by("pk").first(),
    "pathway": lambda: Pathway.objects.order_by("pk").first(),
    "course": lambda: TargetCourse.objects.order_by("pk").first(),
}


@pytest.mark.parametrize("form", list(EVERY_FORM))
def test_each_change_form_saves_unchanged(admin_page, form):
    obj = EVERY_FORM[form]()
    assert obj is not None, f"the demo has no {form}"
    change_form(admin_page, obj)
    save_and_expect_success(admin_page, obj)


def test_an_opportunity_saves_with_one_field_changed(admin_page):
    opportunity = published_opportunity()
    change_form(admin_page, opportunity)
    admin_page.locator("#id_workload_hours").fill("40")
    save_and_expect_success(admin_page, opportunity)
    opportunity.refresh_from_db()
    assert opportunity.workload_hours == 40


def test_a_token_is_issued_and_then_only_shown(admin_page):
    token = ApiToken.objects.get()
    change_form(admin_page, token)
    # Tokens cannot be changed, only revoked: the page shows it without a Save button.
    expect(admin_page.locator("input[name=_save]")).to_have_count(0)
    expect(admin_page.locator("#content")).to_contain_text(token.prefix)

    admin_page.goto(f"{admin_page.server_url}{reverse('admin:catalogue_apitoken_add')}")
    select2_pick(admin_page, "organisation", "CIMEA")
    admin_page.locator("#id_name").fill("Second system")
    admin_page.locator("input[name=_save]").click()
    expect(admin_page.locator(".messagelist .warning")).to_contain_text("shown only once")
    assert ApiToken.objects.filter(name="Second system").exists()


def select2_pick(page, field: str, text: str):
    """Choose ``text`` in an autocomplete (select2) widget, as a person types and picks."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    option = page.locator(".select2-results__option", has_text=re.compile(text, re.I)).first
    expect(option).to_be_visible()
    option.click()


def test_an_opportunity_with_two_outcomes_and_their_skills_is_created_through_the_form(
    admin_page,
):
    skills = list(EscoSkill.objects.skills().order_by("preferred_label")[:2])
    page = admin_page
    page.goto(f"{page.server_url}{reverse('admin:descriptors_learningopportunity_add')}")
    page.locator("#id_provider").select_option(label="CIMEA")
    page.locator("#id_title").fill("Street photography: a second look")
    _select_by_text(page, "default_language", "English")
    _pick_from_filter(page, "languages", "English")
    select2_pick(page, "isced_fields", "0211")

    outcomes = [
        ("Plan a street photography series.", skills[0]),
        ("Edit and sequence a photo story.", skills[1]),
    ]
    for number, (title, skill) in enumerate(outcomes):
        if number:
            page.get_by_role("button", name="Add another Learning outcome").click()
        page.locator(f"#id_outcomes-{number}-title").fill(title)
        select2_pick(page, f"outcomes-{number}-skills", skill.preferred_label[:12])
    screenshot(page, "admin-opportunity-add-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "admin-opportunity-add-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("input[name=_save]").click()

    expect(page.locator(".errornote")).to_have_count(0)
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    created = LearningOpportunity.objects.get(title="Street photography: a second look")
    saved = [
        (outcome.title, list(outcome.skills.all()))
        for outcome in created.outcomes.order_by("position", "pk")
    ]
    assert saved == [(title, [skill]) for title, skill in outcomes]


def _select_by_text(page, field: str, text: str):
    option = page.locator(f"#id_{field} option", has_text=text).first
    page.locator(f"#id_{field}").select_option(option.get_attribute("value"))


def _pick_from_filter(page, field: str, text: str):
    """Move ``text`` to the chosen side of a filter_horizontal widget."""
    page.locator(f"#id_{field}_input").fill(text)
    page.locator(f"#id_{field}_from option", has_text=re.compile(f"^{text}")).first.dblclick()


def test_publishing_incomplete_drafts_asks_first_then_publishes(admin_page):
    page = admin_page
    provider = Organisation.objects.get(name="CIMEA")
    drafts = [
        LearningOpportunity.objects.create(
            provider=provider,
            title=title,
            status=LearningOpportunity.Status.DRAFT,
            default_language=published_opportunity().default_language,
        )
        for title in ("Draft one: digital credentials", "Draft two: recognition basics")
    ]
    changelist = reverse("admin:descriptors_learningopportunity_changelist")
    page.goto(f"{page.server_url}{changelist}?status__exact=draft")
    for draft in drafts:
        page.locator(f"input[name=_selected_action][value='{draft.pk}']").check()
    page.locator("select[name=action]").select_option("publish_selected")
    page.get_by_role("button", name="Go").click()

    expect(
        page.get_by_role("heading", name="Publish incomplete learning opportunities?")
    ).to_be_visible()
    preview = page.locator("#publish-preview")
    expect(preview).to_contain_text("Draft one: digital credentials")
    expect(preview).to_contain_text("Learning outcomes")
    # The page's own part (the admin around it is Django's): no WCAG 2 A/AA violation.
    assert axe_violations(page, within="#content") == []
    screenshot(page, "admin-publish-confirmation-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "admin-publish-confirmation-phone")
    page.get_by_role("button", name="Yes, publish them").click()

    expect(page.locator(".messagelist .success")).to_contain_text(
        "2 learning opportunities published."
    )
    expect(page.locator(".messagelist .warning")).to_contain_text("Draft two: recognition basics")
    assert set(
        LearningOpportunity.objects.filter(pk__in=[d.pk for d in drafts]).values_list(
            "status", flat=True
        )
    ) == {"published"}


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agreement_item_beyond_the_courses_credits_is_refused_beside_it(admin_page, width):
    """An officer drafts an agreement recognising a 2 ECTS course for 10: the form comes back
    with the error beside the item's ECTS, everything typed kept, and nothing saved."""
    page = admin_page
    page.set_viewport_size({"width": width, "height": 900})
    agreements = Agreement.objects.count()
    page.goto(f"{page.server_url}{reverse('admin:recognition_agreement_add')}")
    page.locator("#id_institution").select_option(label="Università Iuav di Venezia")
    _pick_from_filter(page, "providers", "Leica Camera Italia")
    page.locator("#id_title").fill("Leica electives, second round")
    page.locator("#id_objective").fill("Recognise the street photography micro-credentials.")
    page.locator("#id_process").fill("Apply to the student office with the credential.")
    _select_by_text(page, "language", "English")
    page.locator("#id_valid_from").fill("2026-09-01")
    page.locator("#items-group .add-row a").click()
    select2_pick(page, "items-0-opportunity", "Fotografia di strada: forma")
    page.locator("#id_items-0-target_title").fill("Elective credits, BA Visual arts")
    page.locator("#id_items-0-ects").fill("10")
    page.locator("input[name=_save]").click()

    item = page.locator(".dynamic-items").first
    expect(item.locator(".errorlist")).to_have_text(
        "More than the 2 ECTS the learning opportunity awards."
    )
    # Whole, on a phone too: a row of several fields was wider than the row that clips it.
    error = item.locator(".errorlist").bounding_box()
    row = item.locator(".form-row", has=page.locator("#id_items-0-ects")).bounding_box()
    assert error["x"] + error["width"] <= row["x"] + row["width"] + 1
    expect(page.locator("#id_items-0-ects")).to_have_value("10")
    expect(page.locator("#id_title")).to_have_value("Leica electives, second round")
    assert Agreement.objects.count() == agreements
    screenshot(page, f"agreement-item-beyond-credits-{width}")
