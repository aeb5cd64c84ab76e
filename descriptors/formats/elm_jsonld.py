"""ELM JSON-LD: the same records, values and ids as the LOQ XML (``elm_xml``), as linked data.

A JSON-LD processor turns a document into the RDF the ELM LOQ profile describes, and the
official SHACL shapes (``LOQ-constraints.ttl`` and ``-mdr.ttl``) accept it:

- Every document names one context, ours (``CONTEXT``, served at ``context_url()``): the
  official ELM ``edc-ap`` context plus what it lacks for LOQ records. That context is written
  for credentials, which bring ``id`` and ``type`` from the W3C credentials context, and it maps
  a few terms the LOQ profile disagrees with (``value``, ``dateModified``).
- Records, organisations, outcomes, activities, assessments and places are IRIs under
  ``OCLO_BASE_URL``, the same as the XML's ids; notes, prices and addresses are blank nodes.
- Every coded value is a ``skos:Concept`` with its scheme (``skos:inScheme``): EU authority
  tables (language, country, currency) have their table as scheme, the ELM code lists their
  ``.../25831c2`` scheme, our own lists theirs. ESCO skills state none (decision record 0012).
- Descriptors LOQ has no property for travel as notes whose ``dc:subject`` names them, as in
  the XML, so that an import of either reads them back.
"""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from descriptors.formats.elm_xml import (
    DESCRIPTOR,
    ECTS,
    EURO,
    PROVIDER_REFERENCE_SCHEME,
    own_id,
    own_page,
    xsd_duration,
)
from descriptors.models import LearningOpportunity, Organisation

ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
# What the official context lacks, or maps otherwise than the LOQ profile (and its shapes) want.
CONTEXT = {
    "@context": [
        ELM_CONTEXT,
        {
            "id": "@id",
            "type": "@type",
            "defaultLanguage": {"@id": "elm:defaultLanguage", "@type": "@id"},
            # An Amount's value is rdf:value in the profile, not elm:value.
            "value": {"@id": "rdf:value", "@type": "xsd:decimal"},
            # The official dateModified is typed as a link, which loses the date.
            "modified": {"@id": "dc:modified", "@type": "xsd:dateTime"},
        },
    ]
}
ESCO = "http://data.europa.eu/esco/"
SCHEME_OF_LIST = "25831c2"  # the scheme of every ELM code list: <list>/25831c2
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
SNB = "http://data.europa.eu/snb/"


def context_url() -> str:
    return settings.OCLO_BASE_URL + reverse("catalogue:elm-context")


def concept_scheme(uri: str) -> str | None:
    """The concept scheme of a coded value, from its IRI; None for ESCO (see the docstring)."""
    if uri.startswith(ESCO):
        return None
    if uri.startswith(DESCRIPTOR):
        return DESCRIPTOR.rstrip("/")
    parent = uri.rsplit("/", 1)[0]
    if uri.startswith(SNB):
        return f"{parent}/{SCHEME_OF_LIST}"
    # EU authority tables and our own lists: the list is the scheme.
    return parent


