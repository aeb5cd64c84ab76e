"""Small builders for test data: each test builds only what it needs."""

import html
import itertools
import re
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from descriptors.models import (
    Assessment,
    Edition,
    LearningOpportunity,
    LearningOutcome,
    Organisation,
)
from descriptors.services import EDITION_VALUES, organisation_member_add
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, Scheme

_sequence = itertools.count(1)


def concept(scheme: str, code: str) -> Concept:
    return Concept.objects.get(scheme=scheme, code=code)


def make_organisation(name: str | None = None, country: str = "ITA", **values) -> Organisation:
    return Organisation.objects.create(
        name=name or f"Organisation {next(_sequence)}",
        provider_type=concept(Scheme.PROVIDER_TYPE, values.pop("provider_type", "hei")),
        country=concept(Scheme.COUNTRY, country),
        **values,
    )


def make_provider_user(organisation: Organisation, username: str | None = None):
    user = get_user_model().objects.create_user(
        username=username or f"staff{next(_sequence)}", password="a-long-test-password"
    )
    organisation_member_add(user=user, organisation=organisation)
    return user


EDITION_FIELDS = {"reference", *EDITION_VALUES, "places"}


def make_opportunity(
    provider: Organisation | None = None,
    *,
    complete: bool = False,
    editions: list[dict] | None = None,
    **values,
) -> LearningOpportunity:
    """A saved opportunity; ``complete=True`` fills every mandatory element too. Edition
    fields given with the opportunity's (``start_date=...``) make its one edition;
    ``editions`` gives several."""
    edition = {name: values.pop(name) for name in EDITION_FIELDS & set(values)}
    editions = editions if editions is not None else [edition] if edition else []
    values.setdefault("title", f"Opportunity {next(_sequence)}")
    values.setdefault("status", LearningOpportunity.Status.PUBLISHED)
    if values["status"] == LearningOpportunity.Status.PUBLISHED:
        # As publishing through the service does: a public record says since when.
        values.setdefault("published_at", timezone.now())
    opportunity = LearningOpportunity.objects.create(
        provider=provider or make_organisation(),
        default_language=concept(Scheme.LANGUAGE, "ENG"),
        **values,
    )
    opportunity.languages.add(opportunity.default_language)
    for edition_values in editions:
        make_edition(opportunity, **edition_values)
    if complete:
        opportunity.homepage = "https://example.org/course"
        opportunity.workload_hours = 125
        opportunity.ects_credits = 5
        opportunity.eqf_level = EqfLevel.objects.get(level=6)
        opportunity.quality_assurance_type = concept(Scheme.QUALITY_ASSURANCE, "internal-hei")
        opportunity.save()
        opportunity.awarding_bodies.add(opportunity.provider)
        opportunity.modes.add(concept(Scheme.MODE, "920fbb3cbe"))
        opportunity.isced_fields.add(IscedField.objects.get(code="0613"))
        outcome = LearningOutcome.objects.create(
            opportunity=opportunity, title="Write simple Python programs."
        )
        outcome.skills.add(EscoSkill.objects.skills().first())
        Assessment.objects.create(
            opportunity=opportunity,
            title="Final quiz",
            assessment_type=concept(Scheme.ASSESSMENT_TYPE, "b1b68f6735"),
        )
    return opportunity


def make_edition(opportunity: LearningOpportunity, **values) -> Edition:
    """A saved edition (open, published unless said otherwise)."""
    modes, languages = values.pop("modes", []), values.pop("languages", [])
    edition = Edition.objects.create(opportunity=opportunity, **values)
    edition.modes.set(modes)
    edition.languages.set(languages)
    return edition


def make_agreement(institution, providers, opportunities, *, approve=True, **values):
    """A recognition agreement over ``opportunities`` (2 ECTS each), approved by default."""
    from recognition.models import Agreement
    from recognition.services import agreement_approve, agreement_save

    values = {
        "title": f"Agreement {next(_sequence)}",
        "objective": "Recognise partner micro-credentials as elective credits.",
        "process": "Apply to the student office with the credential.",
        "language": concept(Scheme.LANGUAGE, "ENG"),
        "valid_from": date(2020, 1, 1),
        **values,
    }
    agreement = agreement_save(
        agreement=Agreement(institution=institution),
        values=values,
        providers=providers,
        items=[
            {
                "opportunity": opportunity,
                "target_title": "Elective credits, BA Design",
                "ects": Decimal("2"),
            }
            for opportunity in opportunities
        ],
    )
    if approve:
        agreement_approve(agreement=agreement, by_name="Prof. Approver")
    return agreement


def make_officer(organisation: Organisation, username: str | None = None):
    from recognition.services import recognition_officer_add

    user = get_user_model().objects.create_user(
        username=username or f"officer{next(_sequence)}", password="a-long-test-password"
    )
    recognition_officer_add(user=user, organisation=organisation)
    return user


def text_of(response) -> str:
    """A page as a visitor reads it: tags dropped, entities decoded, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(response.text)))
