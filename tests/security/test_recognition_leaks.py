"""Recognition officers and the public pages: another provider's draft cannot be put on them,
and an opportunity archived or unpublished after it was recognised shows as "no longer
offered", never with the title its provider gave it since."""

from datetime import date

import pytest
from django.urls import reverse

from recognition.models import Pathway, PathwayStep, RecognitionDecision
from recognition.services import decision_save, pathway_save
from tests.builders import make_agreement, make_officer, make_opportunity, make_organisation

pytestmark = pytest.mark.django_db

NO_LONGER_OFFERED = "No longer offered"
SECRET_TITLE = "Renamed after archiving: secret merger plan"


@pytest.fixture
def world(client):
    institution = make_organisation("Università Iuav di Venezia")
    provider = make_organisation("Leica Camera Italia", provider_type="company")
    officer = make_officer(institution)
    client.force_login(officer)
    return {
        "client": client,
        "institution": institution,
        "provider": provider,
        "published": make_opportunity(provider, title="Street photography", ects_credits=2),
        "foreign_draft": make_opportunity(
            make_organisation("Another provider"), title="Unannounced course", status="draft"
        ),
    }


def _form_data(response) -> dict:
    """What the admin page's form would send back as it stands (hidden and initial values)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value in (None, False):
            continue
        data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    return data


def test_the_decision_admin_refuses_another_providers_draft(world):
    client = world["client"]
    url = reverse("admin:recognition_recognitiondecision_add")
    data = {
        **_form_data(client.get(url)),
        "institution": world["institution"].pk,
        "outcome": "recognised",
        "assessor": "Recognition board",
        "rationale": "Equivalent outcomes.",
        "decided_on": "2026-01-15",
        "recognition_mode": "individual",
        "credits_recognised": "2",
        "is_public": "on",
    }
    response = client.post(url, {**data, "opportunity": world["foreign_draft"].pk})
    assert response.status_code == 200
    assert "Choose a published learning opportunity." in response.text
    assert not RecognitionDecision.objects.exists()
    # The same form with a published opportunity is saved: only the choice was wrong.
    response = client.post(url, {**data, "opportunity": world["published"].pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert RecognitionDecision.objects.get().opportunity == world["published"]


def test_the_pathway_step_inline_refuses_another_providers_draft(world):
    client = world["client"]
    url = reverse("admin:recognition_pathway_add")
    data = {
        **_form_data(client.get(url)),
        "owner": world["institution"].pk,
        "title": "Photography path",
        "target_credential": "Certificate",
        "rule": "all",
        "is_published": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-0-position": "0",
    }
    response = client.post(url, {**data, "steps-0-opportunity": world["foreign_draft"].pk})
    assert response.status_code == 200
    assert "Choose a published learning opportunity." in response.text
    assert not Pathway.objects.exists()
    response = client.post(url, {**data, "steps-0-opportunity": world["published"].pk})
    assert response.status_code == 302
    assert PathwayStep.objects.get().opportunity == world["published"]


def test_an_archived_opportunity_is_no_longer_offered_anywhere_public(world, client):
    institution, opportunity = world["institution"], world["published"]
    agreement = make_agreement(institution, [world["provider"]], [opportunity])
    decision_save(
        decision=RecognitionDecision(institution=institution, opportunity=opportunity),
        values={
            "assessor": "Board",
            "rationale": "Fine.",
            "outcome": "recognised",
            "credits_recognised": 2,
            "recognition_mode": "individual",
            "decided_on": date(2026, 1, 15),
        },
    )
    pathway = pathway_save(
        pathway=Pathway(
            owner=institution, title="Path", target_credential="Certificate", is_published=True
        ),
        steps=[PathwayStep(opportunity=opportunity)],
    )
    pages = [
        reverse("recognition:agreement", args=[agreement.pk]),
        reverse("recognition:agreement-document", args=[agreement.pk]),
        reverse("recognition:institution", args=[institution.pk]),
        reverse("recognition:decisions"),
        reverse("recognition:pathway", args=[pathway.pk]),
    ]
    client.logout()
    for page in pages:  # while published: the title
        assert opportunity.title in client.get(page).text

    opportunity.status = "archived"
    opportunity.title = SECRET_TITLE
    opportunity.save()
    for page in pages:
        text = client.get(page).text
        assert SECRET_TITLE not in text, page
        assert NO_LONGER_OFFERED in text, page
    assert (
        client.get(reverse("recognition:decisions"), {"outcome_text": "merger"})
        .context["page"]
        .paginator.count
        == 0
    )

    api = [
        reverse("recognition-api:agreement", args=[agreement.pk]),
        reverse("recognition-api:agreements"),
        reverse("recognition-api:decisions"),
        reverse("recognition-api:pathway", args=[pathway.pk]),
    ]
    for url in api:
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET_TITLE not in response.text, url
        assert '"offered":false' in response.text.replace(" ", ""), url
    reference = client.get(api[0]).json()["items"][0]["opportunity"]
    assert reference == {"id": opportunity.pk, "title": None, "url": None, "offered": False}
    # The institution no longer counts it among what it recognises.
    assert client.get(reverse("recognition:institutions")).context["institutions"] == []
