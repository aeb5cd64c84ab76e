"""Full-text matching, ranking, snippets and "did you mean", per database.

PostgreSQL: the weighted, GIN-indexed tsvector with an accent-free configuration,
``websearch_to_tsquery`` syntax, ``ts_rank_cd`` and ``ts_headline``; trigram similarity over the
catalogue's vocabulary for suggestions. SQLite: the same syntax matched in Python over the stored
accent-free document, ranked by how often the terms occur.
"""

import difflib
import re

import numpy as np
from django.db import connection, connections, router
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalogue.models import SearchDocument, SearchWord
from catalogue.text import lone_dashes_dropped, normalize, parse_web_search, words
from descriptors.models import LearningOpportunity

SNIPPET_WORDS = 30


def _reading():
    """The database this request reads (a read replica, see ``oclo.replicas``)."""
    return connections[router.db_for_read(SearchDocument)]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# Up to this many matches are ranked on their full weighted vector; beyond it on the title
# vector only, which is small enough to rank any number quickly (see decision record 0005).
FULL_RANK_LIMIT = 1000


def text_matching_ids(text: str) -> np.ndarray:
    """Ids of every opportunity whose searchable text matches the query."""
    if _is_postgres():
        with _reading().cursor() as cursor:
            cursor.execute(
                "SELECT opportunity_id FROM catalogue_searchdocument "
                "WHERE vector @@ websearch_to_tsquery('oclo', %s)",
                [lone_dashes_dropped(text)],
            )
            return np.fromiter((row[0] for row in cursor.fetchall()), np.int64)
    query = parse_web_search(text)
    if query.is_empty:
        return np.zeros(0, np.int64)
    return np.asarray(
        [
            pk
            for pk, document in SearchDocument.objects.values_list("opportunity_id", "document")
            if query.matches(document)
        ],
        np.int64,
    )


def text_relevance(text: str, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids, relevance) for the given matches, weighted title > outcomes and skills >
    description; matches missing from the answer rank 0."""
    if not len(ids):
        return np.zeros(0, np.int64), np.zeros(0)
    if _is_postgres():
        with _reading().cursor() as cursor:
            if len(ids) <= FULL_RANK_LIMIT:
                cursor.execute(
                    "SELECT opportunity_id, ts_rank_cd(vector, query) "
                    "FROM catalogue_searchdocument, websearch_to_tsquery('oclo', %s) AS query "
                    "WHERE opportunity_id = ANY(%s) AND vector @@ query",
                    [lone_dashes_dropped(text), ids.tolist()],
                )
            else:
                # Many matches: rank the title matches only; sending every id would cost
                # more than the ranking itself.
                cursor.execute(
                    "SELECT opportunity_id, ts_rank_cd(title_vector, query) "
                    "FROM catalogue_searchdocument, websearch_to_tsquery('oclo', %s) AS query "
                    "WHERE title_vector @@ query",
                    [lone_dashes_dropped(text)],
                )
            rows = cursor.fetchall()
    else:
        terms = [term for group in parse_web_search(text).required for term in group]
        wanted = ids.tolist()
        titles = dict(LearningOpportunity.objects.filter(pk__in=wanted).values_list("pk", "title"))
        rows = []
        for pk, document in SearchDocument.objects.filter(opportunity_id__in=wanted).values_list(
            "opportunity_id", "document"
        ):
            title = f" {' '.join(words(titles.get(pk, '')))} "
            padded = f" {document} "
            rows.append(
                (
                    pk,
                    float(
                        sum(
                            padded.count(f" {term} ") + 4 * title.count(f" {term} ")
                            for term in terms
                        )
                    ),
                )
            )
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0)
    found, ranks = zip(*rows, strict=True)
    return np.asarray(found, np.int64), np.asarray(ranks, np.float64)


def snippets(opportunities: list[LearningOpportunity], text: str) -> dict[int, SafeString]:
    """A highlighted extract of each description around the query's words."""
    if not text or not opportunities:
        return {}
    if _is_postgres():
        with _reading().cursor() as cursor:
            cursor.execute(
                "SELECT id, ts_headline('oclo', description, websearch_to_tsquery('oclo', %s), "
                "'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, "
                "HighlightAll=false') FROM descriptors_learningopportunity WHERE id = ANY(%s)",
                [lone_dashes_dropped(text), [opportunity.pk for opportunity in opportunities]],
            )
            # ts_headline returns the text unescaped; escape it, then restore only our marks.
            return {
                pk: mark_safe(
                    escape(headline)
                    .replace("&lt;mark&gt;", "<mark>")
                    .replace("&lt;/mark&gt;", "</mark>")
                )
                for pk, headline in cursor.fetchall()
            }
    terms = {term for group in parse_web_search(text).required for term in group}
    return {
        opportunity.pk: _highlight(opportunity.description, terms) for opportunity in opportunities
    }


