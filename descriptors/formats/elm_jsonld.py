"""ELM JSON-LD for one learning opportunity, with the ELM (edc-ap) context.

The shapes follow the Commission's JSON-LD samples: concepts as ``{"id", "type": "Concept",
"inScheme", "prefLabel"}``, texts as language maps, notes as ``Note``. Terms the edc-ap context
does not define (it is written for credentials) are added with their ELM IRIs.
"""

from descriptors.models import Edition, LearningOpportunity, Organisation

ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
ELM = "http://data.europa.eu/snb/model/elm/"
LOCAL_TERMS = {
    "defaultLanguage": {"@id": f"{ELM}defaultLanguage", "@type": "@id"},
    "ISCEDFCode": {"@id": f"{ELM}ISCEDFCode", "@type": "@id"},
    "contentUrl": {"@id": f"{ELM}contentUrl", "@type": "http://www.w3.org/2001/XMLSchema#anyURI"},
    "status": {"@id": f"{ELM}status"},
}
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"


def _scheme(uri: str) -> str:
    return uri.rsplit("/", 1)[0] + "/25831c2"


def _concept(concept) -> dict | None:
    if concept is None:
        return None
    labels = (
        {"en": concept.label, **concept.labels}
        if hasattr(concept, "labels") and isinstance(concept.labels, dict)
        else {"en": str(concept)}
    )
    return {
        "id": concept.uri,
        "type": "Concept",
        "inScheme": {"id": _scheme(concept.uri), "type": "ConceptScheme"},
        "prefLabel": labels,
    }


def _note(identifier: str, text: str, language: str) -> dict | None:
    if not text:
        return None
    return {"id": identifier, "type": "Note", "noteLiteral": {language: text}}


def _web_resource(identifier: str, url: str) -> list[dict] | None:
    return [{"id": identifier, "type": "WebResource", "contentUrl": url}] if url else None


def _organisation(organisation: Organisation) -> dict:
    return {
        "id": f"urn:oclo:organisation:{organisation.pk}",
        "type": "Organisation",
        "legalName": {"en": organisation.legal_name or organisation.name},
        "homepage": _web_resource(
            f"urn:oclo:organisation:{organisation.pk}:homepage", organisation.website
        ),
        "location": [
            {
                "id": f"urn:oclo:location:{organisation.pk}",
                "type": "Location",
                "address": [
                    {
                        "id": f"urn:oclo:address:{organisation.pk}",
                        "type": "Address",
                        "countryCode": _concept(organisation.country),
                    }
                ],
            }
        ],
    }


