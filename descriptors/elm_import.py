"""Import of ELM LOQ documents into opportunities, through the one write path.

Each learning opportunity of a document is imported whole or not at all: it is read with the
records it refers to, every value is resolved (an unknown code rejects the record, with the
reason and its line), and the valid ones are written ``CHUNK`` at a time by
``opportunities_bulk_save``, which re-indexes and logs them in the same transaction.

Identity (docs/decisions/0009-one-write-path-and-elm-identity.md):

- A record whose id carries this installation's base URL is ours: matched by its primary key.
- Any other record is matched only by (its provider, its identifier): the provider's code when
  the document gives one (``identifier`` with the scheme ``provider reference``), else the
  record's id. Never by our primary keys, so another installation's ids cannot reach our rows.
- The provider is the importing organisation (an API token, ``--provider``); without one, the
  document's first ``providedBy``. A record that exists for another organisation is refused.
- Organisations a document names are matched to ours (by id if ours, else by name); only the
  command line may create missing ones, and the report lists them. Other unknown organisations
  (co-providers, awarding bodies, hosts) are reported as dropped.

What a document holds that we do not keep is counted in the report per element ("dropped"),
never lost silently. Foreign records arrive as drafts; an import never changes the status of a
record that exists.
"""

import contextlib
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from lxml import etree

from descriptors.formats.elm_xml import (
    DC,
    DESCRIPTOR,
    ECTS,
    LOQ,
    PROVIDER_REFERENCE_SCHEME,
    DocumentRejected,
    LoqDocument,
    LoqElement,
    own_page,
    own_pk,
    xsd_duration,
)
from descriptors.models import Edition, LearningOpportunity, Organisation
from descriptors.services import (
    CHILD_FIELDS,
    OpportunityWrite,
    Stored,
    editions_validate,
    opportunities_bulk_save,
    opportunities_stored,
    opportunity_validate,
)
from descriptors.text import fold
from descriptors.vocabularies import UnknownValue, Vocabularies
from taxonomies.models import Scheme

CHUNK = 200  # records written, re-indexed and logged in one transaction
CHANGE_REASON = "ELM import"
NUTS = "http://data.europa.eu/nuts/code/"
NUTS_COUNTRIES = {"EL": "GRC", "UK": "GBR"}  # where NUTS and ISO 3166 differ
HOURS = re.compile(r"^PT(\d+)H(?:0M)?$")
MAX_REFERENCE = LearningOpportunity._meta.get_field("provider_reference").max_length
MAX_EDITION_REFERENCE = Edition._meta.get_field("reference").max_length
SKOS = "http://www.w3.org/2004/02/skos/core#"
# What every learning opportunity of a micro-credential repeats: read from the first.
SHARED_ELEMENTS = (
    "title",
    "description",
    "type",
    "admissionProcedure",
    "providedBy",
    "location",
    "learningAchievementSpecification",
    "defaultLanguage",
    "modified",
)
SHARED_NOTES = (None, "hosted-by", "published", "admission-procedure", "location")

__all__ = ["CHUNK", "DocumentRejected", "ElmImportReport", "elm_import"]


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
class ElmImportReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: list[LoqRejection] = field(default_factory=list)
    # What the imported records held that we do not keep: description -> how many times.
    dropped: Counter = field(default_factory=Counter)
    organisations_created: list[str] = field(default_factory=list)
    vocabulary_added: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )

    def notes(self) -> list[str]:
        """Everything besides the counts a person should read, one line each."""
        lines = [f"dropped: {what} x {count:,}" for what, count in sorted(self.dropped.items())]
        lines += [f"organisation created: {name}" for name in self.organisations_created]
        lines += [
            f"vocabulary value added from the ELM code lists: {value}"
            for value in self.vocabulary_added
        ]
        return lines

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [
                {"record": r.record, "line": r.line, "reason": r.reason} for r in self.rejected
            ],
            "dropped": dict(sorted(self.dropped.items())),
            "organisations_created": self.organisations_created,
            "vocabulary_added": self.vocabulary_added,
        }


