"""ELM JSON-LD: the same records, values and ids as the LOQ XML (``elm_xml``), as linked data.

A JSON-LD processor turns a document into the RDF the ELM LOQ profile describes, and the
official SHACL shapes (``LOQ-constraints.ttl`` and ``-mdr.ttl``) accept it:

- Every document names one context, ours (``CONTEXT``, served at ``context_url()``): the
  official ELM ``edc-ap`` context plus what it lacks for LOQ records. That context is written
  for credentials, which bring ``id`` and ``type`` from the W3C credentials context, and it maps
  a few terms the LOQ profile disagrees with (``value``, ``dateModified``).
- Records, organisations, outcomes, activities, assessments and places are IRIs under
  ``OCLO_BASE_URL``, the same as the XML's ids; notes, prices, addresses and grants are blank
  nodes (LOQ gives a grant no id: the XML repeats it in each learning opportunity, as here).
- An organisation has its legal identifier as ``registration`` (ELM's legalIdentifier, a
  LegalIdentifier whose ``spatial`` is the registration country), its homepage and its
  address; each learning opportunity names its provider as ``publisher``.
- Every coded value is a ``skos:Concept`` with its scheme (``skos:inScheme``): EU authority
  tables (language, country, currency) have their table as scheme, the ELM code lists their
  ``.../25831c2`` scheme, our own lists theirs. ESCO skills state none (decision record 0013),
  nor do NUTS regions: the ELM list mixes codes of the 2016 and 2021 versions, two schemes.
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
    NUTS,
    PROVIDER_REFERENCE_SCHEME,
    edition_notation,
    offering_id,
    own_id,
    own_page,
    xsd_duration,
)
from descriptors.models import Edition, LearningOpportunity, Organisation

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
    """The concept scheme of a coded value, from its IRI; None for ESCO and NUTS (see the
    docstring)."""
    if uri.startswith((ESCO, NUTS)):
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


def _organisation(organisation: Organisation, described: set[str]) -> dict | str:
    address = {"type": "Address", "countryCode": _vocabulary(organisation.country)}
    if organisation.city:
        address["fullAddress"] = _note({"en": organisation.city})
    node = {
        "id": own_id("organisation", organisation.pk),
        "type": "Organisation",
        "legalName": {"en": organisation.legal_name or organisation.name},
        "registration": {
            "type": "LegalIdentifier",
            "notation": organisation.legal_identifier,
            "spatial": _vocabulary(organisation.country),
        }
        if organisation.legal_identifier
        else None,
        "homepage": [_web_resource(organisation.website)] if organisation.website else None,
        "location": [
            {
                "id": own_id("organisation-location", organisation.pk),
                "type": "Location",
                "address": [address],
            }
        ],
    }
    return _described(node, described)


def _clean(value):
    """Drop empty values so that the document only says what is known."""
    if isinstance(value, dict):
        cleaned = {key: _clean(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [_clean(item) for item in value]
        return [item for item in cleaned if item not in (None, "", [], {})]
    return value


def dump_jsonld(opportunities: Iterable[LearningOpportunity]) -> dict:
    """Micro-credentials as one JSON-LD graph of learning opportunities, one per published
    edition, with their specifications (use ``with_detail_data()``)."""
    described: set[str] = set()
    return {
        "@context": context_url(),
        "@graph": [
            offering
            for opportunity in opportunities
            for offering in _opportunity(opportunity, described)
        ],
    }


def _opportunity(opportunity: LearningOpportunity, described: set[str]) -> list[dict]:
    """One learning opportunity per published edition (none: the micro-credential itself),
    each pointing at the micro-credential's achievement specification."""
    language = opportunity.default_language.short_code or "en"
    translations = list(opportunity.translations.all())

    def texts(name: str, default: str = "") -> dict[str, str]:
        own = {language: default} if default else {}
        return own | {
            (t.language.short_code or t.language.code): getattr(t, name) for t in translations
        }

    return [
        _clean(_offering(opportunity, edition, language, texts, described))
        for edition in opportunity.public_editions or [None]
    ]