def _clean(value):
    """Drop empty values so that the document only says what is known."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(item) for item in value if item not in (None, "", [], {})]
    return value


def dump_jsonld(opportunity: LearningOpportunity) -> dict:
    """The opportunity and its achievement specification (use ``with_detail_data()``)."""
    language = opportunity.default_language.short_code or "en"
    translations = list(opportunity.translations.all())
    # Dated by the edition a card shows (an edition per ELM opportunity is the next step).
    edition = opportunity.headline_edition or Edition()
    titles = {language: opportunity.title} | {
        t.language.short_code: t.title for t in translations if t.language.short_code
    }
    descriptions = {language: opportunity.description} | {
        t.language.short_code: t.description
        for t in translations
        if t.language.short_code and t.description
    }
    pk = opportunity.pk
    specification = {
        "id": f"urn:oclo:specification:{pk}",
        "type": "LearningAchievementSpecification",
        "title": titles,
        "ISCEDFCode": [_concept_isced(field) for field in opportunity.isced_fields.all()],
        "volumeOfLearning": f"PT{opportunity.workload_hours}H"
        if opportunity.workload_hours
        else None,
        "creditPoint": [
            {
                "id": f"urn:oclo:creditPoint:{pk}",
                "type": "CreditPoint",
                "framework": _concept(opportunity.credit_system) or {"id": ECTS, "type": "Concept"},
                "point": f"{opportunity.ects_credits.normalize():f}",
            }
        ]
        if opportunity.ects_credits is not None
        else None,
        "educationLevel": [
            {
                "id": opportunity.eqf_level.uri,
                "type": "Concept",
                "prefLabel": {"en": f"Level {opportunity.eqf_level_id}"},
            }
        ]
        if opportunity.eqf_level
        else None,
        "language": [_concept(item) for item in opportunity.languages.all()],
        "mode": [_concept(item) for item in opportunity.modes.all()],
        "learningSetting": _concept(opportunity.learning_setting),
        "targetGroup": [_concept(item) for item in opportunity.target_groups.all()],
        "entryRequirement": _note(
            f"urn:oclo:entryRequirement:{pk}", opportunity.entry_requirements, language
        ),
        "learningOutcome": [
            {
                "id": f"urn:oclo:outcome:{outcome.pk}",
                "type": "LearningOutcome",
                "title": {language: outcome.title} | outcome.title_translations,
                "relatedESCOSkill": [
                    {
                        "id": skill.uri,
                        "type": "Concept",
                        "inScheme": {
                            "id": "http://data.europa.eu/esco/concept-scheme/skills",
                            "type": "ConceptScheme",
                        },
                        "prefLabel": {"en": skill.preferred_label},
                    }
                    for skill in outcome.skills.all()
                ],
            }
            for outcome in opportunity.outcomes.all()
        ],
        "provenBy": [
            {
                "id": f"urn:oclo:assessment:{item.pk}",
                "type": "LearningAssessmentSpecification",
                "title": {language: item.title},
                "dcType": _concept(item.assessment_type),
                "mode": _concept(item.mode),
            }
            for item in opportunity.assessments.all()
        ],
        "influencedBy": [
            {
                "id": f"urn:oclo:activity:{item.pk}",
                "type": "LearningActivitySpecification",
                "title": {language: item.title},
                "dcType": _concept(item.activity_type),
                "volumeOfLearning": f"PT{item.hours}H" if item.hours else None,
                "mode": _concept(item.mode),
            }
            for item in opportunity.activities.all()
        ],
        "awardingOpportunity": [
            {
                "id": f"urn:oclo:awardingOpportunity:{pk}:{body.pk}",
                "type": "AwardingOpportunity",
                "awardingBody": [_organisation(body)],
            }
            for body in opportunity.awarding_bodies.all()
        ],
    }
    document = {
        "@context": [ELM_CONTEXT, LOCAL_TERMS],
        "id": f"urn:oclo:opportunity:{pk}",
        "type": "LearningOpportunity",
        "title": titles,
        "description": descriptions,
        "dcType": _concept(opportunity.opportunity_type),
        "homepage": _web_resource(f"urn:oclo:opportunity:{pk}:homepage", opportunity.homepage),
        "temporal": {
            "id": f"urn:oclo:temporal:{pk}",
            "type": "PeriodOfTime",
            "startDate": f"{edition.start_date.isoformat()}T00:00:00Z"
            if edition.start_date
            else None,
            "endDate": f"{edition.end_date.isoformat()}T00:00:00Z" if edition.end_date else None,
        }
        if edition.start_date or edition.end_date
        else None,
        "duration": edition.duration,
        "mode": [_concept(item) for item in opportunity.modes.all()],
        "learningSchedule": _concept(edition.learning_schedule),
        "admissionProcedure": _note(
            f"urn:oclo:admissionProcedure:{pk}", opportunity.admission_procedure, language
        ),
        "priceDetail": [
            {
                "id": f"urn:oclo:priceDetail:{pk}",
                "type": "PriceDetail",
                "amount": {
                    "id": f"urn:oclo:amount:{pk}",
                    "type": "Amount",
                    "value": 0 if edition.is_free else float(edition.fee_amount),
                    "unit": _concept(edition.currency),
                },
            }
        ]
        if edition.is_free or edition.fee_amount is not None
        else None,
        "providedBy": [
            _organisation(organisation)
            for organisation in [opportunity.provider, *opportunity.co_providers.all()]
        ],
        "learningAchievementSpecification": specification,
        "defaultLanguage": opportunity.default_language.uri,
        "additionalNote": [
            _note(f"urn:oclo:furtherInformation:{pk}", opportunity.further_information, language)
        ],
        "status": opportunity.status,
        "dateModified": opportunity.modified.isoformat(),
    }
    return _clean(document)


def _concept_isced(field) -> dict:
    return {
        "id": field.uri,
        "type": "Concept",
        "inScheme": {"id": _scheme(field.uri), "type": "ConceptScheme"},
        "prefLabel": {"en": field.name},
    }
