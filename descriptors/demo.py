"""Load the demo catalogue (``fixtures/demo/catalogue.json``): organisations and opportunities.

Records are matched by organisation name and by (provider, provider's identifier), so loading
twice updates instead of duplicating (and leaves unchanged records alone). Vocabulary values are
codes; ESCO skills are URIs. Opportunities are written through the one write path
(``opportunities_bulk_save``), like every import.
"""

import json
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import (
    OpportunityWrite,
    editions_validate,
    opportunities_bulk_save,
    opportunity_validate,
)
from descriptors.vocabularies import Vocabularies
from taxonomies.models import Scheme

CONCEPT_FIELDS = {
    "opportunity_type": Scheme.LEARNING_OPPORTUNITY_TYPE,
    "default_language": Scheme.LANGUAGE,
    "credit_system": Scheme.CREDIT_SYSTEM,
    "learning_setting": Scheme.LEARNING_SETTING,
    "credential_type": Scheme.CREDENTIAL_TYPE,
    "quality_assurance_type": Scheme.QUALITY_ASSURANCE,
    "region": Scheme.NUTS,
}
CONCEPT_LIST_FIELDS = {
    "countries": Scheme.COUNTRY,
    "languages": Scheme.LANGUAGE,
    "modes": Scheme.MODE,
}
EDITION_CONCEPT_FIELDS = {
    "learning_schedule": Scheme.LEARNING_SCHEDULE,
    "currency": Scheme.CURRENCY,
}
EDITION_CONCEPT_LIST_FIELDS = {"languages": Scheme.LANGUAGE, "modes": Scheme.MODE}
ORGANISATION_LIST_FIELDS = ("co_providers", "awarding_bodies")
CHANGE_REASON = "demo catalogue"


class _Loader:
    def __init__(self):
        self.vocabularies = Vocabularies()
        self.organisations: dict[str, Organisation] = {}

    def concept(self, scheme: str, code: str | None):
        return self.vocabularies.concept(scheme, code) if code else None

    def organisation_load(self, record: dict) -> None:
        organisation, _ = Organisation.objects.update_or_create(
            name=record["name"],
            defaults={
                "provider_type": self.concept(Scheme.PROVIDER_TYPE, record["provider_type"]),
                "country": self.concept(Scheme.COUNTRY, record["country"]),
                "city": record.get("city", ""),
                "website": record.get("website", ""),
                "legal_identifier": record.get("legal_identifier", ""),
                "description": record.get("description", ""),
            },
        )
        self.organisations[organisation.name] = organisation

    def opportunity_write(self, record: dict, existing: dict) -> OpportunityWrite:
        record = dict(record)
        provider = self.organisations[record.pop("provider")]
        children = {
            key: record.pop(key)
            for key in ("translations", "outcomes", "assessments", "activities", "editions")
        }
        grants = record.pop("grants", [])
        relations = self.relations(record)
        values = self.values(record)
        opportunity = existing.get((provider.pk, values["provider_reference"])) or (
            LearningOpportunity(provider=provider)
        )
        for name, value in values.items():
            setattr(opportunity, name, value)
        # Demo records are published as of when they were first loaded.
        if opportunity.is_public and opportunity.published_at is None:
            opportunity.published_at = opportunity.modified or timezone.now()
        opportunity_validate(opportunity=opportunity, relations=relations)
        editions = editions_validate(
            opportunity=opportunity,
            editions=[self.edition_values(edition) for edition in children.pop("editions")],
        )
        return OpportunityWrite(
            opportunity, relations, editions=editions, grants=grants, **self.children(children)
        )

    def relations(self, record: dict) -> dict[str, list]:
        """Takes the many-to-many descriptors out of ``record``, resolved."""
        relations = {
            name: [self.concept(scheme, code) for code in record.pop(name)]
            for name, scheme in CONCEPT_LIST_FIELDS.items()
        }
        relations |= {
            name: [self.organisations[member] for member in record.pop(name)]
            for name in ORGANISATION_LIST_FIELDS
        }
        relations["isced_fields"] = [
            self.vocabularies.isced(code) for code in record.pop("isced_fields")
        ]
        return relations

    def values(self, record: dict) -> dict:
        """The field values of ``record`` (what ``relations`` left), references resolved."""
        values = {
            key: self.concept(scheme, record.pop(key)) for key, scheme in CONCEPT_FIELDS.items()
        }
        hosted_by = record.pop("hosted_by")
        values["hosted_by"] = self.organisations[hosted_by] if hosted_by else None
        eqf, nqf = record.pop("eqf_level"), record.pop("nqf_level")
        values["eqf_level"] = self.vocabularies.eqf(eqf) if eqf else None
        values["nqf_level"] = self.vocabularies.nqf(nqf) if nqf else None
        return values | record

    def children(self, children: dict) -> dict[str, list[dict]]:
        """Translations, outcomes, assessments and activities, references resolved."""
        return {
            "translations": [
                translation | {"language": self.concept(Scheme.LANGUAGE, translation["language"])}
                for translation in children["translations"]
            ],
            "outcomes": [
                {
                    "title": outcome["title"],
                    "skills": [self.vocabularies.skill(uri) for uri in outcome["skills"]],
                }
                for outcome in children["outcomes"]
            ],
            "assessments": [
                {
                    "title": assessment["title"],
                    "assessment_type": self.concept(
                        Scheme.ASSESSMENT_TYPE, assessment["assessment_type"]
                    ),
                    "supervision": self.concept(Scheme.SUPERVISION, assessment.get("supervision")),
                }
                for assessment in children["assessments"]
            ],
            "activities": [
                {
                    "title": activity["title"],
                    "activity_type": self.concept(Scheme.ACTIVITY_TYPE, activity["activity_type"]),
                    "mode": self.concept(Scheme.MODE, activity.get("mode")),
                    "hours": activity.get("hours"),
                }
                for activity in children["activities"]
            ],
        }

    def edition_values(self, record: dict) -> dict:
        values = dict(record)
        for key, scheme in EDITION_CONCEPT_FIELDS.items():
            values[key] = self.concept(scheme, values.get(key))
        for key, scheme in EDITION_CONCEPT_LIST_FIELDS.items():
            values[key] = [self.concept(scheme, code) for code in values.get(key, [])]
        return values


@transaction.atomic
def demo_login(username: str, password: str):
    """A demo user with a published password (created, or its password reset)."""
    users = get_user_model()
    user = users.objects.filter(username=username).first() or users(username=username)
    user.set_password(password)
    user.save()
    return user


def demo_catalogue_load(path: str | Path) -> Counter:
    """Load the demo organisations and opportunities; counts of what happened. Raises
    ``ValidationError`` (naming the record) if the demo file breaks a rule."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    loader = _Loader()
    counts: Counter = Counter()
    with transaction.atomic():
        for record in data["organisations"]:
            loader.organisation_load(record)
            counts["organisations"] += 1
        existing = {
            (record.provider_id, record.provider_reference): record
            for record in LearningOpportunity.objects.filter(
                provider__in=loader.organisations.values()
            )
        }
        writes = []
        for record in data["opportunities"]:
            try:
                writes.append(loader.opportunity_write(record, existing))
            except ValidationError as error:
                raise ValidationError(f"{record['provider_reference']}: {error}") from error
        opportunities_bulk_save(writes=writes, change_reason=CHANGE_REASON)
    counts.update(write.action for write in writes)
    return counts
