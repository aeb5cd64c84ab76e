"""European Learning Model LOQ XML ("Courses" documents for the QDR / Europass).

``dump_loq`` writes opportunities with their achievement specification, learning outcomes
(ESCO skills as ``relatedESCOSkill``), assessment and activity specifications, grants (in
every learning opportunity of the micro-credential), organisations (with their legal
identifier, registered in their country, and homepage) and their locations, in the element
order ``loq.xsd`` (xsdVersion 3.1.0) prescribes; each learning opportunity names its provider
as its ``publisher``. Every descriptor we store travels: those LOQ has no element
for go in an ``additionalNote`` whose ``dc:subject`` names the descriptor (``DESCRIPTOR``),
so that an import reads them back.

Reading is the other modules ``elm_xml_*``: ``elm_xml_document`` reads a document once,
streaming, and yields each learning opportunity with the records it refers to;
``elm_xml_records`` reads them into our values; ``descriptors.elm_import`` writes them.

Record ids are URIs under this installation's ``OCLO_BASE_URL`` (``<base>/elm/opportunity/42``):
an import recognises its own records by them and never mistakes another installation's.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from lxml import etree

from descriptors.models import Edition, LearningOpportunity, Organisation

LOQ = "http://data.europa.eu/snb/model/ap/loq-constraints/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DC = "http://purl.org/dc/terms/"
NSMAP = {None: LOQ, "skos": SKOS, "dc": DC}
XSD_VERSION = "3.1.0"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
EURO = "http://publications.europa.eu/resource/authority/currency/EUR"
NUTS = "http://data.europa.eu/nuts/code/"
# The subject of a note that carries one of our descriptors LOQ has no element for.
DESCRIPTOR = "https://w3id.org/oclo/descriptor/"
# The scheme of the identifier that carries the provider's own code for a record.
PROVIDER_REFERENCE_SCHEME = "provider reference"


def own_id(kind: str, pk: int) -> str:
    return f"{settings.OCLO_BASE_URL}/elm/{kind}/{pk}"


def own_pk(kind: str, record_id: str) -> int | None:
    """The primary key in an id this installation gave, else None (another system's id)."""
    prefix = f"{settings.OCLO_BASE_URL}/elm/{kind}/"
    rest = record_id.removeprefix(prefix)
    return int(rest) if rest != record_id and rest.isdigit() else None


def offering_id(opportunity: LearningOpportunity, edition: "Edition | None") -> str:
    """The id of an edition's learning opportunity; a micro-credential without a published
    edition is offered as itself."""
    return own_id("edition", edition.pk) if edition else own_id("opportunity", opportunity.pk)


def edition_notation(opportunity: LearningOpportunity, edition: Edition) -> str:
    """An edition's identifier in a document: its code after its micro-credential's, as LOQ
    wants every notation unique across a document and an edition's code is unique only within
    its micro-credential ("LEICA-SP-1/2027-spring"). The import reads the code back."""
    if not edition.reference or not opportunity.provider_reference:
        return edition.reference
    return f"{opportunity.provider_reference}/{edition.reference}"


def own_page(pk: int) -> str:
    """Our public page of an opportunity: its homepage in ELM when the provider gave none."""
    return settings.OCLO_BASE_URL + reverse("catalogue:opportunity-detail", args=[pk])


def xsd_duration(value: str) -> str:
    """ISO 8601 allows weeks (P6W); xs:duration does not, so weeks become days."""
    match = re.fullmatch(r"P(\d+)W", value)
    return f"P{int(match.group(1)) * 7}D" if match else value


def _iso_code(opportunity: LearningOpportunity) -> str:
    return opportunity.default_language.short_code or "en"


def _language(concept) -> str:
    return concept.short_code or concept.code


class _Writer:
    def __init__(self):
        self.root = etree.Element(f"{{{LOQ}}}Courses", nsmap=NSMAP, xsdVersion=XSD_VERSION)
        self.groups = {
            name: etree.Element(f"{{{LOQ}}}{name}")
            for name in (
                "learningOpportunityReferences",
                "learningAchievementSpecificationReferences",
                "learningOutcomeReferences",
                "learningActivitySpecificationReferences",
                "learningAssessmentSpecificationReferences",
                "agentReferences",
                "locationReferences",
            )
        }
        self.organisations: dict[int, Organisation] = {}
        self.places: set[str] = set()

    @staticmethod
    def add(parent, name: str, text=None, namespace: str = LOQ, **attributes):
        element = etree.SubElement(parent, f"{{{namespace}}}{name}", **attributes)
        if text is not None:
            element.text = str(text)
        return element

    def lang(self, parent, name: str, texts: dict[str, str]) -> None:
        for language, text in texts.items():
            if text:
                self.add(parent, name, text, language=language)

    def web_resource(self, parent, name: str, url: str) -> None:
        """A web page (``homepage``, ``supplementaryDocument``): a WebResource with its URL."""
        self.add(self.add(parent, name), "contentUrl", url)

    def title_and_description(self, parent, item, language: str) -> None:
        self.add(parent, "title", item.title, language=language)
        if item.description:
            self.add(parent, "description", item.description, language=language)

    def note(self, parent, name: str, text: str, language: str, subject: str = "") -> None:
        if text:
            note = self.add(parent, name)
            if subject:
                self.add(note, "subject", namespace=DC, uri=DESCRIPTOR + subject)
            self.add(note, "noteLiteral", text, language=language)

    def notes(self, parent, subject: str, texts: dict[str, str]) -> None:
        """A descriptor in several languages: one note per language."""
        for language, text in texts.items():
            self.note(parent, "additionalNote", text, language, subject)

    def organisation(self, organisation: Organisation) -> str:
        self.organisations[organisation.pk] = organisation
        return own_id("organisation", organisation.pk)

    def opportunity(self, opportunity: LearningOpportunity) -> None:
        """The micro-credential's achievement specification and one learning opportunity per
        published edition (without one: a learning opportunity of the micro-credential)."""
        language = _iso_code(opportunity)
        translations = [t for t in opportunity.translations.all()]
        for edition in opportunity.public_editions or [None]:
            self.offering(opportunity, edition, language, translations)
        titles = {language: opportunity.title} | {
            _language(t.language): t.title for t in translations
        }
        self.specification(opportunity, titles, language, translations)

    def offering(self, opportunity, edition: Edition | None, language: str, translations) -> None:
        def texts(name: str, default: str) -> dict[str, str]:
            return {language: default} | {
                _language(t.language): getattr(t, name) for t in translations
            }

        # Without an edition, the micro-credential is offered with no dates or price.
        offered = edition or Edition(opportunity=opportunity)
        node = self.add(
            self.groups["learningOpportunityReferences"],
            "learningOpportunity",
            id=offering_id(opportunity, edition),
        )
        if offered.reference:
            self.identifier(node, edition_notation(opportunity, offered))
        self.lang(node, "title", texts("title", opportunity.title))
        self.lang(node, "description", texts("description", opportunity.description))
        if opportunity.opportunity_type:
            self.add(node, "type", uri=opportunity.opportunity_type.uri)
        self.offering_notes(node, opportunity, offered, language, translations)
        if edition is not None:
            self.edition_notes(node, edition, language)
        self.web_resource(
            node, "homepage", offered.homepage or opportunity.homepage or own_page(opportunity.pk)
        )
        self.period(node, offered, edition)
        # LOQ wants the grants between the modes and the learning schedule.
        self.grants(node, opportunity, language)
        self.timetable(node, offered, language)
        self.note(node, "admissionProcedure", opportunity.admission_procedure, language)
        if offered.application_deadline:
            self.add(
                node,
                "applicationDeadline",
                f"{offered.application_deadline.isoformat()}T23:59:59",
            )
        self.price(node, offered, language)
        for organisation in [opportunity.provider, *opportunity.co_providers.all()]:
            self.add(node, "providedBy", idref=self.organisation(organisation))
        self.location(node, opportunity, language)
        self.add(
            node,
            "learningAchievementSpecification",
            idref=own_id("specification", opportunity.pk),
        )
        self.add(node, "defaultLanguage", uri=opportunity.default_language.uri)
        self.add(node, "status", edition.status if edition is not None else opportunity.status)
        self.add(node, "modified", opportunity.modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.add(node, "publisher", idref=self.organisation(opportunity.provider))

    def offering_notes(self, node, opportunity, offered: Edition, language, translations):
        """The notes of an offering: what LOQ has no element for, and texts in other
        languages."""
        texts = {language: opportunity.further_information} | {
            _language(t.language): t.further_information for t in translations
        }
        for note_language, text in texts.items():
            self.note(node, "additionalNote", text, note_language)
        self.notes(
            node,
            "admission-procedure",
            {_language(t.language): t.admission_procedure for t in translations},
        )
        if offered.any_start_date:
            self.notes(node, "any-start-date", {"en": "true"})
        if opportunity.hosted_by:
            self.notes(node, "hosted-by", {"en": self.organisation(opportunity.hosted_by)})
        if offered.duration and xsd_duration(offered.duration) != offered.duration:
            self.notes(node, "duration", {"en": offered.duration})  # as given: P6W
        if opportunity.location and not opportunity.countries.all():
            self.notes(node, "location", {language: opportunity.location})
        if opportunity.published_at:
            self.notes(node, "published", {"en": opportunity.published_at.isoformat()})

    def period(self, node, offered: Edition, edition: Edition | None) -> None:
        """When an offering runs, for how long and in which modes."""
        if offered.start_date or offered.end_date:
            temporal = self.add(node, "temporal")
            if offered.start_date:
                self.add(temporal, "startDate", f"{offered.start_date.isoformat()}T00:00:00")
            if offered.end_date:
                self.add(temporal, "endDate", f"{offered.end_date.isoformat()}T00:00:00")
        if offered.duration:
            self.add(node, "duration", xsd_duration(offered.duration))
        # An edition's own modes; the micro-credential's are its specification's.
        for mode in offered.modes.all() if edition is not None else []:
            self.add(node, "mode", uri=mode.uri)

    def grants(self, node, opportunity: LearningOpportunity, language: str) -> None:
        """The micro-credential's grants, written out in each of its learning opportunities:
        LOQ gives a grant no id to refer to it by."""
        for grant in opportunity.grants.all():
            element = self.add(node, "grant")
            self.title_and_description(element, grant, language)
            if grant.homepage:
                self.web_resource(element, "supplementaryDocument", grant.homepage)

    def timetable(self, node, offered: Edition, language: str) -> None:
        """On what schedule an offering runs."""
        if offered.learning_schedule:
            self.add(node, "learningSchedule", uri=offered.learning_schedule.uri)
        self.note(node, "scheduleInformation", offered.schedule_information, language)

    def location(self, node, opportunity, language: str) -> None:
        # A LOQ location needs an address with a country: the place where it is given, named
        # in the opportunity's language, has one per country.
        countries = list(opportunity.countries.all())
        if countries:
            place = own_id("opportunity-location", opportunity.pk)
            self.add(node, "location", idref=place)
            if place not in self.places:
                self.places.add(place)
                location = self.add(self.groups["locationReferences"], "location", id=place)
                if opportunity.location:
                    self.add(location, "geographicName", opportunity.location, language=language)
                if opportunity.region:
                    self.add(location, "spatialCode", uri=opportunity.region.uri)
                for country in countries:
                    address = self.add(location, "address")
                    self.add(address, "countryCode", uri=country.uri)

    def identifier(self, parent, code: str) -> None:
        identifier = self.add(parent, "identifier")
        self.add(identifier, "notation", code, SKOS)
        self.add(identifier, "schemeName", PROVIDER_REFERENCE_SCHEME)

    def edition_notes(self, node, edition: Edition, language: str) -> None:
        """What LOQ has no element for: places, and where the edition differs in place or
        languages from the micro-credential."""
        if edition.places is not None:
            self.notes(node, "places", {"en": str(edition.places)})
        self.notes(node, "edition-location", {language: edition.location})
        languages = " ".join(spoken.uri for spoken in edition.languages.all())
        self.notes(node, "edition-languages", {"en": languages})

    def price(self, node, offered: Edition, language: str) -> None:
        if not (offered.is_free or offered.fee_amount is not None or offered.fee_note):
            return
        price = self.add(node, "priceDetail")
        if offered.is_free or offered.fee_amount is not None:
            amount = Decimal(0) if offered.is_free else offered.fee_amount
            money = self.add(price, "amount")
            currency = offered.currency
            self.add(money, "unit", uri=currency.uri if currency else EURO)
            self.add(money, "value", f"{amount:.2f}")
        if offered.fee_note:
            self.add(price, "prefLabel", offered.fee_note, SKOS, language=language)

    def specification(self, opportunity, titles: dict, language: str, translations: list):
        node = self.add(
            self.groups["learningAchievementSpecificationReferences"],
            "learningAchievementSpecification",
            id=own_id("specification", opportunity.pk),
        )
        if opportunity.provider_reference:
            self.identifier(node, opportunity.provider_reference)
        self.lang(node, "title", titles)
        self.specification_notes(node, opportunity, language, translations)
        if opportunity.homepage:
            self.web_resource(node, "homepage", opportunity.homepage)
        self.add(node, "status", opportunity.status)
        for isced in opportunity.isced_fields.all():
            self.add(node, "ISCEDFCode", uri=isced.uri)
        if opportunity.workload_hours:
            self.add(node, "volumeOfLearning", f"PT{opportunity.workload_hours}H")
        if opportunity.ects_credits is not None:
            credit = self.add(node, "creditPoint")
            framework = opportunity.credit_system.uri if opportunity.credit_system else ECTS
            self.add(credit, "framework", uri=framework)
            self.add(credit, "point", f"{opportunity.ects_credits.normalize():f}")
        if opportunity.eqf_level:
            self.add(node, "educationLevel", uri=opportunity.eqf_level.uri)
        if opportunity.nqf_level:
            self.add(node, "educationLevel", uri=opportunity.nqf_level.uri)
        for spoken in opportunity.languages.all():
            self.add(node, "language", uri=spoken.uri)
        for mode in opportunity.modes.all():
            self.add(node, "mode", uri=mode.uri)
        if opportunity.learning_setting:
            self.add(node, "learningSetting", uri=opportunity.learning_setting.uri)
        for group in opportunity.target_groups.all():
            self.add(node, "targetGroup", uri=group.uri)
        self.note(node, "entryRequirement", opportunity.entry_requirements, language)
        self.parts(node, opportunity, language)

    def specification_notes(self, node, opportunity, language: str, translations) -> None:
        """What the specification says that LOQ has no element for."""
        self.note(node, "additionalNote", opportunity.integration_options, language)
        if opportunity.credential_type:
            self.notes(node, "credential-type", {"en": opportunity.credential_type.uri})
        if opportunity.quality_assurance_type:
            self.notes(
                node, "quality-assurance-type", {"en": opportunity.quality_assurance_type.uri}
            )
        self.notes(node, "quality-assurance", {language: opportunity.quality_assurance_note})
        if opportunity.is_stackable:
            self.notes(node, "stackable", {"en": "true"})
        if opportunity.nqf_sublevel is not None:
            self.notes(node, "nqf-sublevel", {"en": str(opportunity.nqf_sublevel)})
        self.notes(
            node,
            "entry-requirements",
            {_language(t.language): t.entry_requirements for t in translations},
        )

    def parts(self, node, opportunity, language: str) -> None:
        """Its outcomes, activities and assessments, and who awards it."""
        for outcome in opportunity.outcomes.all():
            self.add(node, "learningOutcome", idref=own_id("outcome", outcome.pk))
            self.outcome(outcome, language)
        for activity in opportunity.activities.all():
            self.add(node, "influencedBy", idref=own_id("activity", activity.pk))
            self.activity(activity, language)
        for assessment in opportunity.assessments.all():
            self.add(node, "provenBy", idref=own_id("assessment", assessment.pk))
            self.assessment(assessment, language)
        for body in opportunity.awarding_bodies.all():
            awarding = self.add(node, "awardingOpportunity")
            self.add(awarding, "awardingBody", idref=self.organisation(body))
            self.add(
                awarding,
                "learningAchievementSpecification",
                idref=own_id("specification", opportunity.pk),
            )

    def outcome(self, outcome, language: str) -> None:
        node = self.add(
            self.groups["learningOutcomeReferences"],
            "learningOutcome",
            id=own_id("outcome", outcome.pk),
        )
        self.lang(node, "title", {language: outcome.title} | outcome.title_translations)
        for skill in outcome.skills.all():
            element = self.add(node, "relatedESCOSkill", uri=skill.uri)
            self.add(element, "prefLabel", skill.preferred_label, SKOS, language="en")

    def titled(self, group: str, name: str, item, kind: str, language: str):
        """An activity or assessment specification's element with its title and description."""
        node = self.add(self.groups[group], name, id=own_id(kind, item.pk))
        self.title_and_description(node, item, language)
        return node

    def activity(self, activity, language: str) -> None:
        node = self.titled(
            "learningActivitySpecificationReferences",
            "learningActivitySpecification",
            activity,
            "activity",
            language,
        )
        if activity.activity_type:
            self.add(node, "type", uri=activity.activity_type.uri)
        if activity.hours:
            self.add(node, "volumeOfLearning", f"PT{activity.hours}H")
        if activity.mode:
            self.add(node, "mode", uri=activity.mode.uri)

    def assessment(self, assessment, language: str) -> None:
        node = self.titled(
            "learningAssessmentSpecificationReferences",
            "learningAssessmentSpecification",
            assessment,
            "assessment",
            language,
        )
        if assessment.supervision:
            self.notes(node, "supervision", {"en": assessment.supervision.uri})
        self.notes(node, "grading-scheme", {language: assessment.grading_scheme})
        self.add(node, "type", uri=assessment.assessment_type.uri)
        if assessment.mode:
            self.add(node, "mode", uri=assessment.mode.uri)

    def finish(self) -> bytes:
        for organisation in sorted(self.organisations.values(), key=lambda o: o.pk):
            location_id = own_id("organisation-location", organisation.pk)
            node = self.add(
                self.groups["agentReferences"],
                "organisation",
                id=own_id("organisation", organisation.pk),
            )
            self.add(node, "legalName", organisation.legal_name or organisation.name, language="en")
            if organisation.legal_identifier:
                # ELM's legalIdentifier is rov:registration: "registration" in LOQ.
                registration = self.add(node, "registration")
                self.add(registration, "notation", organisation.legal_identifier, SKOS)
                self.add(registration, "spatial", uri=organisation.country.uri)
            if organisation.website:
                self.web_resource(node, "homepage", organisation.website)
            self.add(node, "location", idref=location_id)
            location = self.add(self.groups["locationReferences"], "location", id=location_id)
            address = self.add(location, "address")
            if organisation.city:
                self.note(address, "fullAddress", organisation.city, "en")
            self.add(address, "countryCode", uri=organisation.country.uri)
        for group in self.groups.values():
            if len(group):
                self.root.append(group)
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dump_loq(opportunities: Iterable[LearningOpportunity]) -> bytes:
    """A LOQ "Courses" document for the given opportunities (use ``with_detail_data()``)."""
    writer = _Writer()
    for opportunity in opportunities:
        writer.opportunity(opportunity)
    return writer.finish()
