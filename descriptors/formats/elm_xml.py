"""European Learning Model LOQ XML ("Courses" documents for the QDR / Europass).

``dump_loq`` writes opportunities with their achievement specification, learning outcomes
(ESCO skills as ``relatedESCOSkill``), assessment and activity specifications, organisations and
their locations, in the element order ``loq.xsd`` (xsdVersion 3.1.0) prescribes.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from lxml import etree

from descriptors.models import (
    Activity,
    Assessment,
    LearningOpportunity,
    LearningOutcome,
    OpportunityTranslation,
    Organisation,
)
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, Scheme

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

    def titled(self, group: str, name: str, item, kind: str, language: str):
        """An activity or assessment specification's element with its title and description."""
        node = self.add(self.groups[group], name, id=_id(kind, item.pk))
        self.add(node, "title", item.title, language=language)
        if item.description:
            self.add(node, "description", item.description, language=language)
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


# --- Import -------------------------------------------------------------------------------

OWN_ID = re.compile(r"^urn:oclo:opportunity:(\d+)$")
HOURS = re.compile(r"^PT(\d+)H$")
NAL_SCHEMES = {
    "http://publications.europa.eu/resource/authority/language/": Scheme.LANGUAGE,
    "http://publications.europa.eu/resource/authority/country/": Scheme.COUNTRY,
    "http://publications.europa.eu/resource/authority/currency/": Scheme.CURRENCY,
}


class RecordRejected(ValueError):
    """A learning opportunity that cannot be imported; the message says why."""


@dataclass
class LoqRejection:
    record: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.record} (line {self.line}): {self.reason}"


