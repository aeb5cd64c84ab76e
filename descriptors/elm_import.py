"""Import of ELM LOQ documents into opportunities, through the one write path.

Each learning opportunity of a document is imported whole or not at all: it is read with the
records it refers to, every value is resolved (an unknown code rejects the record, with the
reason and its line), and the valid ones are written ``CHUNK`` at a time by
``opportunities_bulk_save``, which re-indexes and logs them in the same transaction. Reading
a record into our values is the format's business (``descriptors.formats.elm_xml_records``);
this module matches records and organisations to ours and writes them.

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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from lxml import etree

from descriptors.formats.elm_xml import ECTS, SKOS, own_pk
from descriptors.formats.elm_xml_document import DocumentRejected, LoqDocument, LoqElement
from descriptors.formats.elm_xml_nodes import (
    ParsedRecord,
    RecordRejected,
    children_named,
    first_child,
)
from descriptors.formats.elm_xml_records import LoqReader
from descriptors.models import LearningOpportunity, Organisation
from descriptors.services import (
    OpportunityWrite,
    Stored,
    editions_validate,
    opportunities_bulk_save,
    opportunities_stored,
    opportunity_validate,
    stored_edition,
)
from descriptors.text import fold
from descriptors.vocabularies import UnknownValue, Vocabularies
from taxonomies.models import Scheme

CHUNK = 200  # records written, re-indexed and logged in one transaction
CHANGE_REASON = "ELM import"

__all__ = ["CHUNK", "DocumentRejected", "ElmImportReport", "elm_import"]


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


# Where an organisation's legal identifier may be, the one we write (ELM's legalIdentifier)
# first.
LEGAL_IDENTIFIERS = ("registration", "eidasLegalIdentifier", "vatIdentifier", "taxIdentifier")


def _legal_identifier(element) -> str:
    for name in LEGAL_IDENTIFIERS:
        notation = first_child(first_child(element, name), "notation", SKOS)
        if notation is not None and (notation.text or "").strip():
            return notation.text.strip()[:100]
    return ""


class DocumentOrganisations:
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
        record = self.document.get(record_id)
        pk = own_pk("organisation", record_id)
        if pk is not None:
            organisation = self.by_pk.get(pk)
        elif record is None:
            raise RecordRejected(f"{record_id} is named but the document does not contain it")
        else:
            organisation = self._by_name(record)
            if organisation is None:
                return self._create(record) if self.create else None
        if organisation is not None and record is not None:
            self._complete(organisation, record)
        return organisation

    @staticmethod
    def _names(record: LoqElement) -> list[str]:
        return [
            (child.text or "").strip()
            for child in record.element
            if isinstance(child.tag, str)
            and etree.QName(child).localname in ("legalName", "prefLabel")
            and (child.text or "").strip()
        ]

    def _by_name(self, record: LoqElement) -> Organisation | None:
        for name in self._names(record):
            if fold(name) in self.by_name:
                return self.by_name[fold(name)]
        return None

    @staticmethod
    def _complete(organisation: Organisation, record: LoqElement) -> None:
        """Fill in a legal identifier we lack; one we have stays: a document names
        organisations that the importing one may not edit."""
        legal_identifier = _legal_identifier(record.element)
        if legal_identifier and not organisation.legal_identifier:
            organisation.legal_identifier = legal_identifier
            organisation.save(update_fields=["legal_identifier", "modified"])

    def _create(self, record: LoqElement) -> Organisation | None:
        names = self._names(record)
        if not names:
            return None
        name = names[0]
        country, city = None, ""
        for location in children_named(record.element, "location"):
            place = self.document.get(location.get("idref"))
            address = first_child(place.element, "address") if place is not None else None
            code = first_child(address, "countryCode")
            if code is not None:
                country = self._country(code.get("uri", ""), name)
                literal = first_child(first_child(address, "fullAddress"), "noteLiteral")
                city = (literal.text or "").strip()[:120] if literal is not None else ""
        if country is None:
            raise RecordRejected(f"organisation {name!r} is new here and has no country")
        homepage = first_child(first_child(record.element, "homepage"), "contentUrl")
        organisation = Organisation.objects.create(
            name=name[:255],
            country=country,
            city=city,
            website=(homepage.text or "").strip() if homepage is not None else "",
            legal_identifier=_legal_identifier(record.element),
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
        vocabularies = Vocabularies()
        organisations = DocumentOrganisations(document, vocabularies, create_organisations)
        reader = LoqReader(
            document, provider=provider, vocabularies=vocabularies, organisations=organisations
        )
        records = document.opportunities()
        while chunk := list(itertools.islice(records, CHUNK)):
            _chunk_import(reader, chunk, report)
            if progress:
                progress(len(chunk))
        report.dropped["learningOpportunity repeating an id already read"] += document.duplicates
        report.dropped = +report.dropped  # drop the zero counts
        report.organisations_created = organisations.created
        report.vocabulary_added = vocabularies.added
    return report


def _chunk_import(
    reader: LoqReader, chunk: list[list[LoqElement]], report: ElmImportReport
) -> None:
    parsed: list[ParsedRecord] = []
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
            write = _write(record, existing, seen, stored)
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


def _existing(parsed: list[ParsedRecord]) -> dict:
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
    record: ParsedRecord, existing: dict, seen: dict, stored: dict[int, Stored]
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
    editions += [stored_edition(pk, row) for pk, row in rows.items() if not row["is_published"]]
    return OpportunityWrite(opportunity, record.relations, editions=editions, **record.children)
