"""Load the recognition demo (``fixtures/demo/recognition.json``) over the demo catalogue:
agreements with their version history, decisions, a course to compare, a pathway.

Records are matched by institution and title (agreements, courses), institution and
opportunity (decisions) and owner and title (pathways), so loading twice changes nothing.
"""

import json
from collections import Counter
from pathlib import Path

from django.db import transaction
from django.utils.dateparse import parse_datetime

from catalogue.search.indexing import opportunities_touched
from descriptors.models import LearningOpportunity, Organisation
from recognition.models import (
    Agreement,
    AgreementItem,
    Pathway,
    PathwayStep,
    RecognitionDecision,
    TargetCourse,
)
from recognition.services import agreement_save, decision_save, pathway_save
from taxonomies.models import Concept, EscoSkill, Scheme


def _organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _opportunity(reference: str) -> LearningOpportunity:
    return LearningOpportunity.objects.get(provider_reference=reference)


def _load_agreement(record: dict) -> int:
    institution = _organisation(record["institution"])
    if Agreement.objects.filter(institution=institution, title=record["title"]).exists():
        return 0
    fields = {
        name: value
        for name, value in record.items()
        if name not in ("institution", "providers", "versions", "item", "language")
    }
    fields["language"] = Concept.objects.get(scheme=Scheme.LANGUAGE, code=record["language"])
    series = None
    for number, version in enumerate(record["versions"], start=1):
        agreement = Agreement(institution=institution, version=number)
        if series:
            agreement.series = series
        agreement_save(
            agreement=agreement,
            values={
                **fields,
                "valid_from": version["valid_from"],
                "valid_until": version["valid_until"],
            },
            providers=[_organisation(name) for name in record["providers"]],
            items=[
                {"opportunity": _opportunity(reference), **record["item"]}
                for reference in version["items"]
            ],
        )
        series = agreement.series
        if version["approved_at"]:
            # History as it happened (some of it before today): written directly, not
            # through agreement_approve, which judges a draft as of today.
            Agreement.objects.filter(series=series, status=Agreement.Status.APPROVED).update(
                status=Agreement.Status.RETIRED, retired_at=parse_datetime(version["approved_at"])
            )
            Agreement.objects.filter(pk=agreement.pk).update(
                status=Agreement.Status.APPROVED,
                approved_at=parse_datetime(version["approved_at"]),
                approved_by_name=version["approved_by"],
            )
    opportunities_touched(
        AgreementItem.objects.filter(agreement__series=series).values_list(
            "opportunity_id", flat=True
        )
    )
    return len(record["versions"])


def _load_decision(record: dict) -> int:
    institution = _organisation(record["institution"])
    opportunity = _opportunity(record["opportunity"])
    if RecognitionDecision.objects.filter(institution=institution, opportunity=opportunity):
        return 0
    values = {
        name: value
        for name, value in record.items()
        if name not in ("institution", "opportunity", "agreement")
    }
    if record.get("agreement"):
        values["agreement"] = (
            Agreement.objects.filter(institution=institution, items__opportunity=opportunity)
            .order_by("version")
            .first()
        )
    decision_save(
        decision=RecognitionDecision(institution=institution, opportunity=opportunity),
        values=values,
    )
    return 1


def _load_course(record: dict) -> int:
    institution = _organisation(record["institution"])
    course, created = TargetCourse.objects.update_or_create(
        institution=institution,
        title=record["title"],
        defaults={
            "code": record["code"],
            "programme": record["programme"],
            "ects": record["ects"],
            "eqf_level_id": record["eqf_level"],
            "outcomes": record["outcomes"],
        },
    )
    course.skills.set(EscoSkill.objects.filter(uri__in=record["skills"]))
    return int(created)


def _load_pathway(record: dict) -> int:
    owner = _organisation(record["owner"])
    pathway = Pathway.objects.filter(owner=owner, title=record["title"]).first()
    created = pathway is None
    pathway = pathway or Pathway(owner=owner)
    for name in ("title", "description", "target_credential", "rule", "is_ordered"):
        setattr(pathway, name, record[name])
    pathway.awarding_body = _organisation(record["awarding_body"])
    pathway.is_published = True
    pathway_save(
        pathway=pathway,
        steps=[PathwayStep(opportunity=_opportunity(reference)) for reference in record["steps"]],
    )
    return int(created)


@transaction.atomic
def demo_recognition_load(path: str | Path) -> Counter:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts: Counter = Counter()
    for record in data["agreements"]:
        counts["agreement versions"] += _load_agreement(record)
    for record in data["decisions"]:
        counts["decisions"] += _load_decision(record)
    for record in data["courses"]:
        counts["courses"] += _load_course(record)
    for record in data["pathways"]:
        counts["pathways"] += _load_pathway(record)
    return counts
