"""Agreements: approval, immutability, versions, validity windows."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from recognition.models import Agreement, AgreementItem, RecognitionDecision
from recognition.services import (
    agreement_approve,
    agreement_new_version,
    agreement_retire,
    decision_save,
)
from tests.builders import make_agreement, make_opportunity, make_organisation

DECISION = {
    "assessor": "Recognition board",
    "rationale": "Equivalent outcomes.",
    "outcome": "recognised",
    "credits_recognised": 2,
    "recognition_mode": "individual",
    "decided_on": date(2024, 1, 15),  # past on any day the suite runs
}

pytestmark = pytest.mark.django_db


def test_an_approved_agreement_cannot_be_edited_in_place(parties):
    agreement = make_agreement(parties["a"], [parties["provider"]], parties["opportunities"][:1])
    agreement.title = "Quietly changed"
    with pytest.raises(ValidationError, match="create a new version"):
        agreement.save()
    item = agreement.items.get()
    item.ects = 30
    with pytest.raises(ValidationError, match="create a new version"):
        item.save()
    with pytest.raises(ValidationError):
        AgreementItem(agreement=agreement, opportunity=parties["opportunities"][1], ects=1).save()
    agreement.refresh_from_db()
    assert agreement.title != "Quietly changed"
    assert agreement.items.get().ects == 2


def test_a_new_version_replaces_the_old_one_which_stays_readable(parties):
    first = make_agreement(parties["a"], [parties["provider"]], parties["opportunities"][:2])
    draft = agreement_new_version(agreement=first)
    assert (draft.version, draft.status, draft.series) == (2, "draft", first.series)
    assert [item.opportunity for item in draft.items.all()] == parties["opportunities"][:2]
    draft.items.first().delete()
    agreement_approve(agreement=draft, by_name="Prof. Second")

    first.refresh_from_db()
    assert first.status == "retired" and first.retired_at is not None
    assert first.approved_by_name == "Prof. Approver"
    assert first.items.count() == 2  # the old version keeps what it said
    assert draft.items.count() == 1
    assert list(Agreement.objects.in_force()) == [draft]


def test_only_one_draft_version_at_a_time(parties):
    first = make_agreement(parties["a"], [parties["provider"]], parties["opportunities"][:1])
    agreement_new_version(agreement=first)
    with pytest.raises(ValidationError, match="Version 2 is already being drafted"):
        agreement_new_version(agreement=first)


def test_approval_checks_the_parties_and_the_items(parties):
    outsider = make_opportunity(make_organisation("Not a party"), title="Outsider course")
    agreement = make_agreement(
        parties["a"], [parties["provider"]], [parties["opportunities"][0], outsider], approve=False
    )
    with pytest.raises(ValidationError) as error:
        agreement_approve(agreement=agreement, by_name="x")
    assert (
        "'Outsider course' is provided by Not a party, which is not a party."
        in error.value.messages
    )
    empty = make_agreement(parties["a"], [parties["provider"]], [], approve=False)
    with pytest.raises(ValidationError, match="at least one recognised opportunity"):
        agreement_approve(agreement=empty, by_name="x")
    assert Agreement.objects.filter(status="approved").count() == 0


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "expected"),
    [
        (timedelta(days=10), None, "not-yet-valid"),
        (timedelta(days=-10), timedelta(days=10), "in-force"),
        (timedelta(days=-10), timedelta(days=0), "in-force"),  # the last day still counts
        (timedelta(days=-100), timedelta(days=-1), "expired"),
    ],
)
def test_validity_windows(parties, valid_from, valid_until, expected):
    today = timezone.localdate()
    agreement = make_agreement(
        parties["a"],
        [parties["provider"]],
        parties["opportunities"][:1],
        approve=False,
        valid_from=today + valid_from,
        valid_until=today + valid_until if valid_until is not None else None,
    )
    # Approval refuses an already expired agreement: approve while it was still valid.
    Agreement.objects.filter(pk=agreement.pk).update(status="approved")
    agreement.refresh_from_db()
    assert agreement.validity() == expected
    assert Agreement.objects.in_force().filter(pk=agreement.pk).exists() == (expected == "in-force")


def test_an_expired_draft_cannot_be_approved_and_retiring_ends_it(parties):
    stale = make_agreement(
        parties["a"],
        [parties["provider"]],
        parties["opportunities"][:1],
        approve=False,
        valid_from=date(2020, 1, 1),
        valid_until=date(2021, 1, 1),
    )
    with pytest.raises(ValidationError, match="already have expired"):
        agreement_approve(agreement=stale, by_name="x")
    current = make_agreement(parties["a"], [parties["provider"]], parties["opportunities"][:1])
    agreement_retire(agreement=current)
    assert current.validity() == "retired"
    assert not Agreement.objects.in_force().exists()


def test_the_end_cannot_precede_the_start(parties):
    with pytest.raises(ValidationError) as error:
        make_agreement(
            parties["a"],
            [parties["provider"]],
            [],
            approve=False,
            valid_from=date(2026, 5, 1),
            valid_until=date(2026, 4, 1),
        )
    assert error.value.message_dict["valid_until"] == ["The agreement cannot end before it starts."]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"credits_recognised": 5},
            "credits_recognised",
            "More than the 2 ECTS the learning opportunity awards.",
        ),
        (
            {"decided_on": date(2099, 1, 1)},
            "decided_on",
            "A decision is recorded once taken: not a future date.",
        ),
    ],
)
def test_a_decision_that_cannot_be_right_is_refused(parties, change, field, message):
    with pytest.raises(ValidationError) as refused:
        decision_save(
            decision=RecognitionDecision(
                institution=parties["a"], opportunity=parties["opportunities"][0]
            ),
            values={**DECISION, **change},
        )
    assert refused.value.message_dict[field] == [message]


def test_a_decision_applies_an_approved_agreement_that_lists_its_opportunity(parties):
    listed, unlisted = parties["opportunities"][:2]
    approved = make_agreement(parties["a"], [parties["provider"]], [listed])
    draft = make_agreement(parties["a"], [parties["provider"]], [listed], approve=False)

    def refusal(opportunity, agreement) -> list[str]:
        with pytest.raises(ValidationError) as refused:
            decision_save(
                decision=RecognitionDecision(institution=parties["a"], opportunity=opportunity),
                values={**DECISION, "agreement": agreement},
            )
        return refused.value.message_dict["agreement"]

    assert refusal(unlisted, approved) == [
        "This agreement does not list this learning opportunity."
    ]
    assert refusal(listed, draft) == [
        "This agreement is a draft: it recognises nothing until it is approved."
    ]
    agreement_retire(agreement=approved)
    Agreement.objects.filter(pk=approved.pk).update(retired_at=timezone.now() - timedelta(days=30))
    approved.refresh_from_db()
    retired_on = timezone.localdate() - timedelta(days=30)

    def decided(on: date) -> RecognitionDecision:
        return decision_save(
            decision=RecognitionDecision(institution=parties["a"], opportunity=listed),
            values={**DECISION, "agreement": approved, "decided_on": on},
        )

    with pytest.raises(ValidationError, match="This agreement was retired on "):
        decided(retired_on + timedelta(days=1))
    assert decided(retired_on).agreement == approved  # applied while it was in force