class _Node:
    """An element of a record, noting which children were read: the rest is reported dropped."""

    def __init__(self, element, path: str, record: "_Parsed"):
        self.element, self.path, self.record = element, path, record
        self.used: set[str] = set()
        self.children: dict[str, list] = {}
        for child in element:
            if isinstance(child.tag, str):
                self.children.setdefault(_localname(child), []).append(child)

    def all(self, name: str) -> list:
        self.used.add(name)
        return self.children.get(name, [])

    def one(self, name: str):
        found = self.all(name)
        if len(found) > 1:
            self.record.dropped[f"{self.path}/{name} after the first"] += len(found) - 1
        return found[0] if found else None

    def texts(self, name: str) -> dict[str, str]:
        texts = {}
        for child in self.all(name):
            text = (child.text or "").strip()
            if text:
                texts.setdefault(child.get("language", ""), text)
        return texts

    def uri(self, name: str) -> str | None:
        element = self.one(name)
        return element.get("uri") if element is not None else None

    def uris(self, name: str) -> list[str]:
        return [child.get("uri") for child in self.all(name) if child.get("uri")]

    def note(self, name: str) -> str:
        note = self.one(name)
        literal = _first(note, "noteLiteral") if note is not None else None
        return (literal.text or "").strip() if literal is not None else ""

    def notes(self) -> dict[str | None, dict[str, str]]:
        """``additionalNote`` texts by descriptor (None: a plain note) and language."""
        notes: dict[str | None, dict[str, str]] = {}
        for note in self.all("additionalNote"):
            literal = _first(note, "noteLiteral")
            text = (literal.text or "").strip() if literal is not None else ""
            if not text:
                continue
            subject = _first(note, "subject", DC)
            uri = subject.get("uri", "") if subject is not None else ""
            name = uri.removeprefix(DESCRIPTOR) if uri.startswith(DESCRIPTOR) else None
            by_language = notes.setdefault(name, {})
            language = literal.get("language", "")
            # Several plain notes in one language (another system's) are kept together.
            by_language[language] = (
                f"{by_language[language]}\n\n{text}" if language in by_language else text
            )
        return notes

    def finish(self) -> None:
        for name, children in self.children.items():
            if name not in self.used:
                self.record.dropped[f"{self.path}/{name}"] += len(children)


def _provider_reference(node: _Node) -> str:
    """The provider's own code for a record: its identifier in the "provider reference"
    scheme."""
    for identifier in node.all("identifier"):
        scheme = _first(identifier, "schemeName")
        notation = _first(identifier, "notation", SKOS)
        if scheme is not None and (scheme.text or "").strip() == PROVIDER_REFERENCE_SCHEME:
            return (notation.text or "").strip() if notation is not None else ""
    return ""


def _localname(element) -> str:
    return element.tag.rpartition("}")[2]


def _first(element, name: str, namespace: str = LOQ):
    return element.find(f"{{{namespace}}}{name}") if element is not None else None


def _date(text: str | None, what: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()[:10]).date()
    except ValueError as error:
        raise RecordRejected(f"{what} {text.strip()!r} is not a date") from error


def _decimal(text: str | None, what: str) -> Decimal | None:
    try:
        number = Decimal((text or "").strip())
    except InvalidOperation as error:
        raise RecordRejected(f"{what} {text!r} is not a number") from error
    if not number.is_finite() or number < 0:
        raise RecordRejected(f"{what} {text!r} is not a positive number")
    return number


@dataclass
class _Parsed:
    """One record as the document gives it, resolved to our values."""

    source: LoqElement
    values: dict = field(default_factory=dict)
    relations: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    providers: list = field(default_factory=list)
    own: int | None = None  # our primary key, when the id is ours
    reference: str = ""
    published: bool = False  # the document gives a publication date
    editions: list = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)


