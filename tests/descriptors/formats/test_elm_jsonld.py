import json

import pytest
from django.conf import settings

from descriptors.formats.elm_jsonld import CONTEXT
from descriptors.models import LearningOpportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

LANGUAGE_MAPS = {
    "title",
    "description",
    "prefLabel",
    "noteLiteral",
    "legalName",
    "geographicName",
}


def terms_used(value, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            if key not in LANGUAGE_MAPS and key != "@context":
                terms_used(item, found)
    elif isinstance(value, list):
        for item in value:
            terms_used(item, found)
    return found


@pytest.fixture(scope="module")
def elm_context_terms():
    from tests.conftest import SHARED

    path = SHARED / "spec" / "elm" / "samples" / "edc-ap-context.jsonld"
    if not path.is_file():
        pytest.skip(f"the ELM JSON-LD context is not at {path}")
    context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    terms = set()

    def collect(scope):
        for key, value in scope.items():
            terms.add(key)
            if isinstance(value, dict) and isinstance(value.get("@context"), dict):
                collect(value["@context"])

    collect(context)
    return terms | set(CONTEXT["@context"][1]) | {"@context", "@graph", "@included"}


def test_jsonld_uses_only_terms_of_the_elm_context(client, elm_context_terms):
    opportunity = LearningOpportunity.objects.get(provider_reference="CIMEA-CE-2026")
    response = client.get(
        f"/api/v1/learning-opportunities/{opportunity.pk}/",
        headers={"accept": "application/ld+json"},
    )
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["@context"] == f"{settings.OCLO_BASE_URL}/elm/context/v1.jsonld"
    # One learning opportunity per published edition, all of the one specification.
    offerings = document["@graph"]
    assert [offering["type"] for offering in offerings] == ["LearningOpportunity"] * len(
        opportunity.public_editions
    )
    assert [offering["id"] for offering in offerings] == [
        f"{settings.OCLO_BASE_URL}/elm/edition/{edition.pk}"
        for edition in opportunity.public_editions
    ]
    specification = offerings[0]["learningAchievementSpecification"]
    assert {offering["learningAchievementSpecification"] for offering in offerings[1:]} == {
        specification["id"]
    }
    assert offerings[0]["title"] == {
        "it": "Corso professionale per Credential Evaluator",
        "en": "Professional course for Credential Evaluators",
    }
    assert specification["creditPoint"][0]["point"] == "12"
    assert specification["volumeOfLearning"] == "PT330H"
    assert specification["learningOutcome"][0]["relatedESCOSkill"][0]["id"].startswith(
        "http://data.europa.eu/esco/skill/"
    )
    assert offerings[0]["providedBy"][0]["location"][0]["address"][0]["countryCode"]["id"] == (
        "http://publications.europa.eu/resource/authority/country/ITA"
    )
    assert terms_used(document) - elm_context_terms == set()
    suffix = client.get(f"/api/v1/learning-opportunities/{opportunity.pk}.jsonld")
    assert suffix.json() == document


def test_jsonld_matches_the_golden_file():
    import os
    import re
    from pathlib import Path

    from descriptors.formats.elm_jsonld import dump_jsonld

    golden = Path(__file__).parent / "golden" / "jsonld_cimea_credential_evaluator.json"
    opportunity = LearningOpportunity.objects.with_detail_data().get(
        provider_reference="CIMEA-CE-2026"
    )
    text = json.dumps(dump_jsonld([opportunity]), indent=1, ensure_ascii=False, sort_keys=True)
    numbering: dict[str, str] = {}
    text = re.sub(
        rf"{re.escape(settings.OCLO_BASE_URL)}/elm/([\w-]+)/\d+",
        lambda m: numbering.setdefault(m.group(0), f"urn:oclo:{m.group(1)}:{len(numbering) + 1}"),
        text,
    )
    text = re.sub(r'"modified": "[^"]+"', '"modified": "MODIFIED"', text)
    text = re.sub(r'"\d{4}-\d\d-\d\dT[\d:.]+\+00:00"', '"PUBLISHED"', text)
    text += "\n"
    if os.environ.get("OCLO_UPDATE_GOLDEN"):  # after an intended change of the format
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
