"""Text normalisation, word forms and web-search query parsing shared by indexing and matching."""

import functools
import re
from dataclasses import dataclass, field

import snowballstemmer

from descriptors.text import normalize

WORD = re.compile(r"\w+", re.UNICODE)
# Words joined by punctuation inside one token ("ASP.NET", "Node.js", "Policy/Evaluation",
# "e-learning"): searched as their parts and as one joined word. Anchored at a word's start
# and possessive (``\w`` covers "_"), so that a word without punctuation is read once rather
# than again from each of its letters, which took half the time of splitting a record's text.
JOINED = re.compile(r"\b\w++(?:[./\-+'’&]\w++)+", re.UNICODE)
# Elided articles and prepositions ("l'analisi", "dell'arte", "d'eau", "qu'il"): the word
# after the apostrophe is what people search for.
ELISION = re.compile(r"^(?:[a-z]|[a-z]{2,3}ll|un|qu)['’](?=\w)", re.IGNORECASE)


def words(text: str) -> list[str]:
    return WORD.findall(normalize(text))


def indexed_text(texts: list[str]) -> str:
    """The words these texts are indexed under, as one space-separated string (what one
    weight of a search document holds): their words, then each punctuated token joined
    ("asp.net" -> asp, net, ..., aspnet). Joined forms come after every text's own words so
    that phrases over those keep their positions. No word spans two texts, so each text is
    split on its own, and long ones once per process (``LONG_TEXT``)."""
    parts = [
        _indexed_long_text(text) if len(text) >= LONG_TEXT else _indexed(text) for text in texts
    ]
    return " ".join(filter(None, [own for own, _ in parts] + [joined for _, joined in parts]))


def _indexed(text: str) -> tuple[str, str]:
    """A text's own words and its joined words, each as one space-separated string."""
    normalised = normalize(text)
    joined = ["".join(WORD.findall(token)) for token in JOINED.findall(normalised)]
    return " ".join(WORD.findall(normalised)), " ".join(joined)


# An ESCO skill's labels in every language (350 characters at the median, 650 at the 90th
# percentile in ESCO 1.1.1) are part of the text of every record that names the skill:
# splitting them again for each record was the largest part of the Python time of indexing
# one. Shorter texts (titles, outcomes) are mostly one record's own and would only push the
# skills out. 4,096 kept texts and their words take about 4 MB.
LONG_TEXT = 200
_indexed_long_text = functools.lru_cache(maxsize=4096)(_indexed)


# The catalogue's languages with a Snowball stemmer: a word's forms are the vocabulary's
# words that share a stem with it in any of them (decision record 0018).
STEM_LANGUAGES = (
    "english", "italian", "spanish", "french", "german", "dutch", "portuguese", "lithuanian"
)  # fmt: skip


@functools.cache
def _stemmers() -> list:
    return [snowballstemmer.stemmer(language) for language in STEM_LANGUAGES]


@functools.lru_cache(maxsize=100_000)
def word_stems(word: str) -> frozenset[str]:
    """The stems of an accent-free word in every catalogue language (a short word is its own
    stem: "it" and "its" are not word forms worth widening to)."""
    if len(word) < 4 or word.isdigit():
        return frozenset({word})
    return frozenset(stemmer.stemWord(word) for stemmer in _stemmers())


def typo_distance(word: str) -> int:
    """Edits allowed for a misspelt word: none up to 3 letters, one up to 7, two from 8 (as
    search engines commonly do: short words have too many neighbours)."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def edit_distance(first: str, second: str, limit: int) -> int:
    """Damerau-Levenshtein distance (a swap of neighbours is one edit), or ``limit + 1`` as
    soon as it exceeds ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous_row, row = None, list(range(len(second) + 1))
    for i, letter in enumerate(first, 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, other in enumerate(second, 1):
            row[j] = min(
                previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + (letter != other)
            )
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return row[-1]


@dataclass
class WebSearchQuery:
    """A query in web-search syntax: words, "exact phrases", -excluded words and OR."""

    # Each group is a list of alternatives (joined by OR); every group must match. A term is
    # a word or, words separated by spaces, a phrase.
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


def _alternatives(bare: str) -> list[str]:
    """A typed token as the terms that find it: "asp.net" is the phrase "asp net" or "aspnet";
    "l'analisi" is "analisi"."""
    bare = ELISION.sub("", normalize(bare))
    parts = words(bare)
    if len(parts) < 2:
        return parts
    return [" ".join(parts), "".join(parts)]


def parse_web_search(text: str) -> WebSearchQuery:
    query = WebSearchQuery()
    pending_or = False
    for negated, phrase, bare in TOKEN.findall(text or ""):
        if bare and bare.upper() == "OR":
            pending_or = bool(query.required)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        terms = [" ".join(words(phrase))] if phrase else _alternatives(bare)
        terms = [term for term in terms if term]
        if not terms:
            continue
        if negated:
            query.excluded += terms
        elif pending_or:
            query.required[-1] += terms
        else:
            query.required.append(terms)
        pending_or = False
    return query
