"""The recognition API: public reads, institution tokens for writes, under the admin's rules."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import ApiToken
from catalogue.tokens import api_token_issue
from recognition.models import Agreement, RecognitionDecision
from recognition.services import decision_save
from tests.builders import make_agreement

pytestmark = pytest.mark.django_db

AGREEMENTS = reverse("recognition-api:agreements")
DECISIONS = reverse("recognition-api:decisions")


def agreement_url(agreement, action: str = "") -> str:
    if action:
        return reverse(f"recognition-api:agreement-{action}", args=[agreement.pk])
    return reverse("recognition-api:agreement", args=[agreement.pk])


def call(client, method, url, key=None, data=None):
    headers = {"authorization": f"Token {key}"} if key else {}
    return getattr(client, method)(url, data=data, content_type="application/json", headers=headers)


@pytest.fixture
def keys(parties):
    return {
        name: api_token_issue(token=ApiToken(organisation=parties[name], name="registry"))
        for name in ("a", "b")
    }


def new_agreement(parties) -> dict:
    return {
        "title": "Leica electives",
        "objective": "Recognise the Leica micro-credentials as electives.",
        "process": "Apply to the student office.",
        "language": "ITA",
        "valid_from": str(timezone.localdate()),
        "providers": [parties["provider"].pk],
        "items": [
            {
                "opportunity": opportunity.pk,
                "target_title": "BA Visual arts electives",
                "ects": "2",
                "grade_policy": "pass",
            }
            for opportunity in parties["opportunities"][:2]
        ],
    }


def test_an_officer_drafts_approves_and_versions_through_the_api(client, parties, keys):
    created = call(client, "post", AGREEMENTS, keys["a"], new_agreement(parties))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["validity"], body["institution"]["id"]) == (
        "draft",
        "draft",
        parties["a"].pk,
    )
    draft = Agreement.objects.get(pk=body["id"])
    # Drafts are the institution's own business.
    assert call(client, "get", agreement_url(draft)).status_code == 404
    assert call(client, "get", agreement_url(draft), keys["b"]).status_code == 404
    assert call(client, "get", AGREEMENTS).json()["count"] == 0
    assert call(client, "get", AGREEMENTS, keys["a"]).json()["count"] == 1
    # B cannot approve or change A's draft.
    assert call(client, "post", agreement_url(draft, "approve"), keys["b"]).status_code == 404
    renamed = call(client, "patch", agreement_url(draft), keys["a"], {"title": "Leica (v1)"})
    assert renamed.json()["title"] == "Leica (v1)"
    approved = call(client, "post", agreement_url(draft, "approve"), keys["a"])
    assert approved.status_code == 200
    assert approved.json()["validity"] == "in-force"
    assert approved.json()["approved_by_name"] == "registry (API token)"
    # Now public, and frozen.
    assert call(client, "get", agreement_url(draft)).status_code == 200
    frozen = call(client, "patch", agreement_url(draft), keys["a"], {"title": "Sneaky"})
    assert frozen.status_code == 409
    assert "create a new version" in frozen.json()["detail"]
    assert call(client, "patch", agreement_url(draft), keys["b"], {"title": "x"}).status_code == 403
    second = call(client, "post", agreement_url(draft, "new-version"), keys["a"])
    assert second.status_code == 201
    assert [(v["version"], v["status"]) for v in second.json()["versions"]] == [
        (1, "approved"),
        (2, "draft"),
    ]
    second_id = second.json()["id"]
    items = [{**new_agreement(parties)["items"][0], "ects": "3"}]
    call(client, "patch", f"{AGREEMENTS}{second_id}/", keys["a"], {"items": items})
    call(client, "post", f"{AGREEMENTS}{second_id}/approve/", keys["a"])
    first = call(client, "get", agreement_url(draft)).json()
    assert first["status"] == "retired"
    assert len(first["items"]) == 2  # the old version keeps what it said
    assert [(v["version"], v["status"]) for v in first["versions"]] == [
        (1, "retired"),
        (2, "approved"),
    ]


def test_write_errors_are_400_with_field_messages(client, parties, keys):
    data = new_agreement(parties)
    data["valid_until"] = "2000-01-01"
    data["items"][0]["ects"] = "0"
    data["items"][1]["opportunity"] = 999999
    data["language"] = "XXX"
    response = call(client, "post", AGREEMENTS, keys["a"], data)
    assert response.status_code == 400
    errors = response.json()
    assert errors["language"] == ["Unknown language value 'XXX'."]
    assert "Ensure this value is greater than or equal to 0.5." in errors["items"]["0"]["ects"]
    assert errors["items"]["1"]["opportunity"] == [
        "No published learning opportunity has id 999999."
    ]
    del data["items"], data["language"]
    data["language"] = "ITA"
    response = call(client, "post", AGREEMENTS, keys["a"], data)
    assert response.json() == {"valid_until": ["The agreement cannot end before it starts."]}
    assert call(client, "post", AGREEMENTS, None, new_agreement(parties)).status_code == 401
    assert not Agreement.objects.exists()


def test_validity_in_the_api_and_the_one_call_check(client, parties):
    opportunity = parties["opportunities"][0]
    today = timezone.localdate()
    make_agreement(
        parties["a"], [parties["provider"]], [opportunity], valid_until=today + timedelta(days=5)
    )
    later = make_agreement(
        parties["b"],
        [parties["provider"]],
        [opportunity],
        approve=False,
        valid_from=today + timedelta(days=30),
    )
    Agreement.objects.filter(pk=later.pk).update(status="approved")
    listing = call(client, "get", AGREEMENTS, data={"opportunity": opportunity.pk}).json()
    assert sorted(row["validity"] for row in listing["results"]) == ["in-force", "not-yet-valid"]
    in_force = call(client, "get", AGREEMENTS, data={"in_force": "true"}).json()
    assert [row["institution"]["name"] for row in in_force["results"]] == [parties["a"].name]

    check = reverse("recognition-api:check")
    answer = call(
        client, "get", check, data={"opportunity": opportunity.pk, "institution": parties["a"].pk}
    ).json()
    assert answer["recognised"] is True
    assert answer["recognitions"][0]["ects"] == "2.00"
    assert answer["recognitions"][0]["target_title"] == "Elective credits, BA Design"
    assert answer["recognitions"][0]["conditions_text"] == [
        "the assessment is passed",
        "recorded with a converted grade",
    ]
    expired_day = str(today + timedelta(days=6))
    assert (
        call(
            client,
            "get",
            check,
            data={"opportunity": opportunity.pk, "institution": parties["a"].pk, "on": expired_day},
        ).json()["recognised"]
        is False
    )
    not_yet = {"opportunity": opportunity.pk, "institution": parties["b"].pk}
    assert call(client, "get", check, data=not_yet).json()["recognised"] is False
    not_yet["on"] = str(today + timedelta(days=31))
    assert call(client, "get", check, data=not_yet).json()["recognised"] is True
    bad = call(client, "get", check, data={"opportunity": "x", "institution": 1})
    assert bad.status_code == 400 and bad.json() == {"opportunity": ["Give an id."]}


def test_decisions_public_private_and_written_by_tokens(client, parties, keys):
    opportunity = parties["opportunities"][0]
    decision_save(
        decision=RecognitionDecision(institution=parties["b"], opportunity=opportunity),
        values={
            "assessor": "Board",
            "rationale": "Private.",
            "outcome": "refused",
            "substantial_differences": ["level"],
            "is_public": False,
        },
    )
    created = call(
        client,
        "post",
        DECISIONS,
        keys["a"],
        {
            "opportunity": opportunity.pk,
            "outcome": "recognised",
            "credits_recognised": "2",
            "recognition_mode": "individual",
            "rationale": "Matches our elective.",
            "assessor": "Prof. Rossi",
            "terminology_appropriate": True,
            "level_appropriate": True,
        },
    )
    assert created.status_code == 201, created.json()
    assert call(client, "get", DECISIONS).json()["count"] == 1
    assert call(client, "get", DECISIONS, keys["b"]).json()["count"] == 2
    refused = call(
        client,
        "post",
        DECISIONS,
        keys["a"],
        {
            "opportunity": opportunity.pk,
            "outcome": "refused",
            "rationale": "No.",
            "assessor": "Board",
        },
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "substantial_differences": ["A refusal must name at least one substantial difference."]
    }
    url = reverse("recognition-api:decision", args=[created.json()["id"]])
    assert call(client, "patch", url, keys["b"], {"rationale": "x"}).status_code == 403
    assert (
        call(client, "patch", url, keys["a"], {"rationale": "Updated."}).json()["rationale"]
        == "Updated."
    )
    assert call(client, "get", DECISIONS, data={"decision": "recognised"}).json()["count"] == 1


def test_agreement_list_queries_do_not_grow_with_the_page(
    client, parties, django_assert_max_num_queries
):
    for _ in range(2):
        make_agreement(parties["a"], [parties["provider"]], parties["opportunities"])
    with django_assert_max_num_queries(12) as few:
        assert call(client, "get", AGREEMENTS).json()["count"] == 2
    for _ in range(4):
        make_agreement(parties["b"], [parties["provider"]], parties["opportunities"][:1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert call(client, "get", AGREEMENTS).json()["count"] == 6