@dataclass
class LoqImportReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    rejected: list[LoqRejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _local(element) -> str:
    return etree.QName(element).localname


def _children(node, name: str) -> list:
    return [child for child in node if isinstance(child.tag, str) and _local(child) == name]


def _child(node, name: str):
    found = _children(node, name)
    return found[0] if found else None


def _texts(node, name: str) -> dict[str, str]:
    return {
        child.get("language", ""): (child.text or "").strip()
        for child in _children(node, name)
        if (child.text or "").strip()
    }


def _uri(node, name: str) -> str | None:
    element = _child(node, name)
    return element.get("uri") if element is not None else None


def _note(node, name: str) -> str:
    note = _child(node, name)
    literal = _child(note, "noteLiteral") if note is not None else None
    return (literal.text or "").strip() if literal is not None else ""


def _date(node, name: str):
    element = _child(node, name)
    if element is None or not element.text:
        return None
    return datetime.fromisoformat(element.text.strip()[:10]).date()


class _Reader:
    def __init__(self, root, provider: Organisation | None):
        self.by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
        self.report = LoqImportReport()
        # When an organisation imports through the API, every record is its own.
        self.provider = provider

    def concept(self, uri: str | None, scheme: str | None = None) -> Concept | None:
        if not uri:
            return None
        concept = Concept.objects.filter(uri=uri).first()
        if concept is None:
            # EU authority tables are large (thousands of languages): add what arrives.
            for prefix, nal_scheme in NAL_SCHEMES.items():
                if uri.startswith(prefix) and scheme in (None, nal_scheme):
                    code = uri[len(prefix) :]
                    concept, _ = Concept.objects.get_or_create(
                        scheme=nal_scheme, code=code, defaults={"uri": uri, "label": code}
                    )
        if concept is not None and scheme and concept.scheme != scheme:
            return None
        return concept

    def number(self, element, what: str) -> Decimal | None:
        """A decimal, or None with a note when the document holds something else."""
        text = (element.text or "").strip() if element is not None else ""
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.report.warnings.append(
                f"line {element.sourceline}: {what} {text!r} is not a number and was left out"
            )
            return None
        return number if number.is_finite() and number >= 0 else None

    def concepts(self, node, name: str, scheme: str) -> list[Concept]:
        found = []
        for element in _children(node, name):
            concept = self.concept(element.get("uri"), scheme)
            if concept is None:
                self.report.warnings.append(
                    f"line {element.sourceline}: unknown {name} {element.get('uri')} ignored"
                )
            else:
                found.append(concept)
        return found

    def referenced(self, node, name: str) -> list:
        elements = []
        for reference in _children(node, name):
            target = self.by_id.get(reference.get("idref"))
            if target is None:
                raise RecordRejected(
                    f"{name} points to {reference.get('idref')}, "
                    "which the document does not contain"
                )
            elements.append(target)
        return elements

    def organisation(self, element) -> Organisation:
        names = _texts(element, "legalName")
        name = names.get("en") or next(iter(names.values()), "")
        if not name:
            raise RecordRejected(f"organisation {element.get('id')} has no legalName")
        country, city = None, ""
        for location in self.referenced(element, "location"):
            address = _child(location, "address")
            code = _child(address, "countryCode") if address is not None else None
            country = self.concept(code.get("uri") if code is not None else None, Scheme.COUNTRY)
            city = _note(address, "fullAddress") if address is not None else ""
        if country is None:
            raise RecordRejected(f"organisation {name!r} has no known country")
        homepage = _child(element, "homepage")
        website = (
            _child(homepage, "contentUrl").text
            if homepage is not None and _child(homepage, "contentUrl") is not None
            else ""
        )
        organisation, _ = Organisation.objects.get_or_create(
            name=name[:255],
            defaults={
                "country": country,
                "city": city[:120],
                "website": website or "",
                "provider_type": Concept.objects.get(scheme=Scheme.PROVIDER_TYPE, code="other"),
            },
        )
        return organisation

    def opportunity(self, node) -> None:
        record = node.get("id", "")
        try:
            with transaction.atomic():
                created, pk = self._opportunity(node)
        except (RecordRejected, ValidationError, ValueError) as error:
            reason = (
                "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
                )
                if isinstance(error, ValidationError) and hasattr(error, "message_dict")
                else str(error)
            )
            self.report.rejected.append(LoqRejection(record, node.sourceline, reason))
            return
        (self.report.created if created else self.report.updated).append(pk)

    def _opportunity(self, node) -> tuple[bool, int]:
        record = node.get("id", "")
        default_language = self.concept(_uri(node, "defaultLanguage"), Scheme.LANGUAGE)
        if default_language is None:
            raise RecordRejected("defaultLanguage is missing or not an EU language")
        providers = [self.organisation(element) for element in self.referenced(node, "providedBy")]
        if self.provider is not None:
            providers = [self.provider, *(p for p in providers if p != self.provider)]
        if not providers:
            raise RecordRejected("providedBy is missing")
        specifications = self.referenced(node, "learningAchievementSpecification")
        if len(specifications) != 1:
            raise RecordRejected("exactly one learningAchievementSpecification is required")
        specification = specifications[0]
        titles = _texts(node, "title")
        if not titles:
            raise RecordRejected("title is missing")
        iso = default_language.short_code or next(iter(titles))
        title = titles.pop(iso, None) or titles.pop(next(iter(titles)))
        descriptions = _texts(node, "description")
        description = descriptions.pop(iso, "")

        opportunity = self._existing(record, providers[0]) or LearningOpportunity(
            provider=providers[0], provider_reference="" if OWN_ID.match(record) else record[:100]
        )
        created = opportunity.pk is None
        temporal = _child(node, "temporal")
        price = _child(node, "priceDetail")
        amount = _child(price, "amount") if price is not None else None
        value = self.number(_child(amount, "value"), "amount") if amount is not None else None
        credit = _child(specification, "creditPoint")
        volume = _child(specification, "volumeOfLearning")
        hours = HOURS.match((volume.text or "").strip()) if volume is not None else None
        level = _child(specification, "educationLevel")
        if level is None:
            level = _child(specification, "EQFLevel")
        status = (_child(node, "status").text or "") if _child(node, "status") is not None else ""
        values = {
            "provider": providers[0],
            "title": title[:255],
            "description": description,
            "opportunity_type": self.concept(
                _uri(node, "type"),
                Scheme.LEARNING_OPPORTUNITY_TYPE,
            ),
            "homepage": (_child(_child(node, "homepage"), "contentUrl").text or "")
            if _child(node, "homepage") is not None
            and _child(_child(node, "homepage"), "contentUrl") is not None
            else "",
            "default_language": default_language,
            "start_date": _date(temporal, "startDate") if temporal is not None else None,
            "end_date": _date(temporal, "endDate") if temporal is not None else None,
            "duration": (_child(node, "duration").text or "").strip()
            if _child(node, "duration") is not None
            else "",
            "learning_schedule": self.concept(
                _uri(node, "learningSchedule"),
                Scheme.LEARNING_SCHEDULE,
            ),
            "schedule_information": _note(node, "scheduleInformation"),
            "admission_procedure": _note(node, "admissionProcedure"),
            "application_deadline": _date(node, "applicationDeadline"),
            "is_free": value == 0,
            "fee_amount": value if value else None,
            "currency": self.concept(_child(amount, "unit").get("uri"), Scheme.CURRENCY)
            if value
            else None,
            "fee_note": next(iter(_texts(price, "prefLabel").values()), "")
            if price is not None
            else "",
            "further_information": _note(node, "additionalNote"),
            "integration_options": _note(specification, "additionalNote"),
            "workload_hours": int(hours.group(1)) if hours else None,
            "ects_credits": self.number(_child(credit, "point"), "creditPoint")
            if credit is not None
            else None,
            "credit_system": self.concept(
                _child(credit, "framework").get("uri"), Scheme.CREDIT_SYSTEM
            )
            if credit is not None
            else None,
            "eqf_level": EqfLevel.objects.filter(uri=level.get("uri")).first()
            if level is not None
            else None,
            "learning_setting": self.concept(
                _uri(specification, "learningSetting"),
                Scheme.LEARNING_SETTING,
            ),
            "entry_requirements": _note(specification, "entryRequirement"),
            "status": status
            if status in LearningOpportunity.Status.values
            else LearningOpportunity.Status.DRAFT,
        }
        if values["fee_amount"] and values["currency"] is None:
            raise RecordRejected("priceDetail has an amount in an unknown currency")
        if values["duration"]:
            values["duration"] = values["duration"].replace("T0H", "")
        for name, value in values.items():
            setattr(opportunity, name, value)
        opportunity.full_clean(exclude=["languages", "isced_fields"])
        opportunity.save()
        self._relations(opportunity, node, specification, providers, iso, titles, descriptions)
        return created, opportunity.pk

    def _existing(self, record: str, provider: Organisation) -> LearningOpportunity | None:
        own = OWN_ID.match(record)
        if own:
            existing = LearningOpportunity.objects.filter(pk=int(own.group(1))).first()
            if existing is not None and self.provider not in (None, existing.provider):
                raise RecordRejected("this opportunity belongs to another organisation")
            return existing
        return LearningOpportunity.objects.filter(
            provider=provider, provider_reference=record[:100]
        ).first()

    def _relations(self, opportunity, node, specification, providers, iso, titles, descriptions):
        opportunity.co_providers.set(providers[1:])
        opportunity.modes.set(self.concepts(node, "mode", Scheme.MODE))
        opportunity.languages.set(
            self.concepts(specification, "language", Scheme.LANGUAGE)
            or [opportunity.default_language]
        )
        opportunity.target_groups.set(
            self.concepts(specification, "targetGroup", Scheme.TARGET_GROUP)
        )
        codes = [
            element.get("uri", "").rsplit("/", 1)[-1]
            for element in _children(specification, "ISCEDFCode")
        ]
        fields = list(IscedField.objects.filter(code__in=codes))
        if not fields:
            raise RecordRejected("no ISCEDFCode of ISCED-F 2013 is given")
        opportunity.isced_fields.set(fields)
        opportunity.awarding_bodies.set(
            [
                self.organisation(body)
                for awarding in _children(specification, "awardingOpportunity")
                for body in self.referenced(awarding, "awardingBody")
            ]
        )
        opportunity.translations.all().delete()
        for code, title in titles.items():
            language = Concept.objects.filter(scheme=Scheme.LANGUAGE, short_code=code).first()
            if language and language != opportunity.default_language:
                OpportunityTranslation.objects.create(
                    opportunity=opportunity,
                    language=language,
                    title=title[:255],
                    description=descriptions.get(code, ""),
                )
        opportunity.outcomes.all().delete()
        for position, element in enumerate(self.referenced(specification, "learningOutcome")):
            texts = _texts(element, "title")
            outcome = LearningOutcome.objects.create(
                opportunity=opportunity,
                position=position,
                title=texts.pop(iso, None) or next(iter(texts.values()), ""),
                title_translations={code: text for code, text in texts.items() if code != iso},
            )
            uris = [skill.get("uri") for skill in _children(element, "relatedESCOSkill")]
            skills = list(EscoSkill.objects.filter(uri__in=uris))
            if len(skills) < len(uris):
                self.report.warnings.append(
                    f"line {element.sourceline}: {len(uris) - len(skills)} ESCO skill(s) not "
                    "in the loaded ESCO set were left out"
                )
            outcome.skills.set(skills)
        opportunity.activities.all().delete()
        for element in self.referenced(specification, "influencedBy"):
            hours = HOURS.match(
                (_child(element, "volumeOfLearning").text or "")
                if _child(element, "volumeOfLearning") is not None
                else ""
            )
            Activity.objects.create(
                opportunity=opportunity,
                title=next(iter(_texts(element, "title").values()), "")[:255],
                description=next(iter(_texts(element, "description").values()), ""),
                activity_type=next(
                    iter(self.concepts(element, "type", Scheme.ACTIVITY_TYPE)), None
                ),
                mode=next(iter(self.concepts(element, "mode", Scheme.MODE)), None),
                hours=int(hours.group(1)) if hours else None,
            )
        opportunity.assessments.all().delete()
        for element in self.referenced(specification, "provenBy"):
            kind = next(iter(self.concepts(element, "type", Scheme.ASSESSMENT_TYPE)), None)
            if kind is None:
                self.report.warnings.append(
                    f"line {element.sourceline}: an assessment without a known type was left out"
                )
                continue
            Assessment.objects.create(
                opportunity=opportunity,
                title=next(iter(_texts(element, "title").values()), "")[:255],
                description=next(iter(_texts(element, "description").values()), ""),
                assessment_type=kind,
                mode=next(iter(self.concepts(element, "mode", Scheme.MODE)), None),
            )


def load_loq(source: bytes, *, provider: Organisation | None = None) -> LoqImportReport:
    """Import every learning opportunity of a LOQ document, each all-or-nothing.

    Re-importing updates instead of duplicating: our own exports are matched by id, other
    documents by (provider, the opportunity's id in the document). With ``provider``, every
    record is imported as that organisation's and others' records are refused.
    """
    try:
        root = etree.fromstring(source, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as error:
        raise RecordRejected(f"not well-formed XML: {error}") from error
    reader = _Reader(root, provider)
    for node in root.iter(f"{{{LOQ}}}learningOpportunity"):
        if node.get("id"):
            reader.opportunity(node)
    return reader.report
