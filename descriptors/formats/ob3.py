"""Open Badges 3.0 (1EdTech): a learning opportunity as the ``Achievement`` a wallet or badge
platform issues credentials for.

The catalogue describes what is achieved, not who achieved it, so this is the ``Achievement``
alone (``credentialSubject.achievement`` of an ``AchievementCredential``); an issuer embeds it
when it awards the credential. Shapes follow 1EdTech's JSON Schema and examples: skills and the
EQF level are ``Alignment``s, assessments are ``ResultDescription``s, ECTS credits are
``creditsAvailable``.
"""

from django.conf import settings
from django.urls import reverse

from descriptors.models import Assessment, LearningOpportunity, Organisation

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
# The profile of ``application/ld+json`` that asks for this format (content negotiation).
OB3_PROFILE = "https://purl.imsglobal.org/spec/ob/v3p0/achievement"
ESCO_FRAMEWORK = "ESCO (European Skills, Competences, Qualifications and Occupations)"
EQF_FRAMEWORK = "European Qualifications Framework (EQF)"


def achievement_id(pk: int) -> str:
    """The achievement's IRI: where this document is served, under ``OCLO_BASE_URL`` (the
    suffix route answers with and without a final slash; the IRI has none)."""
    return settings.OCLO_BASE_URL + reverse(
        "api:opportunity-detail-format", kwargs={"pk": pk, "format": "ob3.json"}
    ).rstrip("/")


def _profile(organisation: Organisation) -> dict:
    profile = {
        "id": settings.OCLO_BASE_URL + reverse("catalogue:provider", args=[organisation.pk]),
        "type": ["Profile"],
        "name": organisation.legal_name or organisation.name,
    }
    if organisation.website:
        profile["url"] = organisation.website
    if organisation.description:
        profile["description"] = organisation.description
    if organisation.legal_identifier:
        profile["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": organisation.legal_identifier,
                "identifierType": "ext:LegalIdentifier",
            }
        ]
    return profile


def _criteria(opportunity: LearningOpportunity) -> dict:
    """How the achievement is earned, in Markdown as OB3 allows: the outcomes to reach and
    the assessments that check them."""
    lines = [f"- {outcome.title}" for outcome in opportunity.outcomes.all()]
    assessments = [
        f"- {assessment.title}"
        + (f" ({assessment.assessment_type.label})" if assessment.assessment_type else "")
        for assessment in opportunity.assessments.all()
    ]
    narrative = ""
    if lines:
        narrative += "Learning outcomes:\n\n" + "\n".join(lines)
    if assessments:
        narrative += ("\n\n" if narrative else "") + "Assessment:\n\n" + "\n".join(assessments)
    criteria = {"narrative": narrative or opportunity.description}
    if opportunity.homepage:
        criteria["id"] = opportunity.homepage
    return criteria


def _alignments(opportunity: LearningOpportunity) -> list[dict]:
    skills = {
        skill.uri: skill for outcome in opportunity.outcomes.all() for skill in outcome.skills.all()
    }
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": skill.preferred_label,
            "targetUrl": skill.uri,
            "targetCode": skill.key,
            "targetFramework": ESCO_FRAMEWORK,
            "targetType": "ceasn:Competency",
        }
        for skill in sorted(skills.values(), key=lambda skill: skill.preferred_label)
    ]
    if opportunity.eqf_level_id:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"EQF level {opportunity.eqf_level_id}",
                "targetUrl": opportunity.eqf_level.uri,
                "targetCode": str(opportunity.eqf_level_id),
                "targetFramework": EQF_FRAMEWORK,
                "targetType": "ext:EQFLevel",
            }
        )
    return alignments


def _result_description(assessment: Assessment) -> dict:
    # A grading scheme in words ("0-30, pass from 18", "pass/fail") is none of OB3's typed
    # scales: it stays words, in the name.
    grading = f" ({assessment.grading_scheme})" if assessment.grading_scheme else ""
    return {
        "id": f"{achievement_id(assessment.opportunity_id)}#assessment-{assessment.pk}",
        "type": ["ResultDescription"],
        "name": assessment.title + grading,
        "resultType": "Result",
    }


def dump_achievement(opportunity: LearningOpportunity) -> dict:
    """The OB3 ``Achievement`` of a published opportunity (use ``with_detail_data()``)."""
    achievement = {
        "@context": OB3_CONTEXT,
        "id": achievement_id(opportunity.pk),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": opportunity.title,
        "description": opportunity.description or opportunity.title,
        "criteria": _criteria(opportunity),
        "creator": _profile(opportunity.provider),
        "alignment": _alignments(opportunity),
        "resultDescription": [
            _result_description(assessment) for assessment in opportunity.assessments.all()
        ],
        "fieldOfStudy": ", ".join(field.name for field in opportunity.isced_fields.all()),
        "humanCode": opportunity.provider_reference,
        "inLanguage": opportunity.default_language.short_code or None,
    }
    if opportunity.ects_credits is not None:
        achievement["creditsAvailable"] = float(opportunity.ects_credits)
    return {key: value for key, value in achievement.items() if value not in ("", [], None)}
