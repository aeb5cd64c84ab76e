"""Reading a LOQ document's learning opportunities into our values: ``LoqReader.parse`` turns
the learning opportunities that share one achievement specification into one micro-credential
(a ``ParsedRecord``) with an edition per opportunity; what the specification says is read by
``SpecificationReader``."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from descriptors.formats.elm_xml import (
    NUTS,
    PROVIDER_REFERENCE_SCHEME,
    own_page,
    own_pk,
    xsd_duration,
)
from descriptors.formats.elm_xml_document import LoqElement
from descriptors.formats.elm_xml_nodes import (
    Node,
    ParsedRecord,
    RecordRejected,
    first_child,
    provider_reference,
    read_date,
    read_decimal,
)
from descriptors.formats.elm_xml_specifications import SpecificationReader
from descriptors.models import Edition, LearningOpportunity, Organisation
from descriptors.services import grant_validate
from descriptors.vocabularies import UnknownValue
from taxonomies.models import Scheme

NUTS_COUNTRIES = {"EL": "GRC", "UK": "GBR"}  # where NUTS and ISO 3166 differ
MAX_REFERENCE = LearningOpportunity._meta.get_field("provider_reference").max_length
MAX_EDITION_REFERENCE = Edition._meta.get_field("reference").max_length
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
    "publisher",
)
SHARED_NOTES = (None, "hosted-by", "published", "admission-procedure", "location")


class LoqReader(SpecificationReader):
    """Turns a document's learning opportunities into micro-credentials with their editions."""

    def parse(self, group: list[LoqElement]) -> ParsedRecord:
        """A micro-credential: the learning opportunities that share one achievement
        specification, each an edition. The first gives what they share (title, providers,
        place, ...); each gives its edition's dates, price, places."""
        source = group[0]
        parsed = ParsedRecord(source)
        node = Node(source.element, "learningOpportunity", parsed)
        default_language = self.concept(
            Scheme.LANGUAGE, node.uri("defaultLanguage"), "defaultLanguage"
        )
        if default_language is None:
            raise RecordRejected("defaultLanguage is missing")
        default = default_language.short_code or default_language.code
        parsed.providers = self.providers(parsed, node)

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

        entry_requirements = self.own_specification(parsed, node, main)
        parsed.relations["co_providers"] = parsed.providers[1:]
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

    def providers(self, parsed: ParsedRecord, node: Node) -> list[Organisation]:
        """Who provides it, the provider first: the importing organisation when there is one,
        else the document's first ``providedBy``."""
        document_providers = [reference.get("idref") for reference in node.all("providedBy")]
        doc_providers = [self.organisations.get(record_id) for record_id in document_providers]
        if self.provider is not None:
            providers = [self.provider] + [p for p in doc_providers if p and p != self.provider]
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
        # A record's publisher here is its provider: another one is not kept.
        parsed.dropped["learningOpportunity/publisher"] += sum(
            reference.get("idref") not in document_providers[:1]
            for reference in node.all("publisher")
        )
        return providers

    def own_specification(self, parsed: ParsedRecord, node: Node, main: str) -> dict:
        """Reads the one achievement specification the opportunity names, and with it the
        record's identity (ours, or the provider's code); returns the entry requirements in
        other languages."""
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
        return entry_requirements

    def offerings(self, parsed: ParsedRecord, group: list[LoqElement], first: Node, notes: dict):
        """Each learning opportunity of the group with its node and its notes; the others'
        copies of what the first gave are read as the same."""
        yield group[0], first, notes
        for offering in group[1:]:
            node = Node(offering.element, "learningOpportunity", parsed)
            for name in SHARED_ELEMENTS:
                node.all(name)
            offering_notes = node.notes()
            for name in SHARED_NOTES:
                offering_notes.pop(name, None)
            yield offering, node, offering_notes

    def edition(
        self, parsed: ParsedRecord, source: LoqElement, node: Node, notes: dict, main: str
    ) -> dict | None:
        """The edition a learning opportunity offers; None for our own micro-credential
        offered without one."""
        edition: dict = {"is_published": True}
        own = own_pk("edition", source.id)
        if own is not None:
            edition["id"] = own
        edition["reference"] = _edition_reference(parsed, source, node, own)
        homepage = first_child(node.one("homepage"), "contentUrl")
        url = (homepage.text or "").strip() if homepage is not None else ""
        if not parsed.values["homepage"] and not parsed.own:
            parsed.values["homepage"] = url  # another system's: the first page is the course's
        shared = (parsed.values["homepage"], own_page(parsed.own) if parsed.own else None)
        edition["homepage"] = "" if url in shared else url
        edition.update(self.schedule(node, notes))
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
        self.grants(parsed, node, main)
        for name, texts in notes.items():
            parsed.dropped[f"learningOpportunity/additionalNote about {name}"] += len(texts)
        node.finish()
        if own is None and own_pk("opportunity", source.id) is not None:
            return None  # our micro-credential without a published edition
        return edition

    def grants(self, parsed: ParsedRecord, node: Node, main: str) -> None:
        """Adds the grants a learning opportunity gives to its micro-credential's, each once:
        ours repeat them in every edition, another system's may give one in one run only."""
        grants = parsed.children.setdefault("grants", [])
        for element in node.all("grant"):
            grant = self.grant(parsed, element, main)
            if grant not in grants:
                grants.append(grant)

    def grant(self, parsed: ParsedRecord, element, main: str) -> dict:
        """A grant with its first web page (a supplementaryDocument, else its contentUrl) as its
        homepage, checked as the model checks it: a title too long or a page that is no web
        address rejects the record with the reason, as an edition's would."""
        node = Node(element, "learningOpportunity/grant", parsed)
        title, description = self._titled(node, main, "a grant")
        urls = [first_child(page, "contentUrl") for page in node.all("supplementaryDocument")]
        urls += node.all("contentUrl")
        pages = [url.text.strip() for url in urls if url is not None and (url.text or "").strip()]
        parsed.dropped[f"{node.path}/web page after the first"] += max(len(pages) - 1, 0)
        node.finish()
        grant = {"title": title, "description": description, "homepage": pages[0] if pages else ""}
        try:
            grant_validate(grant)
        except ValidationError as error:
            raise RecordRejected(error.messages[0]) from error
        return grant

    def schedule(self, node: Node, notes: dict) -> dict:
        """An edition's dates, duration and schedule."""
        edition = {}
        temporal = node.one("temporal")
        start = first_child(temporal, "startDate")
        end = first_child(temporal, "endDate")
        edition["start_date"] = read_date(start.text if start is not None else None, "startDate")
        edition["end_date"] = read_date(end.text if end is not None else None, "endDate")
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
        edition["application_deadline"] = read_date(
            deadline.text if deadline is not None else None, "applicationDeadline"
        )
        return edition

    def prices(self, prices: list, language: str) -> dict:
        """One price is the edition's fee; several (a free audit track and a paid certificate)
        keep the lowest paid one as the fee and all of them, with their labels, in the fee
        details."""
        values = {}
        found = []
        for price in prices:
            amount = first_child(price, "amount")
            value = first_child(amount, "value")
            unit = first_child(amount, "unit")
            number = read_decimal(value.text, "priceDetail amount") if value is not None else None
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

    def locations(self, parsed: ParsedRecord, node: Node, language: str, place: str) -> None:
        names, countries, regions = [place] if place else [], [], []
        for place in self.referenced(node, "location"):
            location = Node(place.element, "location", parsed)
            geographic = location.texts("geographicName")
            if geographic:
                names.append(geographic.get(language) or next(iter(geographic.values())))
            for uri in location.uris("spatialCode"):
                if uri.startswith(NUTS):
                    regions.append(self.concept(Scheme.NUTS, uri, "location spatialCode"))
                    # A region is in its country (its first two letters), even where the
                    # document gives the region alone.
                    code = uri.removeprefix(NUTS)
                    uri = NUTS_COUNTRIES.get(code[:2], code[:2])
                countries.append(self.concept(Scheme.COUNTRY, uri, "location spatialCode"))
            for address in location.all("address"):
                code = first_child(address, "countryCode")
                if code is not None:
                    countries.append(self.concept(Scheme.COUNTRY, code.get("uri"), "countryCode"))
                literal = first_child(first_child(address, "fullAddress"), "noteLiteral")
                if literal is not None and (literal.text or "").strip():
                    names.append(literal.text.strip())
            location.all("identifier")
            location.finish()
        parsed.values["location"] = "; ".join(dict.fromkeys(names))[:255]
        parsed.relations["countries"] = list(dict.fromkeys(countries))
        regions = list(dict.fromkeys(regions))
        parsed.values["region"] = regions[0] if regions else None
        parsed.dropped["location spatialCode region after the first"] += max(len(regions) - 1, 0)

    def translations(self, parsed: ParsedRecord, main: str, **texts: dict[str, str]) -> None:
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


def _edition_reference(
    parsed: ParsedRecord, source: LoqElement, node: Node, own: int | None
) -> str:
    """An edition's code: the provider's, else (another system's edition) its id."""
    reference = provider_reference(node)
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
    return reference
