"""Stackable pathways: totals computed from the steps, and the rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recognition.models import Pathway, PathwayStep
from recognition.pathways import pathway_totals
from recognition.services import pathway_save

pytestmark = pytest.mark.django_db


def save_pathway(parties, **rules) -> Pathway:
    pathway = Pathway(
        owner=parties["provider"],
        title="Street photography",
        target_credential="Street photography credential (EQF 6)",
        is_published=True,
        **rules,
    )
    steps = [PathwayStep(opportunity=opportunity) for opportunity in parties["opportunities"]]
    for step, required in zip(steps, rules.pop("required", []) or [], strict=False):
        step.is_required = required
    return pathway_save(pathway=pathway, steps=steps)


def test_totals_are_computed_from_the_steps(parties):
    pathway = save_pathway(parties, rule="all", is_ordered=True)
    totals = pathway_totals(pathway)
    assert (totals.ects, totals.workload_hours, totals.steps_to_complete) == (9, 225, 3)
    assert (totals.completion_ects_low, totals.completion_ects_high) == (9, 9)
    # A provider changes a step's credits: the pathway follows without being edited.
    first = parties["opportunities"][0]
    first.ects_credits = 5
    first.save()
    assert pathway_totals(pathway).ects == 12


def test_two_of_three_with_a_minimum_of_ects(parties):
    pathway = save_pathway(parties, rule="n-of-m", required_count=2, minimum_ects=Decimal(6))
    totals = pathway_totals(pathway)
    assert (totals.steps_to_complete, totals.completion_ects_low, totals.completion_ects_high) == (
        2,
        5,
        7,
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            {"rule": "n-of-m", "required_count": 4},
            "4 steps must be completed but the pathway has only 3.",
        ),
        (
            {"rule": "all", "minimum_ects": Decimal(10)},
            "At most 9 ECTS can be reached, less than the minimum of 10.",
        ),
        ({"rule": "n-of-m"}, "Say how many steps must be completed."),
    ],
)
def test_rules_that_cannot_be_met_are_refused(parties, rules, message):
    with pytest.raises(ValidationError) as error:
        save_pathway(parties, **rules)
    assert message in error.value.messages
    assert not Pathway.objects.exists()


def test_pathway_page_and_api_show_the_path(client, parties):
    pathway = save_pathway(parties, rule="all", is_ordered=True)
    page = client.get(reverse("recognition:pathway", args=[pathway.pk]))
    assert page.status_code == 200
    steps = page.context["view"].steps
    assert [step.opportunity.title for step in steps] == [o.title for o in parties["opportunities"]]
    assert "225 hours" in page.text
    detail = client.get(f"/opportunities/{parties['opportunities'][1].pk}/")
    assert 'aria-current="step"' in detail.text
    assert "Street photography credential (EQF 6)" in detail.text
    data = client.get(reverse("recognition-api:pathway", args=[pathway.pk])).json()
    assert (data["total_ects"], data["total_workload_hours"], data["steps_to_complete"]) == (
        "9.00",
        225,
        3,
    )
    assert [step["position"] for step in data["steps"]] == [0, 1, 2]
    pathway.is_published = False
    pathway.save()
    assert client.get(reverse("recognition-api:pathway", args=[pathway.pk])).status_code == 404
    assert client.get(reverse("recognition-api:pathways")).json() == []
