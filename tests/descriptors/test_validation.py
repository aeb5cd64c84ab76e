from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from descriptors.models import LearningOpportunity
from taxonomies.models import NqfLevel, Scheme
from tests.builders import concept, make_opportunity

pytestmark = pytest.mark.django_db


def errors_of(opportunity: LearningOpportunity) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        opportunity.full_clean()
    return raised.value.message_dict


def test_end_date_before_start_date_is_refused():
    opportunity = make_opportunity(start_date=date(2026, 5, 1))
    opportunity.end_date = date(2026, 4, 30)
    assert errors_of(opportunity)["end_date"] == ["The end date cannot be before the start date."]


def test_any_start_date_excludes_dates():
    opportunity = make_opportunity(any_start_date=True)
    opportunity.start_date = date(2026, 5, 1)
    assert errors_of(opportunity)["start_date"] == [
        "Leave the dates empty when learners can start at any date."
    ]


def test_negative_ects_is_refused_and_fractions_are_allowed():
    opportunity = make_opportunity(ects_credits=Decimal("-1"))
    assert "greater than or equal to 0" in errors_of(opportunity)["ects_credits"][0]
    opportunity.ects_credits = Decimal("0.5")
    opportunity.full_clean()


def test_workload_must_be_positive():
    opportunity = make_opportunity(workload_hours=0)
    assert "greater than or equal to 1" in errors_of(opportunity)["workload_hours"][0]


def test_fee_needs_a_currency_and_cannot_be_negative():
    opportunity = make_opportunity(fee_amount=Decimal("120"))
    assert errors_of(opportunity)["currency"] == ["Choose the currency of the fee."]
    opportunity.fee_amount = Decimal("-5")
    opportunity.currency = concept(Scheme.CURRENCY, "EUR")
    assert "greater than or equal to 0" in errors_of(opportunity)["fee_amount"][0]


def test_invalid_url_and_duration_get_clear_messages():
    opportunity = make_opportunity(homepage="not a url", duration="4 months")
    errors = errors_of(opportunity)
    assert errors["homepage"] == ["Enter a valid URL."]
    assert errors["duration"][0].startswith("Enter an ISO 8601 duration such as P4M")


def test_qnq_sublevel_only_with_a_framework_that_has_sublevels():
    opportunity = make_opportunity(nqf_sublevel=0)
    opportunity.nqf_level = NqfLevel.objects.get(code="c_6919ed25")  # DQR 6
    assert "Sub-levels exist only" in errors_of(opportunity)["nqf_sublevel"][0]
    opportunity.nqf_level = NqfLevel.objects.get(code="c_8cf0774e")  # QNQ 6
    opportunity.full_clean()


def test_database_refuses_end_before_start_even_without_validation():
    from django.db import IntegrityError, transaction

    opportunity = make_opportunity(start_date=date(2026, 5, 1))
    opportunity.end_date = date(2026, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        opportunity.save()


@pytest.mark.parametrize(
    ("ects", "hours", "warns"),
    [(5, 125, False), (5, 150, False), (5, 60, True), (2, 200, True), (None, 40, False)],
)
def test_workload_warning_when_hours_disagree_with_ects(ects, hours, warns):
    opportunity = make_opportunity(ects_credits=ects, workload_hours=hours)
    assert bool(opportunity.workload_warning) is warns
    if warns:
        assert "usually means" in opportunity.workload_warning
