"""Recognition officers in the admin: their own institution only; approved versions frozen."""

import pytest
from django.urls import reverse

from recognition.models import Agreement, RecognitionDecision
from recognition.services import decision_save
from tests.builders import make_agreement, make_officer, make_opportunity

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:recognition_agreement_changelist")


def change_url(agreement):
    return reverse("admin:recognition_agreement_change", args=[agreement.pk])


@pytest.fixture
def officer_a(client, parties):
    client.force_login(make_officer(parties["a"]))
    return client


def test_officer_cannot_see_or_change_another_institutions_drafts(officer_a, parties):
    own = make_agreement(
        parties["a"],
        [parties["provider"]],
        parties["opportunities"][:1],
        approve=False,
        title="A's draft",
    )
    foreign = make_agreement(
        parties["b"],
        [parties["provider"]],
        parties["opportunities"][:1],
        approve=False,
        title="B's draft",
    )
    listing = officer_a.get(CHANGELIST)
    assert "A&#x27;s draft" in listing.text and "B&#x27;s draft" not in listing.text
    assert officer_a.get(change_url(foreign)).status_code in (302, 403, 404)
    officer_a.post(change_url(foreign), {"title": "hijacked"})
    delete = reverse("admin:recognition_agreement_delete", args=[foreign.pk])
    officer_a.post(delete, {"post": "yes"})
    officer_a.post(CHANGELIST, {"action": "approve", "_selected_action": [foreign.pk]})
    foreign.refresh_from_db()
    assert (foreign.title, foreign.status) == ("B's draft", "draft")
    form = officer_a.get(reverse("admin:recognition_agreement_add")).context["adminform"].form
    assert list(form.fields["institution"].queryset) == [parties["a"]]
    assert officer_a.get(change_url(own)).status_code == 200


