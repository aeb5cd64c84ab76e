"""European Learning Model LOQ XML ("Courses" documents for the QDR / Europass).

``dump_loq`` writes opportunities with their achievement specification, learning outcomes
(ESCO skills as ``relatedESCOSkill``), assessment and activity specifications, organisations and
their locations, in the element order ``loq.xsd`` (xsdVersion 3.1.0) prescribes.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from descriptors.models import LearningOpportunity, Organisation

LOQ = "http://data.europa.eu/snb/model/ap/loq-constraints/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
NSMAP = {None: LOQ, "skos": SKOS}
XSD_VERSION = "3.1.0"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"


def _id(kind: str, pk: int) -> str:
    return f"urn:oclo:{kind}:{pk}"


def _xsd_duration(value: str) -> str:
    """ISO 8601 allows weeks (P6W); xs:duration does not, so weeks become days."""
    match = re.fullmatch(r"P(\d+)W", value)
    return f"P{int(match.group(1)) * 7}D" if match else value


def _iso_code(opportunity: LearningOpportunity) -> str:
    return opportunity.default_language.short_code or "en"


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

    def note(self, parent, name: str, text: str, language: str) -> None:
        if text:
            note = self.add(parent, name)
            self.add(note, "noteLiteral", text, language=language)

    def organisation(self, organisation: Organisation) -> str:
        self.organisations[organisation.pk] = organisation
        return _id("organisation", organisation.pk)

    def opportunity(self, opportunity: LearningOpportunity) -> None:
        language = _iso_code(opportunity)
        translations = list(opportunity.translations.all())
        titles = {language: opportunity.title} | {
            t.language.short_code: t.title for t in translations if t.language.short_code
        }
        descriptions = {language: opportunity.description} | {
            t.language.short_code: t.description for t in translations if t.language.short_code
        }
        node = self.add(
            self.groups["learningOpportunityReferences"],
            "learningOpportunity",
            id=_id("opportunity", opportunity.pk),
        )
        self.lang(node, "title", titles)
        self.lang(node, "description", descriptions)
        if opportunity.opportunity_type:
            self.add(node, "type", uri=opportunity.opportunity_type.uri)
        self.note(node, "additionalNote", opportunity.further_information, language)
        homepage = self.add(node, "homepage")
        self.add(
            homepage,
            "contentUrl",
            opportunity.homepage
            or opportunity.provider.website
            or f"https://w3id.org/oclo/opportunity/{opportunity.pk}",
        )
        if opportunity.start_date or opportunity.end_date:
            temporal = self.add(node, "temporal")
            if opportunity.start_date:
                self.add(temporal, "startDate", f"{opportunity.start_date.isoformat()}T00:00:00")
            if opportunity.end_date:
                self.add(temporal, "endDate", f"{opportunity.end_date.isoformat()}T00:00:00")
        if opportunity.duration:
            self.add(node, "duration", _xsd_duration(opportunity.duration))
        for mode in opportunity.modes.all():
            self.add(node, "mode", uri=mode.uri)
        if opportunity.learning_schedule:
            self.add(node, "learningSchedule", uri=opportunity.learning_schedule.uri)
        self.note(node, "scheduleInformation", opportunity.schedule_information, language)
        self.note(node, "admissionProcedure", opportunity.admission_procedure, language)
        if opportunity.application_deadline:
            self.add(
                node,
                "applicationDeadline",
                f"{opportunity.application_deadline.isoformat()}T23:59:59",
            )
        if opportunity.is_free or opportunity.fee_amount is not None:
            price = self.add(node, "priceDetail")
            amount = Decimal(0) if opportunity.is_free else opportunity.fee_amount
            if opportunity.currency or opportunity.is_free:
                money = self.add(price, "amount")
                currency = opportunity.currency
                self.add(
                    money,
                    "unit",
                    uri=currency.uri
                    if currency
                    else "http://publications.europa.eu/resource/authority/currency/EUR",
                )
                self.add(money, "value", f"{amount:.2f}")
            if opportunity.fee_note:
                self.add(price, "prefLabel", opportunity.fee_note, SKOS, language=language)
        for organisation in [opportunity.provider, *opportunity.co_providers.all()]:
            self.add(node, "providedBy", idref=self.organisation(organisation))
        self.add(
            node, "learningAchievementSpecification", idref=_id("specification", opportunity.pk)
        )
        self.add(node, "defaultLanguage", uri=opportunity.default_language.uri)
        self.add(node, "status", opportunity.status)
        self.add(node, "modified", opportunity.modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.specification(opportunity, titles, language)

    def specification(self, opportunity: LearningOpportunity, titles: dict, language: str):
        node = self.add(
            self.groups["learningAchievementSpecificationReferences"],
            "learningAchievementSpecification",
            id=_id("specification", opportunity.pk),
        )
        self.lang(node, "title", titles)
        self.note(node, "additionalNote", opportunity.integration_options, language)
        for field in opportunity.isced_fields.all():
            self.add(node, "ISCEDFCode", uri=field.uri)
        if opportunity.workload_hours:
            self.add(node, "volumeOfLearning", f"PT{opportunity.workload_hours}H")
        if opportunity.ects_credits is not None:
            credit = self.add(node, "creditPoint")
            framework = opportunity.credit_system.uri if opportunity.credit_system else ECTS
            self.add(credit, "framework", uri=framework)
            self.add(credit, "point", f"{opportunity.ects_credits.normalize():f}")
        if opportunity.eqf_level:
            self.add(node, "educationLevel", uri=opportunity.eqf_level.uri)
        for spoken in opportunity.languages.all():
            self.add(node, "language", uri=spoken.uri)
        for mode in opportunity.modes.all():
            self.add(node, "mode", uri=mode.uri)
        if opportunity.learning_setting:
            self.add(node, "learningSetting", uri=opportunity.learning_setting.uri)
        for group in opportunity.target_groups.all():
            self.add(node, "targetGroup", uri=group.uri)
        self.note(node, "entryRequirement", opportunity.entry_requirements, language)
        for outcome in opportunity.outcomes.all():
            self.add(node, "learningOutcome", idref=_id("outcome", outcome.pk))
            self.outcome(outcome, language)
        for activity in opportunity.activities.all():
            self.add(node, "influencedBy", idref=_id("activity", activity.pk))
            self.activity(activity, language)
        for assessment in opportunity.assessments.all():
            self.add(node, "provenBy", idref=_id("assessment", assessment.pk))
            self.assessment(assessment, language)
        for body in opportunity.awarding_bodies.all():
            awarding = self.add(node, "awardingOpportunity")
            self.add(awarding, "awardingBody", idref=self.organisation(body))
            self.add(
                awarding,
                "learningAchievementSpecification",
                idref=_id("specification", opportunity.pk),
            )

    def outcome(self, outcome, language: str) -> None:
        node = self.add(
            self.groups["learningOutcomeReferences"],
            "learningOutcome",
            id=_id("outcome", outcome.pk),
        )
        self.lang(node, "title", {language: outcome.title} | outcome.title_translations)
        for skill in outcome.skills.all():
            element = self.add(node, "relatedESCOSkill", uri=skill.uri)
            self.add(element, "prefLabel", skill.preferred_label, SKOS, language="en")

    def activity(self, activity, language: str) -> None:
        node = self.add(
            self.groups["learningActivitySpecificationReferences"],
            "learningActivitySpecification",
            id=_id("activity", activity.pk),
        )
        self.add(node, "title", activity.title, language=language)
        if activity.description:
            self.add(node, "description", activity.description, language=language)
        if activity.activity_type:
            self.add(node, "type", uri=activity.activity_type.uri)
        if activity.hours:
            self.add(node, "volumeOfLearning", f"PT{activity.hours}H")
        if activity.mode:
            self.add(node, "mode", uri=activity.mode.uri)

    def assessment(self, assessment, language: str) -> None:
        node = self.add(
            self.groups["learningAssessmentSpecificationReferences"],
            "learningAssessmentSpecification",
            id=_id("assessment", assessment.pk),
        )
        self.add(node, "title", assessment.title, language=language)
        if assessment.description:
            self.add(node, "description", assessment.description, language=language)
        self.add(node, "type", uri=assessment.assessment_type.uri)
        if assessment.mode:
            self.add(node, "mode", uri=assessment.mode.uri)

    def finish(self) -> bytes:
        for organisation in sorted(self.organisations.values(), key=lambda o: o.pk):
            node = self.add(
                self.groups["agentReferences"],
                "organisation",
                id=_id("organisation", organisation.pk),
            )
            self.add(node, "legalName", organisation.legal_name or organisation.name, language="en")
            if organisation.website:
                homepage = self.add(node, "homepage")
                self.add(homepage, "contentUrl", organisation.website)
            self.add(node, "location", idref=_id("location", organisation.pk))
            location = self.add(
                self.groups["locationReferences"], "location", id=_id("location", organisation.pk)
            )
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