class _Organisations:
    """Organisations a document names, matched to ours (by our id, else by name)."""

    def __init__(self, document: LoqDocument, vocabularies: Vocabularies, create: bool):
        self.document, self.vocabularies, self.create = document, vocabularies, create
        self.by_name: dict[str, Organisation] = {}
        self.by_pk: dict[int, Organisation] = {}
        for organisation in Organisation.objects.all():
            self.by_pk[organisation.pk] = organisation
            for name in (organisation.name, organisation.legal_name):
                if name:
                    self.by_name.setdefault(fold(name), organisation)
        self.resolved: dict[str, Organisation | None] = {}
        self.created: list[str] = []

    def get(self, record_id: str) -> Organisation | None:
        """Ours, or None when it is not in this catalogue and may not be created."""
        if record_id not in self.resolved:
            self.resolved[record_id] = self._resolve(record_id)
        return self.resolved[record_id]

    def _resolve(self, record_id: str) -> Organisation | None:
        pk = own_pk("organisation", record_id)
        if pk is not None:
            return self.by_pk.get(pk)
        record = self.document.get(record_id)
        if record is None:
            raise RecordRejected(f"{record_id} is named but the document does not contain it")
        element = record.element
        names = [
            (child.text or "").strip()
            for child in element
            if isinstance(child.tag, str)
            and etree.QName(child).localname in ("legalName", "prefLabel")
            and (child.text or "").strip()
        ]
        for name in names:
            if fold(name) in self.by_name:
                return self.by_name[fold(name)]
        if not self.create or not names:
            return None
        return self._create(record, names[0])

    def _create(self, record: LoqElement, name: str) -> Organisation:
        country, city = None, ""
        for location in _children_named(record.element, "location"):
            place = self.document.get(location.get("idref"))
            address = _first(place.element, "address") if place is not None else None
            code = _first(address, "countryCode")
            if code is not None:
                country = self._country(code.get("uri", ""), name)
                literal = _first(_first(address, "fullAddress"), "noteLiteral")
                city = (literal.text or "").strip()[:120] if literal is not None else ""
        if country is None:
            raise RecordRejected(f"organisation {name!r} is new here and has no country")
        homepage = _first(_first(record.element, "homepage"), "contentUrl")
        organisation = Organisation.objects.create(
            name=name[:255],
            country=country,
            city=city,
            website=(homepage.text or "").strip() if homepage is not None else "",
            provider_type=self.vocabularies.concept(Scheme.PROVIDER_TYPE, "other"),
        )
        self.by_name[fold(name)] = self.by_pk[organisation.pk] = organisation
        self.created.append(organisation.name)
        return organisation

    def _country(self, uri: str, name: str):
        try:
            return self.vocabularies.concept(Scheme.COUNTRY, uri)
        except UnknownValue as error:
            raise RecordRejected(f"organisation {name!r}: country {error}") from error


def _children_named(element, name: str) -> list:
    return [
        child
        for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname == name
    ]


