"""What learners see: recognition on the opportunity page, the "recognised by" facet, the
institution's page, the public agreement and its printable document, precedents."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalogue.search.facet_index import facet_index
from recognition.models import Agreement, RecognitionDecision
from recognition.services import agreement_new_version, decision_save
from tests.builders import make_agreement

pytestmark = pytest.mark.django_db


def opportunity_page(client, opportunity):
    return client.get(reverse("catalogue:opportunity-detail", args=[opportunity.pk])).text


def test_only_agreements_in_force_show_on_the_opportunity_page(client, parties):
    opportunity = parties["opportunities"][0]
    today = timezone.localdate()
    current = make_agreement(
        parties["a"], [parties["provider"]], [opportunity], valid_until=today + timedelta(days=30)
    )
    expired = make_agreement(parties["b"], [parties["provider"]], [opportunity], approve=False)
    Agreement.objects.filter(pk=expired.pk).update(
        status="approved", valid_until=today - timedelta(days=1)
    )
    page = opportunity_page(client, opportunity)
    assert "Università Iuav di Venezia" in page
    assert "2 ECTS toward Elective credits, BA Design" in page
    assert "the assessment is passed" in page
    until = date_format(today + timedelta(days=30), "DATE_FORMAT")
    assert f"Valid until {until}." in page
    assert "Politecnico di Milano" not in page
    current_draft = agreement_new_version(agreement=current)
    assert current_draft.status == "draft"
    assert "Università Iuav di Venezia" in opportunity_page(client, opportunity)
    other = parties["opportunities"][1]
    assert "No institution recognises it" not in opportunity_page(client, other)  # no section


def test_recognised_by_facet_counts_and_filters(client, parties):
    facet_index.reset()
    shape, report, _ = parties["opportunities"]
    make_agreement(parties["a"], [parties["provider"]], [shape, report])
    make_agreement(parties["b"], [parties["provider"]], [report], approve=False)  # a draft
    response = client.get(reverse("catalogue:search"), {"recognised_by": parties["a"].pk})
    result = response.context["result"]
    assert {opportunity.pk for opportunity in result.opportunities} == {shape.pk, report.pk}
    facet = next(facet for facet in result.facets if facet.key == "recognised_by")
    counts = {value.label: value.count for value in facet.values}
    assert counts == {"Università Iuav di Venezia": 2}
    # Approving B's draft later updates the index through the change log.
    from recognition.services import agreement_approve

    agreement_approve(agreement=Agreement.objects.get(status="draft"), by_name="B")
    api = client.get(reverse("api:opportunity-list"), {"facets": "true"}).json()
    facet = next(facet for facet in api["facets"] if facet["facet"] == "recognised_by")
    assert {value["label"]: value["count"] for value in facet["values"]} == {
        "Università Iuav di Venezia": 2,
        "Politecnico di Milano": 1,
    }


def test_the_recognised_by_facet_follows_the_calendar(client, parties, monkeypatch):
    """An agreement that ends today counts today and not tomorrow, without any write in
    between: the index re-reads the facet when the day changes (and only that facet)."""
    facet_index.reset()
    shape, report, _ = parties["opportunities"]
    today = timezone.localdate()
    make_agreement(parties["a"], [parties["provider"]], [shape, report], valid_until=today)
    make_agreement(
        parties["b"], [parties["provider"]], [report], valid_from=today + timedelta(days=1)
    )

    def recognised_by_counts():
        result = client.get(reverse("catalogue:search")).context["result"]
        facet = next(facet for facet in result.facets if facet.key == "recognised_by")
        return {value.label: value.count for value in facet.values}

    assert recognised_by_counts() == {"Università Iuav di Venezia": 2}
    documents_today = facet_index.current().ids
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + timedelta(days=1))
    assert recognised_by_counts() == {"Politecnico di Milano": 1}
    assert facet_index.current().ids is documents_today  # the rest of the index is kept


def test_institution_browse_page(client, parties):
    make_agreement(parties["a"], [parties["provider"]], parties["opportunities"][:2])
    listing = client.get(reverse("recognition:institutions"))
    assert listing.context["institutions"] == [(parties["a"], 2)]
    page = client.get(reverse("recognition:institution", args=[parties["a"].pk]))
    assert f"?recognised_by={parties['a'].pk}" in page.text
    assert parties["opportunities"][1].title in page.text
    assert client.get(reverse("recognition:institution", args=[parties["b"].pk])).status_code == 404


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "en",
            [
                "Parties",
                "Type and objective",
                "Scope",
                "Recognised learning opportunities",
                "Credits and grades",
                "Conditions",
                "Process",
                "Quality assurance",
                "Validity",
                "Signatures",
            ],
        ),
        (
            "it",
            [
                "Parti",
                "Tipo e obiettivo",
                "Ambito",
                "Opportunità di apprendimento riconosciute",
                "Crediti e voti",
                "Condizioni",
                "Procedura",
                "Assicurazione della qualità",
                "Validità",
                "Firme",
            ],
        ),
    ],
)
def test_printable_agreement_carries_every_section_party_item_and_condition(
    client, parties, language, headings
):
    second_provider = parties["b"]
    agreement = make_agreement(
        parties["a"],
        [parties["provider"], second_provider],
        parties["opportunities"],
        signatories="Rector, Iuav\nCEO, Leica",
        approve=False,
    )
    item = agreement.items.first()
    item.minimum_grade, item.max_credential_age_months = "24/30", 36
    item.requires_identity_verification = True
    item.save()
    from recognition.services import agreement_approve

    agreement_approve(agreement=agreement, by_name="Prof. Approver")
    response = client.get(
        reverse("recognition:agreement-document", args=[agreement.pk]), {"lang": language}
    )
    assert response["Content-Language"] == language
    text = response.text
    assert f'<html lang="{language}">' in text
    for number, heading in enumerate(headings, start=1):
        assert f"<h2>{number}. {heading}</h2>" in text
    for party in ("Università Iuav di Venezia", "Leica Camera Italia", "Politecnico di Milano"):
        assert party in text
    for opportunity in parties["opportunities"]:
        assert opportunity.title in text
    for line in ("Rector, Iuav", "CEO, Leica", "24/30", "36"):
        assert line in text
    conditions = text[text.index("6. ") : text.index("7. ")]
    assert conditions.count('class="conditions"') == 3


def test_drafts_have_no_public_page(client, parties):
    draft = make_agreement(
        parties["a"], [parties["provider"]], parties["opportunities"][:1], approve=False
    )
    assert client.get(reverse("recognition:agreement", args=[draft.pk])).status_code == 404
    assert client.get(reverse("recognition:agreement-document", args=[draft.pk])).status_code == 404


def test_precedents_search(client, parties):
    shape, report, portrait = parties["opportunities"]
    shape.eqf_level_id, report.eqf_level_id = 6, 4
    shape.save()
    report.save()
    common = {
        "assessor": "Board",
        "rationale": "Outcomes match.",
        "recognition_mode": "individual",
        "credits_recognised": 2,
        "outcome": "recognised",
    }
    decision_save(
        decision=RecognitionDecision(institution=parties["a"], opportunity=shape), values=common
    )
    decision_save(
        decision=RecognitionDecision(institution=parties["b"], opportunity=report), values=common
    )
    decision_save(
        decision=RecognitionDecision(institution=parties["b"], opportunity=portrait),
        values={**common, "is_public": False},
    )

    def found(**query):
        page = client.get(reverse("recognition:decisions"), query).context["page"]
        return sorted(decision.opportunity.title for decision in page)

    assert found() == sorted([shape.title, report.title])  # the private one is not shown
    assert found(eqf=6) == [shape.title]
    assert found(institution=parties["b"].pk) == [report.title]
    assert found(outcome_text="report") == [report.title]
    assert found(ects_min=3) == [report.title]
    assert client.get(reverse("recognition:decisions"), {"eqf": 99}).status_code == 400


def test_a_refusal_must_show_a_substantial_difference(parties):
    from django.core.exceptions import ValidationError

    decision = RecognitionDecision(
        institution=parties["a"], opportunity=parties["opportunities"][0]
    )
    with pytest.raises(ValidationError) as error:
        decision_save(
            decision=decision,
            values={
                "outcome": "refused",
                "rationale": "No.",
                "assessor": "Board",
                "credits_recognised": 2,
            },
        )
    assert error.value.message_dict == {
        "substantial_differences": ["A refusal must name at least one substantial difference."],
        "credits_recognised": ["A refusal recognises no credits."],
    }


@pytest.mark.parametrize("prefix", ["", "/it"])
def test_the_sections_own_address_leads_to_its_first_page(client, prefix):
    response = client.get(f"{prefix}/recognition/")
    assert response.status_code == 302
    assert response["Location"] == f"{prefix}/recognition/institutions/"
