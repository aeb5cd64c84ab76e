"""Editions as a provider and a learner meet them in a browser: a spreadsheet with a row per
edition, previewed and imported through the admin; the editions an agreement does not cover,
named beside the recognition on the opportunity page."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from catalogue.search.facet_index import facet_index
from descriptors.formats.spreadsheet import COLUMN_NAMES, EXAMPLE_ROW, dump_template_csv
from descriptors.models import LearningOpportunity, Organisation
from tests.browser.conftest import screenshot
from tests.browser.test_hostile_flows_in_browser import PASSWORD, sign_in
from tests.builders import make_provider_user
from tests.descriptors.formats.test_spreadsheet_import import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 390, "desktop": 1280}


def edition_rows() -> list[dict]:
    """One micro-credential in three rows: its descriptors (a grant among them) and 2027
    edition, a 2028 edition, and a 2029 edition whose dates are the wrong way round."""
    only_edition = {name: "" for name in COLUMN_NAMES} | {"provider_reference": "PHOTO-201"}
    return [
        EXAMPLE_ROW | {"provider_reference": "PHOTO-201", "title": "Night photography"},
        only_edition
        | {"edition_reference": "2028-spring", "start_date": "2028-03-06", "places": "12"},
        only_edition
        | {
            "edition_reference": "2029-spring",
            "start_date": "2029-05-01",
            "end_date": "2029-04-01",
        },
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_provider_imports_a_row_per_edition(page, catalogue_server, tmp_path, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    provider = Organisation.objects.get(name="Leica Camera Italia")
    user = make_provider_user(provider, "leica-editor")
    sign_in(page, catalogue_server, user.username, PASSWORD)
    upload = tmp_path / "editions.csv"
    upload.write_bytes(dump_template_csv(edition_rows()))
    page.goto(f"{catalogue_server.url}{reverse('admin:descriptors_learningopportunity_import')}")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form[enctype='multipart/form-data'] [type=submit]")
    run_worker()
    page.reload()
    report = page.locator("#import-report")
    expect(report.locator("tr.created")).to_have_count(2)
    rejected = report.locator("tr.rejected")
    expect(rejected).to_contain_text("The end date cannot be before the start date.")
    expect(rejected.locator("td").first).to_have_text("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"import-editions-preview-{width}")
    assert not LearningOpportunity.objects.filter(provider_reference="PHOTO-201").exists()

    page.get_by_role("button", name="Import the rows that are not rejected").click()
    run_worker()
    page.reload()
    expect(page.locator(".import-summary")).to_contain_text("2 created")
    imported = LearningOpportunity.objects.get(provider_reference="PHOTO-201")
    assert [(e.reference, e.start_date) for e in imported.editions.order_by("start_date")] == [
        ("2027-spring", date(2027, 3, 1)),
        ("2028-spring", date(2028, 3, 6)),
    ]
    assert list(imported.grants.values_list("title", "homepage")) == [
        ("Regional training voucher", "https://example.org/voucher")
    ]


@pytest.fixture
def first_of_december():
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=True):
        yield


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_learner_sees_which_editions_the_agreement_covers(
    page, first_of_december, catalogue_server, width
):
    call_command("load_recognition_demo", "--no-users")
    facet_index.reset()
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    leica = LearningOpportunity.objects.get(provider_reference="LEICA-SP-1")
    page.goto(f"{catalogue_server.url}{reverse('catalogue:opportunity-detail', args=[leica.pk])}")
    recognition = page.locator("section.recognition")
    expect(recognition).to_contain_text("Università Iuav di Venezia")
    note = recognition.locator(".warning", has_text="It covers only the editions")
    expect(note).to_contain_text("starting from 1 Mar 2026 to 31 Aug 2028")
    expect(note.locator("li")).to_have_text(["the edition starting 2 Oct 2028 (2028-autumn)"])
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    screenshot(page, f"recognition-editions-{width}")