class _Reader:
    """Turns a document's learning opportunities into writes."""

    def __init__(self, document: LoqDocument, *, provider, create_organisations: bool):
        self.document = document
        self.provider = provider
        self.vocabularies = Vocabularies()
        self.organisations = _Organisations(document, self.vocabularies, create_organisations)

    def concept(self, scheme: str, uri: str | None, what: str):
        if not uri:
            return None
        try:
            return self.vocabularies.concept(scheme, uri)
        except UnknownValue as error:
            raise RecordRejected(f"{what}: {error}") from error

    def referenced(self, node: _Node, name: str) -> list[LoqElement]:
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

    def organisation_list(self, parsed: _Parsed, ids: list[str], what: str) -> list[Organisation]:
        found = []
        for record_id in ids:
            organisation = self.organisations.get(record_id)
            if organisation is None:
                parsed.dropped[f"{what} not in this catalogue"] += 1
            elif organisation not in found:
                found.append(organisation)
        return found

    def parse(self, group: list[LoqElement]) -> _Parsed:
        """A micro-credential: the learning opportunities that share one achievement
        specification, each an edition. The first gives what they share (title, providers,
        place, ...); each gives its edition's dates, price, places."""
        source = group[0]
        parsed = _Parsed(source)
        node = _Node(source.element, "learningOpportunity", parsed)
        default_language = self.concept(
            Scheme.LANGUAGE, node.uri("defaultLanguage"), "defaultLanguage"
        )
        if default_language is None:
            raise RecordRejected("defaultLanguage is missing")
        default = default_language.short_code or default_language.code
        document_providers = [reference.get("idref") for reference in node.all("providedBy")]
        doc_providers = [self.organisations.get(record_id) for record_id in document_providers]
        if self.provider is not None:
            providers = [self.provider] + [p for p in doc_providers if p and p != self.provider]
            parsed.dropped["providedBy not in this catalogue"] += doc_providers.count(None)
        else:
            if not doc_providers:
                raise RecordRejected("providedBy is missing")
            if doc_providers[0] is None:
                raise RecordRejected(
                    f"its provider {document_providers[0]} is not in this catalogue: create the "
                    "organisation first, or import as a provider (--provider)"
                )
            providers = list(dict.fromkeys(p for p in doc_providers if p))
            parsed.dropped["providedBy not in this catalogue"] += doc_providers.count(None)
        parsed.providers = providers

        titles = node.texts("title")
        if not titles:
            raise RecordRejected("title is missing")
        main = default if default in titles else next(iter(titles))
        descriptions = node.texts("description")
        notes = node.notes()
        values = parsed.values
        values["title"] = titles[main]
        values["description"] = descriptions.get(main, "")
        values["default_language"] = default_language
        types = node.uris("type")
        values["opportunity_type"] = self.concept(
            Scheme.LEARNING_OPPORTUNITY_TYPE, types[0] if types else None, "type"
        )
        parsed.dropped["learningOpportunity/type after the first"] += max(len(types) - 1, 0)
        values["admission_procedure"] = node.note("admissionProcedure")
        plain = notes.pop(None, {})
        values["further_information"] = plain.pop(main, "")
        hosts = list(notes.pop("hosted-by", {}).values())
        hosted = self.organisation_list(parsed, hosts[:1], "hosted-by organisation")
        values["hosted_by"] = hosted[0] if hosted else None
        parsed.published = bool(notes.pop("published", None))
        admissions = notes.pop("admission-procedure", {})
        self.locations(parsed, node, main, notes.pop("location", {}).get(main, ""))

        specifications = self.referenced(node, "learningAchievementSpecification")
        if len(specifications) != 1:
            raise RecordRejected("exactly one learningAchievementSpecification is required")
        parsed.own = own_pk("specification", specifications[0].id)
        node.all("modified")  # the source's; ours is when we change the record
        entry_requirements = self.specification(parsed, specifications[0], main)
        parsed.reference = parsed.reference or ("" if parsed.own else specifications[0].id)
        if len(parsed.reference) > MAX_REFERENCE:
            raise RecordRejected(
                f"its identifier is longer than {MAX_REFERENCE} characters; give a shorter one "
                f"as identifier/notation with schemeName '{PROVIDER_REFERENCE_SCHEME}'"
            )
        parsed.relations["co_providers"] = providers[1:]
        parsed.editions = [
            edition
            for offering in self.offerings(parsed, group, node, notes)
            if (edition := self.edition(parsed, *offering, main)) is not None
        ]
        self.translations(
            parsed,
            main,
            titles=titles,
            description=descriptions,
            further_information=plain,
            admission_procedure=admissions,
            entry_requirements=entry_requirements,
        )
        return parsed

    def offerings(self, parsed: _Parsed, group: list[LoqElement], first: _Node, notes: dict):
        """Each learning opportunity of the group with its node and its notes; the others'
        copies of what the first gave are read as the same."""
        yield group[0], first, notes
        for offering in group[1:]:
            node = _Node(offering.element, "learningOpportunity", parsed)
            for name in SHARED_ELEMENTS:
                node.all(name)
            offering_notes = node.notes()
            for name in SHARED_NOTES:
                offering_notes.pop(name, None)
            yield offering, node, offering_notes

    def edition(
        self, parsed: _Parsed, source: LoqElement, node: _Node, notes: dict, main: str
    ) -> dict | None:
        """The edition a learning opportunity offers; None for our own micro-credential
        offered without one."""
        edition: dict = {"is_published": True}
        own = own_pk("edition", source.id)
        if own is not None:
            edition["id"] = own
        reference = _provider_reference(node)
        # Our exports qualify an edition's code with its micro-credential's (edition_notation).
        if parsed.reference:
            reference = reference.removeprefix(f"{parsed.reference}/")
        if not reference and own is None:
            reference = source.id
        if len(reference) > MAX_EDITION_REFERENCE:
            raise RecordRejected(
                f"edition {source.id}: its identifier is longer than {MAX_EDITION_REFERENCE} "
                f"characters; give a shorter one as identifier/notation with schemeName "
                f"'{PROVIDER_REFERENCE_SCHEME}'"
            )
        edition["reference"] = reference
        homepage = _first(node.one("homepage"), "contentUrl")
        url = (homepage.text or "").strip() if homepage is not None else ""
        if not parsed.values["homepage"] and not parsed.own:
            parsed.values["homepage"] = url  # another system's: the first page is the course's
        shared = (parsed.values["homepage"], own_page(parsed.own) if parsed.own else None)
        edition["homepage"] = "" if url in shared else url
        temporal = node.one("temporal")
        start = _first(temporal, "startDate")
        end = _first(temporal, "endDate")
        edition["start_date"] = _date(start.text if start is not None else None, "startDate")
        edition["end_date"] = _date(end.text if end is not None else None, "endDate")
        duration = node.one("duration")
        edition["duration"] = (duration.text or "").strip() if duration is not None else ""
        as_given = notes.pop("duration", {}).get("en", "")
        if as_given and xsd_duration(as_given) == edition["duration"]:
            edition["duration"] = as_given  # weeks, which xs:duration cannot say
        edition["learning_schedule"] = self.concept(
            Scheme.LEARNING_SCHEDULE, node.uri("learningSchedule"), "learningSchedule"
        )
        edition["schedule_information"] = node.note("scheduleInformation")
        deadline = node.one("applicationDeadline")
        edition["application_deadline"] = _date(
            deadline.text if deadline is not None else None, "applicationDeadline"
        )
        edition.update(self.prices(node.all("priceDetail"), main))
        edition["any_start_date"] = notes.pop("any-start-date", {}).get("en") == "true"
        places = notes.pop("places", {}).get("en", "")
        edition["places"] = int(places) if places.isdigit() else None
        edition["location"] = notes.pop("edition-location", {}).get(main, "")[:255]
        edition["languages"] = [
            self.concept(Scheme.LANGUAGE, uri, "edition language")
            for uri in notes.pop("edition-languages", {}).get("en", "").split()
        ]
        modes = [self.concept(Scheme.MODE, uri, "mode") for uri in node.uris("mode")]
        if not parsed.relations["modes"]:
            parsed.relations["modes"] = modes  # another system's, given per opportunity only
        edition["modes"] = modes if set(modes) != set(parsed.relations["modes"]) else []
        status_element = node.one("status")
        status = (status_element.text or "").strip() if status_element is not None else ""
        edition["status"] = (
            status
            if status in Edition.Status.values
            else Edition.status_for_dates(
                edition["start_date"], edition["end_date"], timezone.localdate()
            )
        )
        for name, texts in notes.items():
            parsed.dropped[f"learningOpportunity/additionalNote about {name}"] += len(texts)
        node.finish()
        if own is None and own_pk("opportunity", source.id) is not None:
            return None  # our micro-credential without a published edition
        return edition

    def prices(self, prices: list, language: str) -> dict:
        """One price is the edition's fee; several (a free audit track and a paid certificate)
        keep the lowest paid one as the fee and all of them, with their labels, in the fee
        details."""
        values = {}
        found = []
        for price in prices:
            amount = _first(price, "amount")
            value = _first(amount, "value")
            unit = _first(amount, "unit")
            number = _decimal(value.text, "priceDetail amount") if value is not None else None
            currency = None
            if number:
                currency = self.concept(
                    Scheme.CURRENCY,
                    unit.get("uri") if unit is not None else None,
                    "priceDetail unit",
                )
                if currency is None:
                    raise RecordRejected("priceDetail has an amount without a currency")
            labels = {
                child.get("language", ""): (child.text or "").strip()
                for child in price
                if isinstance(child.tag, str) and etree.QName(child).localname == "prefLabel"
            }
            label = labels.get(language) or next(iter(labels.values()), "")
            found.append((number, currency, label))
        paid = sorted((item for item in found if item[0]), key=lambda item: item[0])
        values["is_free"] = bool(found) and not paid and any(item[0] == 0 for item in found)
        values["fee_amount"] = paid[0][0] if paid else None
        values["currency"] = paid[0][1] if paid else None
        if len(found) > 1:
            values["fee_note"] = "; ".join(
                " ".join(
                    part
                    for part in (
                        label,
                        f"{number:.2f} {currency.code}"
                        if currency
                        else ("free" if number == 0 else ""),
                    )
                    if part
                )
                for number, currency, label in found
            )[:255]
        else:
            values["fee_note"] = found[0][2][:255] if found else ""
        return values

    def locations(self, parsed: _Parsed, node: _Node, language: str, place: str) -> None:
        names, countries = [place] if place else [], []
        for place in self.referenced(node, "location"):
            location = _Node(place.element, "location", parsed)
            geographic = location.texts("geographicName")
            if geographic:
                names.append(geographic.get(language) or next(iter(geographic.values())))
            for uri in location.uris("spatialCode"):
                if uri.startswith(NUTS):
                    # A region: what we keep is its country (its first two letters).
                    region = uri.removeprefix(NUTS)
                    uri = NUTS_COUNTRIES.get(region[:2], region[:2])
                    parsed.dropped["location spatialCode region (its country is kept)"] += 1
                countries.append(self.concept(Scheme.COUNTRY, uri, "location spatialCode"))
            for address in location.all("address"):
                code = _first(address, "countryCode")
                if code is not None:
                    countries.append(self.concept(Scheme.COUNTRY, code.get("uri"), "countryCode"))
                literal = _first(_first(address, "fullAddress"), "noteLiteral")
                if literal is not None and (literal.text or "").strip():
                    names.append(literal.text.strip())
            location.all("identifier")
            location.finish()
        parsed.values["location"] = "; ".join(dict.fromkeys(names))[:255]
        parsed.relations["countries"] = list(dict.fromkeys(countries))

    def specification(self, parsed: _Parsed, source: LoqElement, main: str) -> dict:
        """Reads the achievement specification into ``parsed``; returns the entry requirements
        in other languages."""
        node = _Node(source.element, etree.QName(source.element).localname, parsed)
        values, relations = parsed.values, parsed.relations
        node.all("title")  # the opportunity's titles again
        node.all("status")  # the source's; ours stays (new records arrive as drafts)
        parsed.reference = _provider_reference(node)
        homepage = _first(node.one("homepage"), "contentUrl")
        values["homepage"] = (homepage.text or "").strip() if homepage is not None else ""
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
        point = _first(credit, "point")
        framework = _first(credit, "framework")
        values["ects_credits"] = _decimal(point.text, "creditPoint") if point is not None else None
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
                reference.get("idref") for reference in _children_named(awarding, "awardingBody")
            ]
        relations["awarding_bodies"] = self.organisation_list(parsed, bodies, "awarding body")
        node.finish()
        return entry_requirements

    def outcome(self, parsed: _Parsed, source: LoqElement, main: str) -> dict:
        node = _Node(source.element, "learningOutcome", parsed)
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

    def _titled(self, node: _Node, main: str, what: str) -> tuple[str, str]:
        titles = node.texts("title")
        title = titles.get(main) or next(iter(titles.values()), "")
        if not title:
            raise RecordRejected(f"{what} has no title")
        descriptions = node.texts("description")
        node.record.dropped[f"{node.path}/title in another language"] += len(titles) - 1
        return title, descriptions.get(main) or next(iter(descriptions.values()), "")

    def activity(self, parsed: _Parsed, source: LoqElement, main: str) -> dict:
        node = _Node(source.element, "learningActivitySpecification", parsed)
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

    def assessment(self, parsed: _Parsed, source: LoqElement, main: str) -> dict | None:
        node = _Node(source.element, "learningAssessmentSpecification", parsed)
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

    def translations(self, parsed: _Parsed, main: str, **texts: dict[str, str]) -> None:
        languages = dict.fromkeys(
            language for by_language in texts.values() for language in by_language
        )
        translations = []
        for code in languages:
            if code == main:
                continue
            try:
                language = self.vocabularies.concept(Scheme.LANGUAGE, code)
            except UnknownValue:
                parsed.dropped[f"texts in the language '{code}', which is not loaded"] += 1
                continue
            if language == parsed.values["default_language"]:
                continue
            translation = {name: by_language.get(code, "") for name, by_language in texts.items()}
            if not translation.pop("titles"):
                parsed.dropped["texts in another language without a title in it"] += 1
                continue
            translations.append(
                {"language": language, "title": texts["titles"][code]} | translation
            )
        parsed.children["translations"] = translations