def _offering(opportunity, edition: Edition | None, language: str, texts, described) -> dict:
    pk = opportunity.pk
    offered = edition or Edition(opportunity=opportunity)
    host = _organisation(opportunity.hosted_by, described) if opportunity.hosted_by else None
    specification = own_id("specification", pk)
    countries = list(opportunity.countries.all())
    notes = _offering_notes(opportunity, offered, edition, language, texts, countries)
    place = _place(opportunity, countries, language, described) if countries else None
    return {
        "id": offering_id(opportunity, edition),
        "type": "LearningOpportunity",
        "identifier": _identifier(edition_notation(opportunity, offered)),
        "title": texts("title", opportunity.title),
        "description": texts("description", opportunity.description),
        "dcType": _vocabulary(opportunity.opportunity_type),
        "additionalNote": notes,
        "homepage": [
            _web_resource(offered.homepage or opportunity.homepage or own_page(pk)),
        ],
        "temporal": _temporal(offered),
        "duration": xsd_duration(offered.duration) if offered.duration else None,
        "mode": [_vocabulary(mode) for mode in offered.modes.all()] if edition else None,
        "grant": [_grant(grant, language) for grant in opportunity.grants.all()],
        "learningSchedule": _vocabulary(offered.learning_schedule),
        "scheduleInformation": _note({language: offered.schedule_information}),
        "admissionProcedure": _note({language: opportunity.admission_procedure}),
        "applicationDeadline": f"{offered.application_deadline.isoformat()}T23:59:59"
        if offered.application_deadline
        else None,
        "priceDetail": _price(offered, language),
        "providedBy": [
            _organisation(organisation, described)
            for organisation in [opportunity.provider, *opportunity.co_providers.all()]
        ],
        "location": [place],
        "learningAchievementSpecification": specification
        if specification in described
        else _described(_specification(opportunity, texts, language, described), described),
        "defaultLanguage": _vocabulary(opportunity.default_language),
        "status": edition.status if edition else opportunity.status,
        "modified": opportunity.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publisher": own_id("organisation", opportunity.provider_id),
        # The hosting organisation is named in a note (ELM has no property for it) and, as in
        # the XML, described in the document.
        "@included": [host] if isinstance(host, dict) else None,
    }


def _offering_notes(opportunity, offered: Edition, edition, language, texts, countries) -> list:
    """An offering's notes: what ELM has no property for, and texts in other languages."""
    notes = [
        _note({note_language: text})
        for note_language, text in texts(
            "further_information", opportunity.further_information
        ).items()
    ]
    notes += _notes("admission-procedure", texts("admission_procedure"))
    if offered.any_start_date:
        notes += _notes("any-start-date", {"en": "true"})
    if opportunity.hosted_by:
        notes += _notes("hosted-by", {"en": own_id("organisation", opportunity.hosted_by_id)})
    if offered.duration and xsd_duration(offered.duration) != offered.duration:
        notes += _notes("duration", {"en": offered.duration})
    if opportunity.location and not countries:
        notes += _notes("location", {language: opportunity.location})
    if opportunity.published_at:
        notes += _notes("published", {"en": opportunity.published_at.isoformat()})
    if edition is not None:
        if edition.places is not None:
            notes += _notes("places", {"en": str(edition.places)})
        notes += _notes("edition-location", {language: edition.location})
        spoken = " ".join(concept.uri for concept in edition.languages.all())
        notes += _notes("edition-languages", {"en": spoken})
    return notes


def _place(opportunity, countries: list, language: str, described: set[str]) -> dict | str:
    """Where it is given: a location with an address per country."""
    return _described(
        {
            "id": own_id("opportunity-location", opportunity.pk),
            "type": "Location",
            "geographicName": {language: opportunity.location} if opportunity.location else None,
            "spatialCode": _vocabulary(opportunity.region),
            "address": [
                {"type": "Address", "countryCode": _vocabulary(country)} for country in countries
            ],
        },
        described,
    )


def _temporal(offered: Edition) -> dict | None:
    if not (offered.start_date or offered.end_date):
        return None
    return {
        "type": "PeriodOfTime",
        "startDate": f"{offered.start_date.isoformat()}T00:00:00" if offered.start_date else None,
        "endDate": f"{offered.end_date.isoformat()}T00:00:00" if offered.end_date else None,
    }


def _described(node: dict, described: set[str]) -> dict | str:
    """A node with an IRI, described where a document first has it and linked by its IRI
    after: repeated, its blank nodes (addresses, notes) would be repeated in RDF."""
    if node["id"] in described:
        return node["id"]
    described.add(node["id"])
    return node


def _identifier(code: str) -> list[dict] | None:
    if not code:
        return None
    return [{"type": "Identifier", "notation": code, "schemeName": PROVIDER_REFERENCE_SCHEME}]


