"""The one look-up of controlled values for every writer (admin API, spreadsheet, ELM, demo).

A value is found by code, URI, or label in any loaded language, whatever its case and accents
(``fold``). What the curated fixtures do not hold but the official ELM code lists label (a
language such as Japanese, ISCED-F 9999 "Field unknown") is accepted with its official label:
its row is added on first use, from ``fixtures/taxonomies/elm_authority_tables.json``. Anything
else is an error; no document or row ever adds a vocabulary value of its own.
"""

import difflib
import functools
import json
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from descriptors.text import fold
from taxonomies.models import Concept, EqfLevel, EscoSkill, IscedField, NqfLevel

AUTHORITY_TABLES = "elm_authority_tables.json"
ISCED_SCHEME = "isced-f"
ISCED_LEVELS = {2: IscedField.Level.BROAD, 3: IscedField.Level.NARROW, 4: IscedField.Level.DETAILED}


class UnknownValue(ValueError):
    """A value that is in no loaded vocabulary nor in the official list; says what it was."""


@functools.cache
def authority_tables() -> dict[str, dict]:
    """The official code lists by scheme: ``{"uri_prefix": ..., "labels": {code: label}}``."""
    path = Path(settings.BASE_DIR) / settings.OCLO_TAXONOMY_FIXTURES / AUTHORITY_TABLES
    tables = json.loads(path.read_text(encoding="utf-8"))["schemes"]
    for table in tables.values():
        # Texts name their language by its short code ("ja"): find the code list's entry.
        table["by_short_code"] = {
            short.lower(): code for code, short in table.get("short_codes", {}).items()
        }
    return tables


def _official(scheme: str, value: str) -> dict | None:
    """The row of an official code or URI (code, uri, label, short_code), if it has a label."""
    table = authority_tables().get(scheme)
    if table is None:
        return None
    code = value.strip().removeprefix(table["uri_prefix"])
    code = table["by_short_code"].get(code.lower(), code)
    if scheme != ISCED_SCHEME:
        code = code.upper()
    label = table["labels"].get(code)
    if not label:
        return None
    return {
        "code": code,
        "uri": table["uri_prefix"] + code,
        "label": label,
        "short_code": table.get("short_codes", {}).get(code, ""),
    }


def suggestion(value: str, choices: Iterable[str]) -> str:
    if "://" in value:
        return ""  # a URI close to another names something else, not a typo of it
    close = difflib.get_close_matches(fold(value), list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


class Vocabularies:
    """Resolves controlled values; each vocabulary is read once per instance (one import,
    one request)."""

    def __init__(self):
        self._concepts: dict[str, dict[str, Concept]] = {}
        self._isced: dict[str, IscedField] | None = None
        self._skills: dict[str, int] | None = None
        self._eqf: dict[str, EqfLevel] | None = None
        self._nqf: dict[str, NqfLevel] | None = None
        self.added: list[str] = []  # official values this instance added, for reports

    def _concept_index(self, scheme: str) -> dict[str, Concept]:
        if scheme not in self._concepts:
            index = {}
            for concept in Concept.objects.filter(scheme=scheme):
                self._index_concept(index, concept)
            self._concepts[scheme] = index
        return self._concepts[scheme]

    @staticmethod
    def _index_concept(index: dict, concept: Concept) -> None:
        names = [concept.code, concept.uri, concept.label, concept.short_code]
        index.update((fold(name), concept) for name in [*names, *concept.labels.values()] if name)

    def concept(self, scheme: str, value: str) -> Concept:
        index = self._concept_index(scheme)
        found = index.get(fold(value))
        if found is None:
            official = _official(scheme, value)
            if official is None:
                raise UnknownValue(f"'{value}' is not a known value." + suggestion(value, index))
            code = official.pop("code")
            found, _ = Concept.objects.get_or_create(scheme=scheme, code=code, defaults=official)
            self._index_concept(index, found)
            self.added.append(f"{scheme} {code} ({found.label})")
        return found

    def concept_by_uri(self, value: str, schemes: Iterable[str]) -> Concept | None:
        """The concept of any of ``schemes`` that this URI (or code) names, if any."""
        for scheme in schemes:
            try:
                return self.concept(scheme, value)
            except UnknownValue:
                continue
        return None

    def isced(self, value: str) -> IscedField:
        if self._isced is None:
            self._isced = {}
            for isced_field in IscedField.objects.all():
                names = [isced_field.code, isced_field.uri, isced_field.name]
                self._isced.update(
                    (fold(name), isced_field)
                    for name in [*names, *isced_field.names.values()]
                    if name
                )
        found = self._isced.get(fold(value))
        if found is None:
            official = _official(ISCED_SCHEME, value)
            if official is None or len(official["code"]) not in ISCED_LEVELS:
                raise UnknownValue(
                    f"'{value}' is not an ISCED-F 2013 field." + suggestion(value, self._isced)
                )
            found = self._isced_add(official["code"])
        return found

    def _isced_add(self, code: str) -> IscedField:
        """An official field and the broader ones it lacks, e.g. 9999 under 999 under 99."""
        parent = self.isced(code[:-1]) if len(code) > 2 else None
        label = _official(ISCED_SCHEME, code)["label"]
        found, _ = IscedField.objects.get_or_create(
            code=code, defaults={"level": ISCED_LEVELS[len(code)], "parent": parent, "name": label}
        )
        self._isced.update({fold(code): found, fold(found.uri): found})
        self.added.append(f"ISCED-F {code} ({label})")
        return found

    def skill(self, value: str) -> int:
        """The id of an ESCO skill given by URI or English preferred label."""
        if self._skills is None:
            self._skills = {}
            for pk, uri, label in EscoSkill.objects.values_list("pk", "uri", "preferred_label"):
                self._skills[fold(uri)] = pk
                self._skills.setdefault(fold(label), pk)
        found = self._skills.get(fold(value))
        if found is None:
            raise UnknownValue(f"'{value}' is not an ESCO skill." + suggestion(value, self._skills))
        return found

    def eqf(self, value: str) -> EqfLevel:
        """An EQF level given as 1-8, "EQF 6" or its URI."""
        if self._eqf is None:
            levels = list(EqfLevel.objects.all())
            self._eqf = {str(level.level): level for level in levels}
            self._eqf |= {fold(level.uri): level for level in levels}
        found = self._eqf.get(fold(str(value)).removeprefix("eqf").strip())
        if found is None:
            raise UnknownValue(f"'{value}' is not an EQF level (1-8).")
        return found

    def nqf(self, value: str) -> NqfLevel:
        """A national framework level given by its QDR code or URI."""
        if self._nqf is None:
            levels = list(NqfLevel.objects.all())
            self._nqf = {fold(level.code): level for level in levels}
            self._nqf |= {fold(level.uri): level for level in levels}
        found = self._nqf.get(fold(value))
        if found is None:
            raise UnknownValue(f"'{value}' is not a loaded NQF level.")
        return found