def _highlight(description: str, terms: set[str]) -> SafeString:
    tokens = re.findall(r"\S+", description)
    normalised = [" ".join(words(token)) for token in tokens]
    hits = [index for index, token in enumerate(normalised) if token in terms]
    start = max(0, (hits[0] if hits else 0) - SNIPPET_WORDS // 3)
    shown = []
    for index in range(start, min(len(tokens), start + SNIPPET_WORDS)):
        token = escape(tokens[index])
        shown.append(f"<mark>{token}</mark>" if index in hits else token)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return mark_safe(prefix + " ".join(shown) + suffix)


def suggestion(text: str) -> str:
    """A corrected query when some words are unknown and a close known word exists.

    The word list (``SearchWord``) holds every word ever indexed, drafts and archived records
    included: each word is therefore checked against the published records before it counts as
    known or is offered, and so is the corrected query, so that a suggestion never reveals a
    word that only unpublished records contain.
    """
    corrected, changed = [], False
    for word in words(text):
        if len(word) < 4 or _published_contain(word):
            corrected.append(word)
            continue
        replacement = _closest_word(word)
        if replacement:
            corrected.append(replacement)
            changed = True
        else:
            corrected.append(word)
    if not changed:
        return ""
    candidate = " ".join(corrected)
    return candidate if _published_contain(candidate) else ""


# Close words considered for one misspelt word, best first, until one is in a published record.
CLOSE_WORD_CANDIDATES = 10

PUBLISHED_MATCH_SQL = (
    "SELECT EXISTS (SELECT 1 FROM catalogue_searchdocument document "
    "JOIN descriptors_learningopportunity opportunity "
    "ON opportunity.id = document.opportunity_id "
    "WHERE opportunity.status = %s AND document.vector @@ websearch_to_tsquery('oclo', %s))"
)


def _published_contain(text: str) -> bool:
    """Whether a query finds at least one published opportunity."""
    published = LearningOpportunity.Status.PUBLISHED
    if _is_postgres():
        with _reading().cursor() as cursor:
            cursor.execute(PUBLISHED_MATCH_SQL, [published, lone_dashes_dropped(text)])
            return cursor.fetchone()[0]
    query = parse_web_search(text)
    documents = SearchDocument.objects.filter(opportunity__status=published).values_list(
        "document", flat=True
    )
    return not query.is_empty and any(query.matches(document) for document in documents)


def _closest_word(word: str) -> str:
    if _is_postgres():
        with _reading().cursor() as cursor:
            cursor.execute(
                "SELECT word FROM catalogue_searchword WHERE word %% %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT %s",
                [word, word, CLOSE_WORD_CANDIDATES],
            )
            candidates = [row[0] for row in cursor.fetchall()]
    else:
        vocabulary = SearchWord.objects.filter(word__startswith=normalize(word)[:1]).values_list(
            "word", flat=True
        )
        candidates = difflib.get_close_matches(
            word, list(vocabulary), n=CLOSE_WORD_CANDIDATES, cutoff=0.75
        )
    return next((candidate for candidate in candidates if _published_contain(candidate)), "")
