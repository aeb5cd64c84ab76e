"""Reading a LOQ record's achievement specification: what a micro-credential is (its level,
field, credits, credential, quality assurance) and its outcomes, activities and assessments.
``SpecificationReader`` also holds what every part of the reading shares: codes resolved to our
vocabularies, references followed, organisations matched."""

import re

from lxml import etree

from descriptors.formats.elm_xml_document import LoqDocument, LoqElement
from descriptors.formats.elm_xml_nodes import (
    Node,
    ParsedRecord,
    RecordRejected,
    children_named,
    first_child,
    provider_reference,
    read_decimal,
)
from descriptors.models import Organisation
from descriptors.vocabularies import UnknownValue, Vocabularies
from taxonomies.models import Scheme

HOURS = re.compile(r"^PT(\d+)H(?:0M)?$")


class SpecificationReader:
    """Reads a record's achievement specification and what it refers to; resolves codes with
    ``vocabularies`` and organisations with ``organisations`` (anything with
    ``get(record_id)`` that gives ours or None)."""

    def __init__(
        self, document: LoqDocument, *, provider, vocabularies: Vocabularies, organisations
    ):
        self.document = document
        self.provider = provider
        self.vocabularies = vocabularies
        self.organisations = organisations

    def concept(self, scheme: str, uri: str | None, what: str):
        if not uri:
            return None
        try:
            return self.vocabularies.concept(scheme, uri)
        except UnknownValue as error:
            raise RecordRejected(f"{what}: {error}") from error

    def referenced(self, node: Node, name: str) -> list[LoqElement]:
        found = []
        for reference in node.all(name):
            target = self.document.get(reference.get("idref"))
            if target is None:
                raise RecordRejected(
                    f"{name} points to {reference.get('idref')}, "
                    "which the document does not contain"
                )
            found.append(target)
        return found

    def organisation_list(
        self, parsed: ParsedRecord, ids: list[str], what: str
    ) -> list[Organisation]:
        found = []
        for record_id in ids:
            organisation = self.organisations.get(record_id)
            if organisation is None:
                parsed.dropped[f"{what} not in this catalogue"] += 1
            elif organisation not in found:
                found.append(organisation)
        return found

    def specification(self, parsed: ParsedRecord, source: LoqElement, main: str) -> dict:
        """Reads the achievement specification into ``parsed``; returns the entry requirements
        in other languages."""
        node = Node(source.element, etree.QName(source.element).localname, parsed)
        values, relations = parsed.values, parsed.relations
        node.all("title")  # the opportunity's titles again
        node.all("status")  # the source's; ours stays (new records arrive as drafts)
        parsed.reference = provider_reference(node)
        homepage = first_child(node.one("homepage"), "contentUrl")
        values["homepage"] = (homepage.text or "").strip() if homepage is not None else ""
        entry_requirements = self._specification_notes(parsed, node, main)
        self._level_and_credits(parsed, node)
        languages = [
            self.concept(Scheme.LANGUAGE, uri, "language") for uri in node.uris("language")
        ]
        relations["languages"] = languages or [values["default_language"]]
        relations["modes"] = [
            self.concept(Scheme.MODE, uri, "mode") for uri in dict.fromkeys(node.uris("mode"))
        ]
        values["learning_setting"] = self.concept(
            Scheme.LEARNING_SETTING, node.uri("learningSetting"), "learningSetting"
        )
        relations["target_groups"] = [
            self.concept(Scheme.TARGET_GROUP, uri, "targetGroup")
            for uri in node.uris("targetGroup")
        ]
        values["entry_requirements"] = node.note("entryRequirement")
        self._parts(parsed, node, main)
        node.finish()
        return entry_requirements

    def _specification_notes(self, parsed: ParsedRecord, node: Node, main: str) -> dict:
        """The descriptors our exports write as notes; returns the entry requirements in other
        languages."""
        values = parsed.values
        notes = node.notes()
        plain = notes.pop(None, {})
        values["integration_options"] = plain.pop(main, "")
        parsed.dropped["integration options in another language"] += len(plain)
        values["credential_type"] = self.concept(
            Scheme.CREDENTIAL_TYPE, notes.pop("credential-type", {}).get("en"), "credential type"
        )
        values["quality_assurance_type"] = self.concept(
            Scheme.QUALITY_ASSURANCE,
            notes.pop("quality-assurance-type", {}).get("en"),
            "quality assurance type",
        )
        quality = notes.pop("quality-assurance", {})
        values["quality_assurance_note"] = quality.pop(main, "")
        parsed.dropped["quality assurance details in another language"] += len(quality)
        values["is_stackable"] = notes.pop("stackable", {}).get("en") == "true"
        sublevel = notes.pop("nqf-sublevel", {}).get("en")
        values["nqf_sublevel"] = int(sublevel) if sublevel and sublevel.isdigit() else None
        entry_requirements = notes.pop("entry-requirements", {})
        for name, texts in notes.items():
            parsed.dropped[f"{node.path}/additionalNote about {name}"] += len(texts)
        return entry_requirements

    def _level_and_credits(self, parsed: ParsedRecord, node: Node) -> None:
        """ISCED-F fields, workload, credits and EQF or NQF level."""
        values, relations = parsed.values, parsed.relations
        fields = []
        for uri in node.uris("ISCEDFCode"):
            try:
                fields.append(self.vocabularies.isced(uri))
            except UnknownValue as error:
                raise RecordRejected(f"ISCEDFCode: {error}") from error
        if not fields:
            raise RecordRejected("no ISCEDFCode is given")
        relations["isced_fields"] = fields
        volume = node.one("volumeOfLearning")
        hours = HOURS.match((volume.text or "").strip()) if volume is not None else None
        values["workload_hours"] = int(hours.group(1)) if hours else None
        if volume is not None and not hours:
            parsed.dropped["volumeOfLearning not in whole hours (e.g. PT1H30M)"] += 1
        credit = node.one("creditPoint")
        point = first_child(credit, "point")
        framework = first_child(credit, "framework")
        values["ects_credits"] = (
            read_decimal(point.text, "creditPoint") if point is not None else None
        )
        values["credit_system"] = self.concept(
            Scheme.CREDIT_SYSTEM,
            framework.get("uri") if framework is not None else None,
            "creditPoint framework",
        )
        values["eqf_level"] = values["nqf_level"] = None
        for uri in node.uris("educationLevel") + node.uris("EQFLevel") + node.uris("NQFLevel"):
            try:
                values["eqf_level"] = self.vocabularies.eqf(uri)
            except UnknownValue:
                try:
                    values["nqf_level"] = self.vocabularies.nqf(uri)
                except UnknownValue as error:
                    raise RecordRejected(
                        f"educationLevel {uri!r} is neither an EQF nor a loaded NQF level"
                    ) from error

    def _parts(self, parsed: ParsedRecord, node: Node, main: str) -> None:
        """Its outcomes, activities and assessments, and who awards it."""
        parsed.children["outcomes"] = [
            self.outcome(parsed, target, main)
            for target in self.referenced(node, "learningOutcome")
        ]
        parsed.children["activities"] = [
            self.activity(parsed, target, main) for target in self.referenced(node, "influencedBy")
        ]
        parsed.children["assessments"] = [
            assessment
            for target in self.referenced(node, "provenBy")
            if (assessment := self.assessment(parsed, target, main)) is not None
        ]
        bodies = []
        for awarding in node.all("awardingOpportunity"):
            bodies += [
                reference.get("idref") for reference in children_named(awarding, "awardingBody")
            ]
        parsed.relations["awarding_bodies"] = self.organisation_list(
            parsed, bodies, "awarding body"
        )

    def outcome(self, parsed: ParsedRecord, source: LoqElement, main: str) -> dict:
        node = Node(source.element, "learningOutcome", parsed)
        titles = node.texts("title")
        title = titles.pop(main, None) or (titles.pop(next(iter(titles))) if titles else "")
        skills = []
        for uri in node.uris("relatedESCOSkill"):
            try:
                skills.append(self.vocabularies.skill(uri))
            except UnknownValue:
                parsed.dropped["relatedESCOSkill not in the loaded ESCO set"] += 1
        node.finish()
        if not title:
            raise RecordRejected(f"learning outcome {source.id} has no title")
        return {"title": title, "title_translations": titles, "skills": skills}

    def _titled(self, node: Node, main: str, what: str) -> tuple[str, str]:
        titles = node.texts("title")
        title = titles.get(main) or next(iter(titles.values()), "")
        if not title:
            raise RecordRejected(f"{what} has no title")
        descriptions = node.texts("description")
        node.record.dropped[f"{node.path}/title in another language"] += len(titles) - 1
        return title, descriptions.get(main) or next(iter(descriptions.values()), "")

    def activity(self, parsed: ParsedRecord, source: LoqElement, main: str) -> dict:
        node = Node(source.element, "learningActivitySpecification", parsed)
        title, description = self._titled(node, main, f"activity {source.id}")
        volume = node.one("volumeOfLearning")
        hours = HOURS.match((volume.text or "").strip()) if volume is not None else None
        if volume is not None and not hours:
            parsed.dropped["volumeOfLearning not in whole hours (e.g. PT1H30M)"] += 1
        types = node.uris("type")
        activity = {
            "title": title,
            "description": description,
            "activity_type": self.concept(
                Scheme.ACTIVITY_TYPE, types[0] if types else None, "activity type"
            ),
            "mode": self.concept(Scheme.MODE, node.uri("mode"), "activity mode"),
            "hours": int(hours.group(1)) if hours else None,
        }
        node.finish()
        return activity

    def assessment(self, parsed: ParsedRecord, source: LoqElement, main: str) -> dict | None:
        node = Node(source.element, "learningAssessmentSpecification", parsed)
        title, description = self._titled(node, main, f"assessment {source.id}")
        notes = node.notes()
        types = node.uris("type")
        kind = self.concept(Scheme.ASSESSMENT_TYPE, types[0] if types else None, "assessment type")
        assessment = {
            "title": title,
            "description": description,
            "assessment_type": kind,
            "mode": self.concept(Scheme.MODE, node.uri("mode"), "assessment mode"),
            "supervision": self.concept(
                Scheme.SUPERVISION, notes.pop("supervision", {}).get("en"), "supervision"
            ),
            "grading_scheme": notes.pop("grading-scheme", {}).get(main, "")[:255],
        }
        for name, texts in notes.items():
            parsed.dropped[f"{node.path}/additionalNote about {name or 'something else'}"] += len(
                texts
            )
        node.finish()
        if kind is None:
            parsed.dropped["learningAssessmentSpecification without a type"] += 1
            return None
        return assessment