def _price(offered: Edition, language: str) -> list[dict] | None:
    if not (offered.is_free or offered.fee_amount is not None or offered.fee_note):
        return None
    price = {"type": "PriceDetail"}
    if offered.is_free or offered.fee_amount is not None:
        amount = 0 if offered.is_free else offered.fee_amount
        currency = offered.currency
        price["amount"] = {
            "type": "Amount",
            "unit": _vocabulary(currency) if currency else concept(EURO),
            "value": f"{amount:.2f}",
        }
    if offered.fee_note:
        price["prefLabel"] = {language: offered.fee_note}
    return [price]


def _specification(opportunity, texts, language: str, described: set[str]) -> dict:
    pk = opportunity.pk
    return {
        "id": own_id("specification", pk),
        "type": "LearningAchievementSpecification",
        "identifier": _identifier(opportunity.provider_reference),
        "title": texts("title", opportunity.title),
        "additionalNote": _specification_notes(opportunity, texts, language),
        "homepage": [_web_resource(opportunity.homepage)] if opportunity.homepage else None,
        "status": opportunity.status,
        "thematicArea": [
            concept(field.uri, {"en": field.name} | field.names)
            for field in opportunity.isced_fields.all()
        ],
        "volumeOfLearning": f"PT{opportunity.workload_hours}H"
        if opportunity.workload_hours
        else None,
        "creditPoint": [_credit(opportunity)],
        "educationLevel": _levels(opportunity),
        "language": [_vocabulary(spoken) for spoken in opportunity.languages.all()],
        "mode": [_vocabulary(mode) for mode in opportunity.modes.all()],
        "learningSetting": _vocabulary(opportunity.learning_setting),
        "targetGroup": [_vocabulary(group) for group in opportunity.target_groups.all()],
        "entryRequirement": _note({language: opportunity.entry_requirements}),
        "learningOutcome": [_outcome(outcome, language) for outcome in opportunity.outcomes.all()],
        "influencedBy": [
            _activity(activity, language) for activity in opportunity.activities.all()
        ],
        "provenBy": [
            _assessment(assessment, language) for assessment in opportunity.assessments.all()
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


def _specification_notes(opportunity, texts, language: str) -> list:
    """What the specification says that ELM has no property for."""
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
    notes += _notes("entry-requirements", texts("entry_requirements"))
    return notes


def _levels(opportunity) -> list:
    levels = []
    if opportunity.eqf_level:
        levels.append(
            concept(opportunity.eqf_level.uri, {"en": f"Level {opportunity.eqf_level_id}"})
        )
    if opportunity.nqf_level:
        levels.append(_vocabulary(opportunity.nqf_level))
    return levels


def _credit(opportunity) -> dict | None:
    if opportunity.ects_credits is None:
        return None
    return {
        "type": "CreditPoint",
        "framework": _vocabulary(opportunity.credit_system) or concept(ECTS),
        "point": f"{opportunity.ects_credits.normalize():f}",
    }


def _outcome(outcome, language: str) -> dict:
    return {
        "id": own_id("outcome", outcome.pk),
        "type": "LearningOutcome",
        "title": {language: outcome.title} | outcome.title_translations,
        "relatedESCOSkill": [
            concept(skill.uri, {"en": skill.preferred_label}) for skill in outcome.skills.all()
        ],
    }


def _activity(activity, language: str) -> dict:
    return _titled(activity, "activity", "LearningActivitySpecification", language) | {
        "dcType": _vocabulary(activity.activity_type),
        "volumeOfLearning": f"PT{activity.hours}H" if activity.hours else None,
        "mode": _vocabulary(activity.mode),
    }


def _assessment(assessment, language: str) -> dict:
    supervision = (
        _notes("supervision", {"en": assessment.supervision.uri}) if assessment.supervision else []
    )
    return _titled(assessment, "assessment", "LearningAssessmentSpecification", language) | {
        "additionalNote": supervision
        + _notes("grading-scheme", {language: assessment.grading_scheme}),
        "dcType": _vocabulary(assessment.assessment_type),
        "mode": _vocabulary(assessment.mode),
    }


def _grant(grant, language: str) -> dict:
    homepage = [_web_resource(grant.homepage)] if grant.homepage else None
    return (
        {"type": "Grant"}
        | _title_and_description(grant, language)
        | {"supplementaryDocument": homepage}
    )


def _titled(item, kind: str, class_name: str, language: str) -> dict:
    return {"id": own_id(kind, item.pk), "type": class_name} | _title_and_description(
        item, language
    )


def _title_and_description(item, language: str) -> dict:
    return {
        "title": {language: item.title},
        "description": {language: item.description} if item.description else None,
    }
