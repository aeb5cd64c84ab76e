"""Open Badges 3.0: each published micro-credential as an ``Achievement``, checked against
1EdTech's JSON Schema and examples (../shared/spec/ob3/, used where they lie)."""

import json

import jsonschema
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from descriptors.formats.ob3 import OB3_PROFILE, dump_achievement
from descriptors.models import LearningOpportunity
from tests.conftest import SHARED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

OB3 = SHARED / "spec" / "ob3"


def ob3_credential_validator() -> jsonschema.Draft201909Validator:
    """1EdTech's schema of an AchievementCredential, with its formats checked."""
    schema = json.loads((OB3 / "achievementcredential.schema.json").read_text())
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def credential_validator():
    return ob3_credential_validator()


def _examples() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted((OB3 / "examples").glob("*.json"))]


def in_a_credential(achievement: dict) -> dict:
    """The smallest AchievementCredential an issuer could wrap the achievement in."""
    return {
        "@context": achievement["@context"],
        "id": "urn:uuid:3b5f8e2c-0f6a-4a8e-9c59-4a51d2a4f0b1",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {**achievement["creator"]},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {key: value for key, value in achievement.items() if key != "@context"},
        },
    }


def _ob3_url(pk: int) -> str:
    return reverse("api:opportunity-detail-format", kwargs={"pk": pk, "format": "ob3.json"})


def test_the_schema_accepts_1edtechs_own_examples(credential_validator):
    """The validator is the one the examples pass: a failure below is ours, not the tool's."""
    for example in _examples():
        credential_validator.validate(example)


def test_every_published_record_is_a_valid_ob3_achievement(client, credential_validator):
    published = LearningOpportunity.objects.published()
    assert published.count() > 20
    for opportunity in published:
        answer = client.get(_ob3_url(opportunity.pk))
        assert answer.status_code == 200
        assert answer["Content-Type"] == f'application/ld+json; profile="{OB3_PROFILE}"'
        achievement = answer.json()
        errors = sorted(
            error.message
            for error in credential_validator.iter_errors(in_a_credential(achievement))
        )
        assert errors == [], f"{opportunity.provider_reference}: {errors}"
        assert achievement["name"] == opportunity.title
        assert achievement["id"].endswith(f"/learning-opportunities/{opportunity.pk}.ob3.json")
        assert client.get(achievement["id"].removeprefix(django_settings.OCLO_BASE_URL)).json() == (
            achievement
        )


def test_achievement_uses_only_what_the_examples_use():
    """What we write is what 1EdTech's examples write, so wallets that were built against
    them read all of it."""
    known: dict[str, set[str]] = {"achievement": set(), "alignment": set(), "creator": set()}
    for example in _examples():
        subject = example["credentialSubject"]
        achievement = subject.get("achievement", {})
        known["achievement"] |= set(achievement)
        for alignment in achievement.get("alignment", []):
            known["alignment"] |= set(alignment)
        known["creator"] |= set(achievement.get("creator", {}))
    opportunity = LearningOpportunity.objects.with_detail_data().get(
        provider_reference="LEICA-SP-2"
    )
    achievement = dump_achievement(opportunity)
    # Two properties the schema defines that no example happens to show.
    assert set(achievement) - {"@context"} - known["achievement"] <= {
        "creditsAvailable",
        "inLanguage",
    }
    for alignment in achievement["alignment"]:
        assert set(alignment) <= known["alignment"]
    assert set(achievement["creator"]) <= known["creator"]


def test_achievement_carries_skills_level_credits_and_assessments(client):
    opportunity = LearningOpportunity.objects.get(provider_reference="LEICA-SP-2")
    achievement = client.get(_ob3_url(opportunity.pk)).json()
    targets = {alignment["targetFramework"]: [] for alignment in achievement["alignment"]}
    for alignment in achievement["alignment"]:
        targets[alignment["targetFramework"]].append(alignment["targetUrl"])
    skills = {skill.uri for outcome in opportunity.outcomes.all() for skill in outcome.skills.all()}
    assert set(targets.pop(next(t for t in targets if t.startswith("ESCO")))) == skills
    assert list(targets.values()) == [[opportunity.eqf_level.uri]]
    assert achievement["creditsAvailable"] == float(opportunity.ects_credits)
    assert achievement["creator"]["name"] == "Leica Camera Italia"
    assert [result["name"].split(" (")[0] for result in achievement["resultDescription"]] == [
        assessment.title for assessment in opportunity.assessments.all()
    ]
    for outcome in opportunity.outcomes.all():
        assert outcome.title in achievement["criteria"]["narrative"]


def test_content_negotiation_picks_ob3_by_its_profile(client):
    opportunity = LearningOpportunity.objects.published().first()
    url = reverse("api:opportunity-detail", args=[opportunity.pk])
    ob3 = client.get(url, headers={"accept": f'application/ld+json; profile="{OB3_PROFILE}"'})
    assert ob3.json()["type"] == ["Achievement"]
    elm = client.get(url, headers={"accept": "application/ld+json"})
    assert elm["Content-Type"].startswith("application/ld+json")
    # ELM answers one graph: a learning opportunity per published edition.
    offerings = elm.json()["@graph"]
    assert offerings and {offering["type"] for offering in offerings} == {"LearningOpportunity"}
    missing = client.get(_ob3_url(999_999))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"  # errors are JSON in every format
    assert set(missing.json()) == {"detail"}


def test_the_creator_carries_the_providers_legal_identifier(client, credential_validator):
    opportunity = LearningOpportunity.objects.get(provider_reference="LEICA-SP-2")
    opportunity.provider.legal_identifier = "IT 01234567890"
    opportunity.provider.save()
    achievement = client.get(_ob3_url(opportunity.pk)).json()
    assert achievement["creator"]["otherIdentifier"] == [
        {
            "type": "IdentifierEntry",
            "identifier": "IT 01234567890",
            "identifierType": "ext:LegalIdentifier",
        }
    ]
    credential_validator.validate(in_a_credential(achievement))
