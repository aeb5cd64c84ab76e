"""Beside each recognition, the opportunity page says which of its conditions the
opportunity, as described, cannot meet."""

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from descriptors.models import Assessment
from recognition.models import AgreementItem
from taxonomies.models import Scheme
from tests.builders import concept, make_agreement, make_edition

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 1)
WARNING = "Check before you count on it:"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def page_of(client, opportunity) -> str:
    response = client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk]))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(response.text)))


def assess(opportunity, supervision: str, grading: str = "") -> None:
    Assessment.objects.create(
        opportunity=opportunity,
        title="Final test",
        assessment_type=concept(Scheme.ASSESSMENT_TYPE, "b1b68f6735"),
        supervision=concept(Scheme.SUPERVISION, supervision),
        grading_scheme=grading,
    )


@pytest.fixture
def recognised(parties):
    """The first opportunity, recognised by institution A; conditions set per test."""
    opportunity = parties["opportunities"][0]
    make_agreement(parties["a"], [parties["provider"]], [opportunity])
    return opportunity


def conditions(**values) -> None:
    AgreementItem.objects.update(**values)


def test_identity_verification_required_but_the_assessment_has_none(client, recognised):
    assess(recognised, "unsupervised-no-id")
    conditions(requires_identity_verification=True)
    page = page_of(client, recognised)
    assert WARNING in page
    assert (
        "It requires an identity-verified assessment, and the assessment described is taken "
        "without identity verification." in page
    )


def test_identity_verification_required_and_no_assessment_described(client, recognised):
    conditions(requires_identity_verification=True)
    assert "and no assessment is described." in page_of(client, recognised)


def test_a_verified_assessment_meets_the_condition(client, recognised):
    assess(recognised, "unsupervised-no-id")
    assess(recognised, "supervised-online-id")
    conditions(requires_identity_verification=True)
    assert WARNING not in page_of(client, recognised)


def test_a_minimum_grade_cannot_be_reached_by_a_pass_fail_assessment(client, recognised):
    assess(recognised, "supervised-onsite-id", grading="Pass/fail")
    conditions(minimum_grade="24/30")
    assert (
        "It requires a minimum grade of 24/30, and the assessment is graded pass/fail only."
        in page_of(client, recognised)
    )

    Assessment.objects.update(grading_scheme="18-30 (Italian university scale)")
    assert WARNING not in page_of(client, recognised)


def test_a_session_that_ended_longer_ago_than_the_credential_age_limit(client, recognised):
    make_edition(recognised, start_date=date(2023, 1, 9), end_date=date(2023, 3, 31))
    conditions(max_credential_age_months=24)
    assert (
        "It accepts credentials at most 24 months old, and the session described ended on "
        "31 Mar 2023." in page_of(client, recognised)
    )

    conditions(max_credential_age_months=36)  # until 31 Mar 2026: still fine today
    assert WARNING not in page_of(client, recognised)

    conditions(max_credential_age_months=24)
    make_edition(recognised, start_date=timezone.localdate() + timedelta(days=30))
    assert WARNING not in page_of(client, recognised)  # a new edition gives a new credential


def test_no_warning_when_nothing_is_in_the_way(client, recognised):
    assess(recognised, "unsupervised-no-id", grading="pass/fail")
    assert "Recognition toward a degree" in page_of(client, recognised)
    assert WARNING not in page_of(client, recognised)
