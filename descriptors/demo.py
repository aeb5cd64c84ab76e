"""Load the demo catalogue (``fixtures/demo/catalogue.json``): organisations and opportunities.

Records are matched by organisation name and by (provider, provider's identifier), so loading
twice updates instead of duplicating. Vocabulary values are codes; ESCO skills are URIs.
"""

import json
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from descriptors.models import (
    Activity,
    Assessment,
    LearningOpportunity,
    LearningOutcome,
    OpportunityTranslation,
    Organisation,
)
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, NqfLevel, Scheme

CONCEPT_FIELDS = {
    "opportunity_type": Scheme.LEARNING_OPPORTUNITY_TYPE,
    "default_language": Scheme.LANGUAGE,
    "learning_schedule": Scheme.LEARNING_SCHEDULE,
    "credit_system": Scheme.CREDIT_SYSTEM,
    "currency": Scheme.CURRENCY,
    "learning_setting": Scheme.LEARNING_SETTING,
    "credential_type": Scheme.CREDENTIAL_TYPE,
    "quality_assurance_type": Scheme.QUALITY_ASSURANCE,
}
CONCEPT_LIST_FIELDS = {
    "countries": Scheme.COUNTRY,
    "languages": Scheme.LANGUAGE,
    "modes": Scheme.MODE,
}
ORGANISATION_LIST_FIELDS = ("co_providers", "awarding_bodies")


def _concept(scheme: str, code: str | None) -> Concept | None:
    return Concept.objects.get(scheme=scheme, code=code) if code else None


def _organisation(name: str | None) -> Organisation | None:
    return Organisation.objects.get(name=name) if name else None


def _load_organisation(record: dict) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        name=record["name"],
        defaults={
            "provider_type": _concept(Scheme.PROVIDER_TYPE, record["provider_type"]),
            "country": _concept(Scheme.COUNTRY, record["country"]),
            "city": record.get("city", ""),
            "website": record.get("website", ""),
            "description": record.get("description", ""),
        },
    )
    return organisation


def _load_opportunity(record: dict) -> bool:
    """Create or update one opportunity with its children; True when it was created."""
    record = dict(record)
    provider = _organisation(record.pop("provider"))
    children = {
        key: record.pop(key) for key in ("translations", "outcomes", "assessments", "activities")
    }
    lists = {
        key: record.pop(key)
        for key in (*CONCEPT_LIST_FIELDS, *ORGANISATION_LIST_FIELDS, "isced_fields")
    }
    values = {key: _concept(scheme, record.pop(key)) for key, scheme in CONCEPT_FIELDS.items()}
    values["hosted_by"] = _organisation(record.pop("hosted_by"))
    eqf = record.pop("eqf_level")
    values["eqf_level"] = EqfLevel.objects.get(level=eqf) if eqf else None
    nqf = record.pop("nqf_level")
    values["nqf_level"] = NqfLevel.objects.get(code=nqf) if nqf else None
    values.update(record)

    opportunity = LearningOpportunity.objects.filter(
        provider=provider, provider_reference=values["provider_reference"]
    ).first()
    created = opportunity is None
    opportunity = opportunity or LearningOpportunity(provider=provider)
    for name, value in values.items():
        setattr(opportunity, name, value)
    opportunity.full_clean(exclude=["languages", "isced_fields"])
    opportunity.save()

    for name, scheme in CONCEPT_LIST_FIELDS.items():
        getattr(opportunity, name).set(Concept.objects.filter(scheme=scheme, code__in=lists[name]))
    for name in ORGANISATION_LIST_FIELDS:
        getattr(opportunity, name).set(Organisation.objects.filter(name__in=lists[name]))
    opportunity.isced_fields.set(IscedField.objects.filter(code__in=lists["isced_fields"]))

    opportunity.translations.all().delete()
    for translation in children["translations"]:
        OpportunityTranslation.objects.create(
            opportunity=opportunity,
            language=_concept(Scheme.LANGUAGE, translation.pop("language")),
            **translation,
        )
    opportunity.outcomes.all().delete()
    for position, outcome in enumerate(children["outcomes"]):
        saved = LearningOutcome.objects.create(
            opportunity=opportunity, position=position, title=outcome["title"]
        )
        saved.skills.set(EscoSkill.objects.filter(uri__in=outcome["skills"]))
    opportunity.assessments.all().delete()
    for assessment in children["assessments"]:
        Assessment.objects.create(
            opportunity=opportunity,
            title=assessment["title"],
            assessment_type=_concept(Scheme.ASSESSMENT_TYPE, assessment["assessment_type"]),
            supervision=_concept(Scheme.SUPERVISION, assessment.get("supervision")),
        )
    opportunity.activities.all().delete()
    for activity in children["activities"]:
        Activity.objects.create(
            opportunity=opportunity,
            title=activity["title"],
            activity_type=_concept(Scheme.ACTIVITY_TYPE, activity["activity_type"]),
            mode=_concept(Scheme.MODE, activity.get("mode")),
            hours=activity.get("hours"),
        )
    if opportunity.is_public and opportunity.published_at is None:
        opportunity.published_at = opportunity.modified
        opportunity.save(update_fields=["published_at"])
    return created


@transaction.atomic
def demo_login(username: str, password: str):
    """A demo user with a published password (created, or its password reset)."""
    users = get_user_model()
    user = users.objects.filter(username=username).first() or users(username=username)
    user.set_password(password)
    user.save()
    return user


def demo_catalogue_load(path: str | Path) -> Counter:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts: Counter = Counter()
    for record in data["organisations"]:
        _load_organisation(record)
        counts["organisations"] += 1
    for record in data["opportunities"]:
        counts["created" if _load_opportunity(record) else "updated"] += 1
    return counts
