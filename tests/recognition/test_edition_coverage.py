"""An agreement recognises the micro-credential; its validity dates decide which editions count.
The opportunity page and the recognition check name the editions that start outside them."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_agreement, make_opportunity

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


@pytest.fixture
def recognised(parties):
    """A micro-credential run in March 2026 and March 2027, recognised by institution A under an
    agreement valid for 2026 only."""
    opportunity = make_opportunity(
        parties["provider"],
        title="Street photography: light",
        editions=[
            {"reference": "2026-spring", "start_date": date(2026, 3, 2)},
            {"reference": "2027-spring", "start_date": date(2027, 3, 1)},
        ],
    )
    make_agreement(
        parties["a"],
        [parties["provider"]],
        [opportunity],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    return opportunity


def page_of(client, opportunity) -> str:
    response = client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk]))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(response.text)))


def test_the_page_names_the_edition_the_agreement_does_not_cover(client, recognised):
    page = page_of(client, recognised)
    assert "It covers only the editions starting from 1 Jan 2026 to 31 Dec 2026." in page
    assert "Not covered: the edition starting 1 Mar 2027 (2027-spring)" in page
    assert "the edition starting 2 Mar 2026" not in page


def test_an_agreement_without_end_covers_every_edition_from_its_start(client, parties):
    opportunity = make_opportunity(
        parties["provider"],
        editions=[{"start_date": date(2026, 3, 2)}, {"start_date": date(2029, 3, 1)}],
    )
    make_agreement(parties["a"], [parties["provider"]], [opportunity], valid_from=date(2026, 1, 1))
    page = page_of(client, opportunity)
    assert "Università Iuav di Venezia" in page
    assert "Not covered:" not in page


def test_an_edition_that_starts_any_time_is_covered(client, parties):
    opportunity = make_opportunity(parties["provider"], editions=[{"any_start_date": True}])
    make_agreement(
        parties["a"],
        [parties["provider"]],
        [opportunity],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    assert "Not covered:" not in page_of(client, opportunity)


def test_the_recognition_check_lists_the_editions_not_covered(client, parties, recognised):
    response = client.get(
        reverse("recognition-api:check"),
        {"opportunity": recognised.pk, "institution": parties["a"].pk},
    )
    assert response.status_code == 200
    (recognition,) = response.json()["recognitions"]
    next_year = recognised.editions.get(reference="2027-spring")
    assert recognition["editions_not_covered"] == [
        {"id": next_year.pk, "reference": "2027-spring", "start_date": "2027-03-01"}
    ]