def test_approved_agreement_opens_read_only_and_a_new_version_is_drafted(officer_a, parties):
    draft = make_agreement(
        parties["a"],
        [parties["provider"]],
        parties["opportunities"][:1],
        approve=False,
        title="Leica electives",
    )
    response = officer_a.post(CHANGELIST, {"action": "approve", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.approved_by is not None
    page = officer_a.get(change_url(draft))
    assert page.context["has_change_permission"] is False
    officer_a.post(change_url(draft), {"title": "Changed in place"})
    draft.refresh_from_db()
    assert draft.title == "Leica electives"
    officer_a.post(CHANGELIST, {"action": "draft_new_version", "_selected_action": [draft.pk]})
    versions = Agreement.objects.filter(series=draft.series).order_by("version")
    assert [(v.version, v.status) for v in versions] == [(1, "approved"), (2, "draft")]
    page = officer_a.get(change_url(versions[1]))
    assert "v1 (approved)" in page.text


def test_approval_problems_are_reported(officer_a, parties):
    outsider = make_opportunity(title="Outsider course")
    draft = make_agreement(parties["a"], [parties["provider"]], [outsider], approve=False)
    response = officer_a.post(
        CHANGELIST, {"action": "approve", "_selected_action": [draft.pk]}, follow=True
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any("'Outsider course' is provided by" in message for message in messages)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_autocomplete_offers_any_published_opportunity_but_no_foreign_draft(officer_a, parties):
    make_opportunity(parties["b"], title="Politecnico hidden draft", status="draft")
    url = reverse("admin:autocomplete")
    response = officer_a.get(
        url,
        {
            "term": "Street",
            "app_label": "recognition",
            "model_name": "agreementitem",
            "field_name": "opportunity",
        },
    )
    titles = {result["text"] for result in response.json()["results"]}
    assert titles == {opportunity.title for opportunity in parties["opportunities"]}
    response = officer_a.get(
        url,
        {
            "term": "hidden",
            "app_label": "recognition",
            "model_name": "agreementitem",
            "field_name": "opportunity",
        },
    )
    assert response.json()["results"] == []


def test_decisions_are_scoped_and_show_precedents(officer_a, parties):
    opportunity = parties["opportunities"][0]
    values = {
        "assessor": "Board",
        "rationale": "Fine.",
        "outcome": "recognised",
        "credits_recognised": 2,
        "recognition_mode": "individual",
    }
    theirs = decision_save(
        decision=RecognitionDecision(institution=parties["b"], opportunity=opportunity),
        values={**values, "rationale": "Polimi recognised it as an elective."},
    )
    private = decision_save(
        decision=RecognitionDecision(institution=parties["b"], opportunity=opportunity),
        values={**values, "is_public": False, "rationale": "Private note of Polimi."},
    )
    own = decision_save(
        decision=RecognitionDecision(institution=parties["a"], opportunity=opportunity),
        values=values,
    )
    listing = officer_a.get(reverse("admin:recognition_recognitiondecision_changelist"))
    assert list(listing.context["cl"].result_list) == [own]
    for foreign in (theirs, private):
        url = reverse("admin:recognition_recognitiondecision_change", args=[foreign.pk])
        assert officer_a.get(url).status_code in (302, 403, 404)
    page = officer_a.get(reverse("admin:recognition_recognitiondecision_change", args=[own.pk]))
    assert "Polimi recognised it as an elective." in page.text
    assert "Private note of Polimi." not in page.text


def _agreement_form(officer, parties, item: dict) -> dict:
    """The add form as an officer fills it, with one recognised opportunity."""
    page = officer.get(reverse("admin:recognition_agreement_add"))
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    return {
        "institution": parties["a"].pk,
        "providers": [parties["provider"].pk],
        "title": "Leica electives",
        "agreement_type": page.context["adminform"].form.fields["agreement_type"].initial,
        "objective": "Recognise partner micro-credentials.",
        "process": "Apply to the student office.",
        "language": page.context["adminform"].form.fields["language"].queryset.get(code="ENG").pk,
        "valid_from": "2026-01-01",
        "max_ects_per_learner": "3",
        f"{prefix}-TOTAL_FORMS": 1,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-0-position": 0,
        f"{prefix}-0-target_kind": "elective",
        f"{prefix}-0-target_title": "Elective credits, BA Design",
        f"{prefix}-0-recognition_mode": "individual",
        f"{prefix}-0-grade_policy": "graded",
        f"{prefix}-0-requires_passed_assessment": "on",
        **{f"{prefix}-0-{name}": value for name, value in item.items()},
    }


def _item_errors(response) -> dict:
    formset = response.context["inline_admin_formsets"][0].formset
    return formset.forms[0].errors


@pytest.mark.parametrize(
    ("ects", "message"),
    [
        ("10", "More than the 2 ECTS the learning opportunity awards."),
        ("2", None),
    ],
)
def test_an_item_recognises_no_more_than_the_opportunity_awards(officer_a, parties, ects, message):
    opportunity = parties["opportunities"][0]  # awards 2 ECTS
    data = _agreement_form(officer_a, parties, {"opportunity": opportunity.pk, "ects": ects})
    response = officer_a.post(reverse("admin:recognition_agreement_add"), data)
    if message is None:
        assert response.status_code == 302
        assert Agreement.objects.get().items.get().ects == 2
    else:
        assert _item_errors(response) == {"ects": [message]}
        assert not Agreement.objects.exists()


def test_an_item_recognises_no_more_than_the_agreement_allows_a_learner(officer_a, parties):
    opportunity = parties["opportunities"][2]  # awards 4 ECTS; the agreement allows 3
    data = _agreement_form(officer_a, parties, {"opportunity": opportunity.pk, "ects": "4"})
    response = officer_a.post(reverse("admin:recognition_agreement_add"), data)
    assert _item_errors(response) == {
        "ects": ["More than the agreement's maximum per learner (3 ECTS)."]
    }


def test_an_item_of_a_provider_that_is_not_a_party_is_refused_beside_it(officer_a, parties):
    outsider = make_opportunity(title="Outsider course")
    data = _agreement_form(officer_a, parties, {"opportunity": outsider.pk, "ects": "1"})
    response = officer_a.post(reverse("admin:recognition_agreement_add"), data)
    assert _item_errors(response)["opportunity"] == [
        f"Provided by {outsider.provider.name}, which is not a party: add it to the providers."
    ]
    assert not Agreement.objects.exists()


def test_approval_refuses_an_item_beyond_a_cap_lowered_since(officer_a, parties):
    draft = make_agreement(
        parties["a"], [parties["provider"]], parties["opportunities"][:1], approve=False
    )
    Agreement.objects.filter(pk=draft.pk).update(max_ects_per_learner=1)
    response = officer_a.post(
        CHANGELIST, {"action": "approve", "_selected_action": [draft.pk]}, follow=True
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any(
        "'Street photography: shape and content': More than the agreement's maximum per "
        "learner (1 ECTS)." in message
        for message in messages
    )
    draft.refresh_from_db()
    assert draft.status == "draft"
