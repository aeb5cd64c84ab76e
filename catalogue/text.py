"""Text normalisation and web-search query parsing shared by indexing and matching."""

import re
from dataclasses import dataclass, field

from descriptors.text import normalize

WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return WORD.findall(normalize(text))


@dataclass
class WebSearchQuery:
    """A query in web-search syntax: words, "exact phrases", -excluded words and OR."""

    # Each group is a list of alternatives (joined by OR); every group must match.
    required: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.excluded

    def matches(self, document: str) -> bool:
        """Whether a normalised document (words separated by spaces) satisfies the query."""
        padded = f" {document} "
        return all(
            any(f" {term} " in padded for term in group) for group in self.required
        ) and not any(f" {term} " in padded for term in self.excluded)


TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
# A dash standing alone ("MicroStation - Niveles", as pasted titles are written) separates
# words; only a dash attached to a word ("-beginner") excludes it.
LONE_DASH = re.compile(r"(?<!\S)[-\u2010-\u2015]+(?!\S)")


def lone_dashes_dropped(text: str) -> str:
    """The query as PostgreSQL's ``websearch_to_tsquery`` should read it: that function takes
    a lone dash for "exclude the next word"; ``parse_web_search`` already skips one."""
    return LONE_DASH.sub(" ", text)


def parse_web_search(text: str) -> WebSearchQuery:
    query = WebSearchQuery()
    pending_or = False
    for negated, phrase, bare in TOKEN.findall(text or ""):
        if bare and bare.upper() == "OR":
            pending_or = bool(query.required)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        term = " ".join(words(phrase if phrase else bare))
        if not term:
            continue
        if negated:
            query.excluded.append(term)
        elif pending_or:
            query.required[-1].append(term)
        else:
            query.required.append([term])
        pending_or = False
    return query
