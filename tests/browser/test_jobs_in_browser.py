"""Courses for a job in a real browser: type a job in another language, pick it, tick a skill
already held, build a path; accessible at desktop and phone widths."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from taxonomies.esco import esco_import
from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = Path(__file__).parent.parent / "taxonomies" / "data" / "esco_v1.2.0_occupations"


def result_count(page) -> int:
    return int(re.match(r"\d+", page.locator("#result-count").inner_text()).group())


@pytest.fixture
def jobs_server(catalogue_server):
    esco_import(SAMPLE)
    return catalogue_server


def test_pick_a_job_tick_a_skill_and_build_a_path(page, jobs_server):
    page.goto(jobs_server.url)
    page.get_by_role("link", name="Courses for a job").click()
    page.get_by_label("Job title").fill("sviluppatore")
    suggestion = page.locator("#occupation-suggestions").get_by_role(
        "link", name="software developer"
    )
    expect(suggestion).to_be_visible()
    suggestion.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Courses for software developer")
    before = result_count(page)
    assert before > 0
    first = page.locator(".job-match").first
    expect(first.locator(".covers")).to_contain_text("Essential:")

    held = page.locator("#job-skills").get_by_label("computer programming")
    held.check()
    expect(page).to_have_url(re.compile(r"have=21d2f96d"))
    expect(page.locator("#job-skills").get_by_label("computer programming")).to_be_checked()
    assert result_count(page) <= before

    page.get_by_role("button", name="Build a path").click()
    path = page.locator("section.pathway")
    expect(path.get_by_role("heading", name="A path to this job")).to_be_visible()
    expect(path.locator(".path-totals")).to_contain_text("ECTS")
    screenshot(page, "jobs-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "jobs-phone")


def test_job_pages_have_no_accessibility_violations(page, jobs_server):
    for path in (
        "/jobs/?occupation_term=journalist",
        "/jobs/f2b15a0e-e65a-438a-affb-29b9d50b77d1/?path=true",
    ):
        page.goto(jobs_server.url + path)
        assert axe_violations(page) == [], path