def concept(uri: str, labels: dict[str, str] | None = None) -> dict:
    node = {"id": uri, "type": "Concept"}
    scheme = concept_scheme(uri)
    if scheme:
        node["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if labels:
        node["prefLabel"] = labels
    return node


def _vocabulary(value) -> dict | None:
    """A vocabulary row (Concept, NQF level) as a concept with its labels."""
    if value is None:
        return None
    labels = {"en": value.label} | (getattr(value, "labels", None) or {})
    return concept(value.uri, labels)


def _note(texts: dict[str, str], subject: str = "") -> dict | None:
    texts = {language: text for language, text in texts.items() if text}
    if not texts:
        return None
    note = {"type": "Note", "noteLiteral": texts}
    if subject:
        note["subject"] = concept(DESCRIPTOR + subject)
    return note


def _notes(subject: str, texts: dict[str, str]) -> list[dict]:
    """A descriptor in several languages: one note per language, as in the XML."""
    return [
        note
        for language, text in texts.items()
        if (note := _note({language: text}, subject)) is not None
    ]


def _web_resource(url: str) -> dict:
    return {"type": "WebResource", "contentURL": url}


def _organisation(organisation: Organisation, described: set[int]) -> dict | str:
    """An organisation, described where a document first names it and linked by its id after:
    the description repeated would repeat its address and homepage (blank nodes) in RDF."""
    if organisation.pk in described:
        return own_id("organisation", organisation.pk)
    described.add(organisation.pk)
    address = {"type": "Address", "countryCode": _vocabulary(organisation.country)}
    if organisation.city:
        address["fullAddress"] = _note({"en": organisation.city})
    return {
        "id": own_id("organisation", organisation.pk),
        "type": "Organisation",
        "legalName": {"en": organisation.legal_name or organisation.name},
        "homepage": [_web_resource(organisation.website)] if organisation.website else None,
        "location": [
            {
                "id": own_id("organisation-location", organisation.pk),
                "type": "Location",
                "address": [address],
            }
        ],
    }


def _clean(value):
    """Drop empty values so that the document only says what is known."""
    if isinstance(value, dict):
        cleaned = {key: _clean(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [_clean(item) for item in value]
        return [item for item in cleaned if item not in (None, "", [], {})]
    return value


def dump_jsonld(opportunity: LearningOpportunity) -> dict:
    """One opportunity as a JSON-LD document (use ``with_detail_data()``)."""
    return {"@context": context_url()} | _opportunity(opportunity, set())


def dump_jsonld_graph(opportunities: Iterable[LearningOpportunity]) -> dict:
    """Several opportunities as one JSON-LD graph (use ``with_detail_data()``)."""
    described: set[int] = set()
    return {
        "@context": context_url(),
        "@graph": [_opportunity(opportunity, described) for opportunity in opportunities],
    }


def _opportunity(opportunity: LearningOpportunity, described: set[int]) -> dict:
    language = opportunity.default_language.short_code or "en"
    translations = list(opportunity.translations.all())

    def texts(name: str, default: str = "") -> dict[str, str]:
        own = {language: default} if default else {}
        return own | {
            (t.language.short_code or t.language.code): getattr(t, name) for t in translations
        }

    pk = opportunity.pk
    host = _organisation(opportunity.hosted_by, described) if opportunity.hosted_by else None
    titles = texts("title", opportunity.title)
    notes = [
        _note({note_language: text})
        for note_language, text in texts(
            "further_information", opportunity.further_information
        ).items()
    ]
    notes += _notes("admission-procedure", texts("admission_procedure"))
    if opportunity.any_start_date:
        notes += _notes("any-start-date", {"en": "true"})
    if opportunity.hosted_by:
        notes += _notes("hosted-by", {"en": own_id("organisation", opportunity.hosted_by_id)})
    if opportunity.duration and xsd_duration(opportunity.duration) != opportunity.duration:
        notes += _notes("duration", {"en": opportunity.duration})
    countries = list(opportunity.countries.all())
    if opportunity.location and not countries:
        notes += _notes("location", {language: opportunity.location})
    if opportunity.published_at:
        notes += _notes("published", {"en": opportunity.published_at.isoformat()})
    place = None
    if countries:
        place = {
            "id": own_id("opportunity-location", pk),
            "type": "Location",
            "geographicName": {language: opportunity.location} if opportunity.location else None,
            "address": [
                {"type": "Address", "countryCode": _vocabulary(country)} for country in countries
            ],
        }
    temporal = None
    if opportunity.start_date or opportunity.end_date:
        temporal = {
            "type": "PeriodOfTime",
            "startDate": f"{opportunity.start_date.isoformat()}T00:00:00"
            if opportunity.start_date
            else None,
            "endDate": f"{opportunity.end_date.isoformat()}T00:00:00"
            if opportunity.end_date
            else None,
        }
    node = {
        "id": own_id("opportunity", pk),
        "type": "LearningOpportunity",
        "identifier": [
            {
                "type": "Identifier",
                "notation": opportunity.provider_reference,
                "schemeName": PROVIDER_REFERENCE_SCHEME,
            }
        ]
        if opportunity.provider_reference
        else None,
        "title": titles,
        "description": texts("description", opportunity.description),
        "dcType": _vocabulary(opportunity.opportunity_type),
        "additionalNote": notes,
        "homepage": [_web_resource(opportunity.homepage or own_page(pk))],
        "temporal": temporal,
        "duration": xsd_duration(opportunity.duration) if opportunity.duration else None,
        "mode": [_vocabulary(mode) for mode in opportunity.modes.all()],
        "learningSchedule": _vocabulary(opportunity.learning_schedule),
        "scheduleInformation": _note({language: opportunity.schedule_information}),
        "admissionProcedure": _note({language: opportunity.admission_procedure}),
        "applicationDeadline": f"{opportunity.application_deadline.isoformat()}T23:59:59"
        if opportunity.application_deadline
        else None,
        "priceDetail": _price(opportunity, language),
        "providedBy": [
            _organisation(organisation, described)
            for organisation in [opportunity.provider, *opportunity.co_providers.all()]
        ],
        "location": [place],
        "learningAchievementSpecification": _specification(
            opportunity, titles, language, translations, described
        ),
        "defaultLanguage": _vocabulary(opportunity.default_language),
        "status": opportunity.status,
        "modified": opportunity.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        # The hosting organisation is named in a note (ELM has no property for it) and, as in
        # the XML, described in the document.
        "@included": [host] if isinstance(host, dict) else None,
    }
    return _clean(node)


def _price(opportunity: LearningOpportunity, language: str) -> list[dict] | None:
    if not (opportunity.is_free or opportunity.fee_amount is not None or opportunity.fee_note):
        return None
    price = {"type": "PriceDetail"}
    if opportunity.is_free or opportunity.fee_amount is not None:
        amount = 0 if opportunity.is_free else opportunity.fee_amount
        currency = opportunity.currency
        price["amount"] = {
            "type": "Amount",
            "unit": _vocabulary(currency) if currency else concept(EURO),
            "value": f"{amount:.2f}",
        }
    if opportunity.fee_note:
        price["prefLabel"] = {language: opportunity.fee_note}
    return [price]


def _specification(
    opportunity, titles: dict, language: str, translations: list, described: set[int]
) -> dict:
    pk = opportunity.pk
    notes = [_note({language: opportunity.integration_options})]
    if opportunity.credential_type:
        notes += _notes("credential-type", {"en": opportunity.credential_type.uri})
    if opportunity.quality_assurance_type:
        notes += _notes("quality-assurance-type", {"en": opportunity.quality_assurance_type.uri})
    notes += _notes("quality-assurance", {language: opportunity.quality_assurance_note})
    if opportunity.is_stackable:
        notes += _notes("stackable", {"en": "true"})
    if opportunity.nqf_sublevel is not None:
        notes += _notes("nqf-sublevel", {"en": str(opportunity.nqf_sublevel)})
    notes += _notes(
        "entry-requirements",
        {(t.language.short_code or t.language.code): t.entry_requirements for t in translations},
    )
    levels = []
    if opportunity.eqf_level:
        levels.append(
            concept(opportunity.eqf_level.uri, {"en": f"Level {opportunity.eqf_level_id}"})
        )
    if opportunity.nqf_level:
        levels.append(_vocabulary(opportunity.nqf_level))
    credit = None
    if opportunity.ects_credits is not None:
        credit = {
            "type": "CreditPoint",
            "framework": _vocabulary(opportunity.credit_system) or concept(ECTS),
            "point": f"{opportunity.ects_credits.normalize():f}",
        }
    return {
        "id": own_id("specification", pk),
        "type": "LearningAchievementSpecification",
        "title": titles,
        "additionalNote": notes,
        "thematicArea": [
            concept(field.uri, {"en": field.name} | field.names)
            for field in opportunity.isced_fields.all()
        ],
        "volumeOfLearning": f"PT{opportunity.workload_hours}H"
        if opportunity.workload_hours
        else None,
        "creditPoint": [credit],
        "educationLevel": levels,
        "language": [_vocabulary(spoken) for spoken in opportunity.languages.all()],
        "mode": [_vocabulary(mode) for mode in opportunity.modes.all()],
        "learningSetting": _vocabulary(opportunity.learning_setting),
        "targetGroup": [_vocabulary(group) for group in opportunity.target_groups.all()],
        "entryRequirement": _note({language: opportunity.entry_requirements}),
        "learningOutcome": [
            {
                "id": own_id("outcome", outcome.pk),
                "type": "LearningOutcome",
                "title": {language: outcome.title} | outcome.title_translations,
                "relatedESCOSkill": [
                    concept(skill.uri, {"en": skill.preferred_label})
                    for skill in outcome.skills.all()
                ],
            }
            for outcome in opportunity.outcomes.all()
        ],
        "influencedBy": [
            _titled(activity, "activity", "LearningActivitySpecification", language)
            | {
                "dcType": _vocabulary(activity.activity_type),
                "volumeOfLearning": f"PT{activity.hours}H" if activity.hours else None,
                "mode": _vocabulary(activity.mode),
            }
            for activity in opportunity.activities.all()
        ],
        "provenBy": [
            _titled(assessment, "assessment", "LearningAssessmentSpecification", language)
            | {
                "additionalNote": (
                    _notes("supervision", {"en": assessment.supervision.uri})
                    if assessment.supervision
                    else []
                )
                + _notes("grading-scheme", {language: assessment.grading_scheme}),
                "dcType": _vocabulary(assessment.assessment_type),
                "mode": _vocabulary(assessment.mode),
            }
            for assessment in opportunity.assessments.all()
        ],
        "awardingOpportunity": [
            {
                "type": "AwardingOpportunity",
                "awardingBody": [_organisation(body, described)],
                "learningAchievementSpecification": own_id("specification", pk),
            }
            for body in opportunity.awarding_bodies.all()
        ],
    }


def _titled(item, kind: str, class_name: str, language: str) -> dict:
    return {
        "id": own_id(kind, item.pk),
        "type": class_name,
        "title": {language: item.title},
        "description": {language: item.description} if item.description else None,
    }
