from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from descriptors.models import Edition, LearningOpportunity
from taxonomies.models import NqfLevel, Scheme
from tests.builders import concept, make_opportunity

pytestmark = pytest.mark.django_db


def errors_of(record: LearningOpportunity | Edition) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        record.full_clean()
    return raised.value.message_dict


def edition_of(**values) -> Edition:
    return make_opportunity(**values).editions.get()


def test_end_date_before_start_date_is_refused():
    edition = edition_of(start_date=date(2026, 5, 1))
    edition.end_date = date(2026, 4, 30)
    assert errors_of(edition)["end_date"] == ["The end date cannot be before the start date."]


def test_applications_may_close_after_the_start_but_not_after_the_end():
    edition = edition_of(start_date=date(2027, 3, 1), end_date=date(2027, 5, 31))
    edition.application_deadline = date(2027, 3, 15)  # late joiners are taken
    edition.full_clean()
    edition.application_deadline = date(2027, 6, 1)
    assert errors_of(edition)["application_deadline"] == [
        "Applications cannot close after the edition has ended."
    ]


def test_any_start_date_excludes_dates():
    edition = edition_of(any_start_date=True)
    edition.start_date = date(2026, 5, 1)
    assert errors_of(edition)["start_date"] == [
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
    edition = edition_of(fee_amount=Decimal("120"))
    assert errors_of(edition)["currency"] == ["Choose the currency of the fee."]
    edition.fee_amount = Decimal("-5")
    edition.currency = concept(Scheme.CURRENCY, "EUR")
    assert "greater than or equal to 0" in errors_of(edition)["fee_amount"][0]


def test_invalid_url_and_duration_get_clear_messages():
    opportunity = make_opportunity(homepage="not a url", duration="4 months")
    assert errors_of(opportunity)["homepage"] == ["Enter a valid URL."]
    duration = errors_of(opportunity.editions.get())["duration"]
    assert duration[0].startswith("Enter an ISO 8601 duration such as P4M")


def test_qnq_sublevel_only_with_a_framework_that_has_sublevels():
    opportunity = make_opportunity(nqf_sublevel=0)
    opportunity.nqf_level = NqfLevel.objects.get(code="c_6919ed25")  # DQR 6
    assert "Sub-levels exist only" in errors_of(opportunity)["nqf_sublevel"][0]
    opportunity.nqf_level = NqfLevel.objects.get(code="c_8cf0774e")  # QNQ 6
    opportunity.full_clean()


def test_database_refuses_end_before_start_even_without_validation():
    from django.db import IntegrityError, transaction

    edition = edition_of(start_date=date(2026, 5, 1))
    edition.end_date = date(2026, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        edition.save()


@pytest.mark.parametrize(
    ("ects", "hours", "warns"),
    [(5, 125, False), (5, 150, False), (5, 60, True), (2, 200, True), (None, 40, False)],
)
def test_workload_warning_when_hours_disagree_with_ects(ects, hours, warns):
    opportunity = make_opportunity(ects_credits=ects, workload_hours=hours)
    assert bool(opportunity.workload_warning) is warns
    if warns:
        assert "usually means" in opportunity.workload_warning
