"""How a text is split into the words it is indexed under: punctuated tokens ("ASP.NET",
"e-learning", "l'analisi") as their parts and, after the text's own words, as one joined word."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.words import JOINED, LONG_TEXT, indexed_text


def test_punctuated_tokens_are_indexed_as_their_parts_then_joined():
    text = "Build apps in ASP.NET and Node.js: e-learning, l'analisi, Policy/Evaluation, R&D."
    assert indexed_text([text]).split() == [
        *("build", "apps", "in", "asp", "net", "and", "node", "js", "e", "learning"),
        *("l", "analisi", "policy", "evaluation", "r", "d"),
        *("aspnet", "nodejs", "elearning", "lanalisi", "policyevaluation", "rd"),
    ]


# The pattern as it was before it was anchored and made possessive, which read each word again
# from every one of its letters. "_" is left out of the texts: ``\w`` covers it, so the old
# pattern also found a word such as "foo_bar" as a "joined" copy of itself.
PLAIN = re.compile(r"\w+(?:[./\-+'’&]\w+)+")


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ab.-/+'’& é1\n"), max_size=40))
def test_the_joined_tokens_are_those_the_plain_pattern_finds(text):
    assert JOINED.findall(text) == PLAIN.findall(text)


# Texts with Greek capitals (a final sigma lower-cases by its neighbours), accents that NFKD
# splits off, punctuated tokens and empty texts, some long enough to be kept between records.
PIECES = st.text(st.sampled_from("aΣσ.-/'’ é1\n"), max_size=12)
TEXT = st.one_of(PIECES, st.builds(lambda piece: piece * (LONG_TEXT // 4), PIECES))


@settings(max_examples=500, deadline=None)
@given(st.lists(TEXT, max_size=6))
def test_texts_split_one_by_one_index_as_the_texts_joined_would(texts):
    for _ in range(2):  # the second time from the kept long texts
        assert indexed_text(texts) == indexed_text([" ".join(texts)])