def elm_import(
    source,
    *,
    provider: Organisation | None = None,
    create_organisations: bool = False,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> ElmImportReport:
    """Import every learning opportunity of a LOQ document; see the module docstring.

    ``source`` is bytes, a path, a binary file or a ``LoqDocument`` already read. ``total``
    is told how many records the document holds once it is read; ``progress`` the number of
    records done after each chunk.
    Raises ``DocumentRejected`` when the document cannot be read at all.
    """
    report = ElmImportReport()
    document = source if isinstance(source, LoqDocument) else LoqDocument(source)
    with contextlib.closing(document) if document is not source else contextlib.nullcontext():
        if total:
            total(document.opportunity_count)
        reader = _Reader(document, provider=provider, create_organisations=create_organisations)
        records = document.opportunities()
        while chunk := list(itertools.islice(records, CHUNK)):
            _chunk_import(reader, chunk, report)
            if progress:
                progress(len(chunk))
        report.dropped["learningOpportunity repeating an id already read"] += document.duplicates
        report.dropped = +report.dropped  # drop the zero counts
        report.organisations_created = reader.organisations.created
        report.vocabulary_added = reader.vocabularies.added
    return report


def _chunk_import(reader: _Reader, chunk: list[list[LoqElement]], report: ElmImportReport) -> None:
    parsed: list[_Parsed] = []
    for group in chunk:
        try:
            parsed.append(reader.parse(group))
        except (RecordRejected, ValidationError) as error:
            report.rejected.append(LoqRejection(group[0].id, group[0].line, _reason(error)))
    existing = _existing(parsed)
    stored = opportunities_stored(record.pk for record in existing.values())
    writes, seen = [], {}
    for record in parsed:
        try:
            write = _write(reader, record, existing, seen, stored)
        except (RecordRejected, ValidationError) as error:
            report.rejected.append(
                LoqRejection(record.source.id, record.source.line, _reason(error))
            )
            continue
        writes.append((record, write))
    try:
        opportunities_bulk_save(
            writes=[write for _, write in writes], change_reason=CHANGE_REASON, stored=stored
        )
        done = writes
    except DatabaseError:
        # Another writer took an identifier since the chunk was read: one by one, to find it.
        done = []
        for record, write in writes:
            if write.action == "created":
                write.opportunity.pk, write.opportunity._state.adding = None, True
            try:
                opportunities_bulk_save(writes=[write], change_reason=CHANGE_REASON)
            except DatabaseError as error:
                report.rejected.append(
                    LoqRejection(
                        record.source.id, record.source.line, f"the database refused it: {error}"
                    )
                )
            else:
                done.append((record, write))
    for record, write in done:
        getattr(report, write.action).append(write.opportunity.pk)
        report.dropped.update(record.dropped)


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _existing(parsed: list[_Parsed]) -> dict:
    """The stored records the chunk's records are: ours by primary key, others by (provider,
    identifier)."""
    own = {record.own for record in parsed if record.own is not None}
    found = {
        ("pk", opportunity.pk): opportunity
        for opportunity in LearningOpportunity.objects.filter(pk__in=own)
    }
    references = {record.reference for record in parsed if record.reference}
    providers = {record.providers[0].pk for record in parsed}
    for opportunity in LearningOpportunity.objects.filter(
        provider_id__in=providers, provider_reference__in=references
    ):
        found[("reference", opportunity.provider_id, opportunity.provider_reference)] = opportunity
    return found


def _write(
    reader: _Reader, record: _Parsed, existing: dict, seen: dict, stored: dict[int, Stored]
) -> OpportunityWrite:
    provider = record.providers[0]
    opportunity = None
    if record.own is not None:
        opportunity = existing.get(("pk", record.own))
        if opportunity is not None and opportunity.provider_id != provider.pk:
            raise RecordRejected("this opportunity belongs to another organisation")
    if opportunity is None and record.reference:
        opportunity = existing.get(("reference", provider.pk, record.reference))
    identity = opportunity.pk if opportunity is not None else (provider.pk, record.reference)
    if identity in seen:
        raise RecordRejected(f"the document already holds this record (line {seen[identity]})")
    seen[identity] = record.source.line
    if opportunity is None:
        opportunity = LearningOpportunity(
            provider=provider, status=LearningOpportunity.Status.DRAFT
        )
        if record.published:
            record.dropped["publication date of a record that arrives as a draft"] += 1
    record.values["provider_reference"] = record.reference
    # Credits without a credit system are ECTS (the model's rule), which the export states:
    # the same credits in ECTS change nothing.
    credit_system = record.values["credit_system"]
    if opportunity.pk and opportunity.credit_system_id is None and credit_system is not None:
        record.values["credit_system"] = None if credit_system.uri == ECTS else credit_system
    for name, value in record.values.items():
        setattr(opportunity, name, value)
    opportunity_validate(
        opportunity=opportunity, relations=record.relations, references_resolved=True
    )
    rows = dict(stored[opportunity.pk].children["editions"]) if opportunity.pk in stored else {}
    # An id of ours only for an edition of this record.
    editions = [
        edition if edition.get("id") in rows else {k: v for k, v in edition.items() if k != "id"}
        for edition in record.editions
    ]
    editions = editions_validate(opportunity=opportunity, editions=editions)
    # A document has only published editions: the unpublished ones stay as they are.
    editions += [
        {"id": pk, **{field.name: row[field.attname] for field in CHILD_FIELDS["editions"]}}
        | {"modes": row["modes"], "languages": row["languages"]}
        for pk, row in rows.items()
        if not row["is_published"]
    ]
    return OpportunityWrite(opportunity, record.relations, editions=editions, **record.children)
