"""Accent folding: the one way text is compared whatever its case and accents (search index,
queries, controlled values typed in a spreadsheet or sent by the API)."""

import functools
import sys
import unicodedata


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Accents and other marks that NFKD leaves as separate characters, for str.translate to
    delete (built on first use: scanning every code point takes a twentieth of a second)."""
    return dict.fromkeys(
        code for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))
    )


def normalize(text: str | None) -> str:
    """Lower-case, accent-free text: what both the index and the queries are compared in."""
    return unicodedata.normalize("NFKD", text or "").translate(_combining_marks()).lower()


# Typed values come with either apostrophe: "Sciences de l'éducation" names the field whose
# French label is set with the typographic one.
APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})


def fold(text: str | None) -> str:
    """``normalize`` with runs of white space made one space and one apostrophe: the key of a
    typed value."""
    return " ".join(normalize(text).translate(APOSTROPHES).split())
