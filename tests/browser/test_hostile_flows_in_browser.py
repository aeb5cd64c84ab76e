"""What a person sees when the hostile cases are refused: the sign-in lockout, a spreadsheet
that unpacks too large, a recognised opportunity that is no longer offered."""

import pytest
from django.contrib.auth import get_user_model

from bench.faults import xlsx_with_a_huge_shared_string
from descriptors.models import LearningOpportunity, Organisation
from tests.browser.conftest import screenshot
from tests.builders import make_agreement, make_organisation, make_provider_user

PASSWORD = "a-long-test-password"


def sign_in(page, server, username, password):
    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def both_widths(page, name):
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_sign_in_locks_after_five_failures_and_says_so(page, catalogue_server):
    get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    for _ in range(5):
        sign_in(page, catalogue_server, "editor", "wrong guess")
    sign_in(page, catalogue_server, "editor", PASSWORD)
    heading = page.locator("h1")
    assert heading.inner_text() == "Sign-in locked"
    assert "Try again in 15 minutes." in page.locator(".errornote").inner_text()
    both_widths(page, "login-locked")


@pytest.mark.django_db(transaction=True)
def test_an_xlsx_that_unpacks_too_large_is_refused_on_the_upload_page(
    page, catalogue_server, tmp_path
):
    provider = Organisation.objects.get(name="Leica Camera Italia")
    user = make_provider_user(provider, "leica-editor")
    sign_in(page, catalogue_server, user.username, PASSWORD)
    page.goto(f"{catalogue_server.url}/admin/descriptors/learningopportunity/import/")
    hostile = tmp_path / "offer.xlsx"
    hostile.write_bytes(xlsx_with_a_huge_shared_string(40))
    page.set_input_files("input[type=file]", str(hostile))
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    error = page.locator(".errorlist").first.inner_text()
    assert "unpacks to 40 MB in xl/sharedStrings.xml (at most 32 MB are read)" in error
    both_widths(page, "import-refused")


@pytest.mark.django_db(transaction=True)
def test_an_archived_opportunity_is_no_longer_offered_on_the_agreement_page(page, catalogue_server):
    opportunity = LearningOpportunity.objects.published().order_by("pk").first()
    agreement = make_agreement(
        make_organisation("Università di prova"), [opportunity.provider], [opportunity]
    )
    opportunity.status, opportunity.title = "archived", "A title given after archiving"
    opportunity.save()
    page.goto(f"{catalogue_server.url}/recognition/agreements/{agreement.pk}/")
    assert page.locator(".no-longer-offered").first.inner_text() == "No longer offered"
    assert "A title given after archiving" not in page.content()
    both_widths(page, "agreement-no-longer-offered")
