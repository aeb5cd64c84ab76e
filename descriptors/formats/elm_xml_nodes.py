"""The pieces of a LOQ record the ELM import reads with: ``Node`` (an element that notes which
children were read, so that the rest is reported as dropped), ``ParsedRecord`` (one record
resolved to our values), ``RecordRejected`` and small element readers."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from descriptors.formats.elm_xml import (
    DC,
    DESCRIPTOR,
    LOQ,
    PROVIDER_REFERENCE_SCHEME,
    SKOS,
)
from descriptors.formats.elm_xml_document import LoqElement


class RecordRejected(ValueError):
    """A learning opportunity that cannot be imported; the message says why."""


class Node:
    """An element of a record, noting which children were read: the rest is reported dropped."""

    def __init__(self, element, path: str, record: "ParsedRecord"):
        self.element, self.path, self.record = element, path, record
        self.used: set[str] = set()
        self.children: dict[str, list] = {}
        for child in element:
            if isinstance(child.tag, str):
                self.children.setdefault(localname(child), []).append(child)

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
        literal = first_child(note, "noteLiteral") if note is not None else None
        return (literal.text or "").strip() if literal is not None else ""

    def notes(self) -> dict[str | None, dict[str, str]]:
        """``additionalNote`` texts by descriptor (None: a plain note) and language."""
        notes: dict[str | None, dict[str, str]] = {}
        for note in self.all("additionalNote"):
            literal = first_child(note, "noteLiteral")
            text = (literal.text or "").strip() if literal is not None else ""
            if not text:
                continue
            subject = first_child(note, "subject", DC)
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


def provider_reference(node: Node) -> str:
    """The provider's own code for a record: its identifier in the "provider reference"
    scheme."""
    for identifier in node.all("identifier"):
        scheme = first_child(identifier, "schemeName")
        notation = first_child(identifier, "notation", SKOS)
        if scheme is not None and (scheme.text or "").strip() == PROVIDER_REFERENCE_SCHEME:
            return (notation.text or "").strip() if notation is not None else ""
    return ""


def localname(element) -> str:
    return element.tag.rpartition("}")[2]


def first_child(element, name: str, namespace: str = LOQ):
    return element.find(f"{{{namespace}}}{name}") if element is not None else None


def read_date(text: str | None, what: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()[:10]).date()
    except ValueError as error:
        raise RecordRejected(f"{what} {text.strip()!r} is not a date") from error


def read_decimal(text: str | None, what: str) -> Decimal | None:
    try:
        number = Decimal((text or "").strip())
    except InvalidOperation as error:
        raise RecordRejected(f"{what} {text!r} is not a number") from error
    if not number.is_finite() or number < 0:
        raise RecordRejected(f"{what} {text!r} is not a positive number")
    return number


@dataclass
class ParsedRecord:
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


def children_named(element, name: str) -> list:
    return [
        child
        for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname == name
    ]
