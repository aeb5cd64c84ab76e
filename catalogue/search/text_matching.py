"""Full-text matching, ranking, snippets and spelling correction, per database.

A query is parsed (``catalogue.search.words``), then widened against the catalogue's vocabulary: a
word no record contains is corrected to the published words one or two edits away, and, when
the words as typed find few records, each word also finds its forms (the vocabulary's words
sharing a Snowball stem with it). The widened query is matched by PostgreSQL's GIN-indexed
tsvector (SQLite: in Python over the stored document); when all its words together find too
little, records matching most of them come too, after those having them all. Ranking puts
the exact title first, then the title as a phrase, all words in the title, then the weighted
rank of the words as typed above their widened forms (decision record 0018).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, connections, router, transaction
from django.db.models import Value
from django.db.models.functions import Length
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalogue.models import SearchDocument, SearchWord, SearchWordStem
from catalogue.search.arrays import found_in, sorted_unique
from catalogue.search.words import (
    WebSearchQuery,
    edit_distance,
    parse_web_search,
    typo_distance,
    word_stems,
    words,
)
from descriptors.models import LearningOpportunity, OpportunityTranslation

SNIPPET_WORDS = 30
# A word found only as another form of itself, or only as a correction, counts for less than
# a word found as typed, so exact matches rank first.
FORM_WEIGHT = 0.5
TYPO_WEIGHT = 0.4
# Words are widened to their forms only while the words as typed find fewer records than this:
# widening a common word ("management" -> manager, managing ...) would hand over much of the
# catalogue to rank (decision record 0011).
WIDEN_BELOW = 1000
# Fewer records than this have all the words together: records with most of them come too,
# after those. When some record has them all, only records missing one word of three or more
# follow: padding a two-word query with records having either word would bury its answer.
FEW_MATCHES = 5
# Up to this many matches are ranked on their full weighted vector; beyond it on the title
# vector only, which is small enough to rank any number quickly (see decision record 0005).
FULL_RANK_LIMIT = 1000
# Of many title matches, the best this many are checked for an exact title or phrase.
TITLE_CHECKED = 300
FORMS_PER_WORD = 20
CORRECTIONS_PER_WORD = 2
# Close words checked against the published records, closest first, for one misspelt word.
CANDIDATES_CHECKED = 10
CORRECTED_WORDS_MAX = 6
# ts_rank_cd's weights for D (providers), C (description), B (outcomes, skills), A (title).
RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"


def _reading():
    """The database this request reads (a read replica, see ``oclo.replicas``)."""
    return connections[router.db_for_read(SearchDocument)]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Term:
    """One alternative of a query group: a word or a phrase (words separated by spaces)."""

    text: str
    weight: float = 1.0

    @property
    def tsquery(self) -> str:
        return "(" + " <-> ".join(f"'{word}'" for word in self.text.split()) + ")"


@dataclass
class TextQuery:
    """A parsed query widened against the vocabulary: every group must match (unless
    ``optional``), through any of its terms; the first term of a group is the word as the
    visitor meant it (corrected when misspelt), the others its forms and alternatives."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    # Each misspelt word and the word searched instead, in the order typed.
    corrections: dict[str, str] = field(default_factory=dict)
    # Too few records have every group: records matching most of them are shown too.
    optional: bool = False
    # The other forms of each word, found with the words (``with_forms`` adds them).
    forms: dict[str, list[str]] = field(default_factory=dict)

    def terms(self, *, exact: bool) -> list[Term]:
        return [term for group in self.groups for term in group if (term.weight == 1.0) == exact]

    @property
    def meant_words(self) -> list[str]:
        """The words of the query as the visitor meant them, in order."""
        return [word for group in self.groups for word in group[0].text.split()]

    def tsquery(self, groups: list[list[Term]] | None = None) -> str:
        parts = [
            "(" + " | ".join(term.tsquery for term in group) + ")"
            for group in (self.groups if groups is None else groups)
            if group
        ]
        parts += [f"!{Term(term).tsquery}" for term in self.excluded]
        return " & ".join(parts)

    def web_query(self, groups: list[list[Term]] | None = None) -> WebSearchQuery:
        return WebSearchQuery(
            required=[
                [term.text for term in group]
                for group in (self.groups if groups is None else groups)
            ],
            excluded=self.excluded,
        )


def text_query(text: str, *, verbatim: bool = False) -> TextQuery:
    """The query with each misspelt word corrected (unless ``verbatim``); the forms of its
    words are looked up at the same time, for ``with_forms``."""
    parsed = parse_web_search(text)
    query = TextQuery(
        groups=[[Term(term) for term in group] for group in parsed.required],
        excluded=parsed.excluded,
    )
    if verbatim:
        return query
    known, query.forms = _vocabulary(_single_words(query))
    # A word the catalogue lacks is corrected when a close word exists, even when a stemmer
    # relates it to others: "managment" is "management" misspelt, not a form of "manager"
    # (French stems both to "manag": widening it took 40,000 of 60,000 records). Without a
    # correction, its forms still find it (``with_forms``).
    unknown = [word for word in _single_words(query) if word not in known]
    # Each lookup costs a few queries: a long run of unknown words is not worth correcting.
    found = {word: _corrections(word) for word in sorted(unknown)[:CORRECTED_WORDS_MAX]}
    for group in query.groups:
        for position, term in reversed(list(enumerate(group))):
            corrections = found.get(term.text)
            if corrections:
                query.corrections[term.text] = corrections[0]
                group[position : position + 1] = [
                    Term(correction, TYPO_WEIGHT) for correction in corrections
                ]
    if query.corrections:
        query.forms |= _vocabulary(_single_words(query) - set(query.forms))[1]
    return query


def _single_words(query: TextQuery) -> set[str]:
    return {term.text for group in query.groups for term in group if " " not in term.text}


def with_forms(query: TextQuery) -> TextQuery | None:
    """The query with each word also finding its other forms (None: there are none)."""
    groups, widened = [], False
    for group in query.groups:
        present = {term.text for term in group}
        extra = []
        for term in group:
            for form in query.forms.get(term.text, []):
                if form not in present:
                    present.add(form)
                    extra.append(Term(form, min(FORM_WEIGHT, term.weight)))
        widened = widened or bool(extra)
        groups.append(group + extra)
    if not widened:
        return None
    return TextQuery(groups, query.excluded, query.corrections, query.optional, query.forms)


def _vocabulary(single: set[str]) -> tuple[set[str], dict[str, list[str]]]:
    """Which of these words the catalogue has, and the other forms of each (one query)."""
    stems = {word: word_stems(word) for word in single if len(word) >= 4}
    rows = (
        SearchWordStem.objects.filter(stem__in={stem for each in stems.values() for stem in each})
        .values_list("stem", "word")
        .union(
            SearchWord.objects.filter(word__in=single)
            .annotate(stem=Value(""))
            .values_list("stem", "word"),
            all=True,
        )
    )
    known, by_stem = set(), {}
    for stem, word in rows:
        if stem:
            by_stem.setdefault(stem, []).append(word)
        else:
            known.add(word)
    forms = {
        word: sorted({form for stem in each for form in by_stem.get(stem, [])} - {word})[
            :FORMS_PER_WORD
        ]
        for word, each in stems.items()
    }
    return known, forms


def _corrections(word: str) -> list[str]:
    """Published words at most ``typo_distance`` edits from a word the catalogue lacks, the
    closest first. The vocabulary holds drafts' words too: each correction is checked against
    the published records, so a correction never reveals an unpublished record's words."""
    limit = typo_distance(word)
    if not limit:
        return []
    if _is_postgres():
        # Levenshtein counts a swap of neighbours as two edits: twice the limit lets every
        # word within ``limit`` Damerau edits through, and edit_distance below keeps those.
        reach = 2 * limit
        with _reading().cursor() as cursor:
            cursor.execute(
                "SELECT word FROM catalogue_searchword WHERE length(word) BETWEEN %s AND %s "
                "AND levenshtein_less_equal(word, %s, %s) <= %s",
                [len(word) - limit, len(word) + limit, word, reach, reach],
            )
            candidates = [row[0] for row in cursor.fetchall()]
    else:
        candidates = SearchWord.objects.annotate(length=Length("word")).filter(
            length__range=(len(word) - limit, len(word) + limit)
        )
        candidates = list(candidates.values_list("word", flat=True).iterator())
    distances = {
        candidate: distance
        for candidate in candidates
        if (distance := edit_distance(word, candidate, limit)) <= limit
    }
    # Same distance: the one sharing the first letter, then the one sharing the length.
    ordered = sorted(
        distances,
        key=lambda c: (distances[c], c[0] != word[0], abs(len(c) - len(word)), c),
    )
    found = []
    for candidate in ordered[:CANDIDATES_CHECKED]:
        if _published_contain(candidate):
            found.append(candidate)
            if len(found) == CORRECTIONS_PER_WORD:
                break
    return found


PUBLISHED_MATCH_SQL = (
    "SELECT EXISTS (SELECT 1 FROM catalogue_searchdocument document "
    "JOIN descriptors_learningopportunity opportunity "
    "ON opportunity.id = document.opportunity_id "
    "WHERE opportunity.status = %s AND document.vector @@ to_tsquery('simple', %s))"
)


def _published_contain(word: str) -> bool:
    """Whether at least one published opportunity contains the word."""
    published = LearningOpportunity.Status.PUBLISHED
    if _is_postgres():
        with _reading().cursor() as cursor:
            cursor.execute(PUBLISHED_MATCH_SQL, [published, Term(word).tsquery])
            return cursor.fetchone()[0]
    documents = SearchDocument.objects.filter(opportunity__status=published).values_list(
        "document", flat=True
    )
    padded = f" {word} "
    return any(padded in f" {document} " for document in documents.iterator())


# Ids and ranks come from PostgreSQL as one binary string per column, not a row per match: a
# common word's 288,617 rows at 1,000,000 records took longer to fetch than to find.
AGGREGATED_IDS = "string_agg(int8send(opportunity_id), '')"


def _aggregated(data: bytes | None, dtype: str) -> np.ndarray:
    """The values of a ``string_agg`` of ``int8send`` or ``float8send`` (big-endian)."""
    return np.frombuffer(data or b"", dtype).astype(dtype.replace(">", "="))


def _matching_ids(query: TextQuery) -> np.ndarray:
    return _matching_ids_of_each(query, [query.groups])[0]


def _matching_ids_of_each(query: TextQuery, groupings: list[list[list[Term]]]) -> list[np.ndarray]:
    """For each grouping, the ids matching the query's words with only those groups, all in
    one database query (an optional query counts its words one by one)."""
    if _is_postgres():
        reading = _reading()
        in_callers_transaction = reading.in_atomic_block
        with transaction.atomic(using=reading.alias), reading.cursor() as cursor:
            # Through the GIN index, never a sequential scan: the vectors are stored out of
            # line, and the planner's estimate of a scan leaves out unpacking every one of them.
            # For a word in a third of 100,000 records it chose the scan: 255 ms against 35.
            # No parallel workers either: starting them took longer than the query (5 ms
            # against 1.5 for two rare words), and they take cores from the other requests.
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), "
                "set_config('max_parallel_workers_per_gather', '0', true)"
            )
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT {number}, {AGGREGATED_IDS} FROM catalogue_searchdocument "
                    "WHERE vector @@ to_tsquery('simple', %s)"
                    for number in range(len(groupings))
                ),
                [query.tsquery(groups) for groups in groupings],
            )
            found = dict(cursor.fetchall())
            if in_callers_transaction:  # the settings would outlive this query
                cursor.execute(
                    "SELECT set_config(name, reset_val, true) FROM pg_settings "
                    "WHERE name IN ('enable_seqscan', 'max_parallel_workers_per_gather')"
                )
        return [_aggregated(found[number], ">i8") for number in range(len(groupings))]
    web_queries = [query.web_query(groups) for groups in groupings]
    found: list[list[int]] = [[] for _ in groupings]
    for pk, document in SearchDocument.objects.values_list("opportunity_id", "document").iterator():
        for ids, web_query in zip(found, web_queries, strict=True):
            if web_query.matches(document):
                ids.append(pk)
    return [np.asarray(ids, np.int64) for ids in found]


@dataclass
class TextSearch:
    """What the text of a search found: the query as searched, and every matching id with
    how many of the query's groups it matched (all of them unless the query is optional)."""

    query: TextQuery
    ids: np.ndarray
    groups_matched: dict[int, int] = field(default_factory=dict)
    # With optional words: the ids that have every word.
    with_every_word: np.ndarray | None = None


def text_search(text: str, *, verbatim: bool = False) -> TextSearch:
    """Every opportunity matching the query, corrected and widened as the module says."""
    query = text_query(text, verbatim=verbatim)
    if not query.groups:
        return TextSearch(query, np.zeros(0, np.int64))
    ids = _matching_ids(query)
    widened = with_forms(query) if len(ids) < WIDEN_BELOW and not verbatim else None
    if widened is not None:
        query, ids = widened, _matching_ids(widened)
    if len(ids) >= FEW_MATCHES or len(query.groups) < (3 if len(ids) else 2):
        return TextSearch(query, ids)
    # Too little for all the words together: rank by how many of them each record has; when
    # some record has them all, only the records missing one word join it.
    needed = len(query.groups) - 1 if len(ids) else 1
    each_group = _matching_ids_of_each(query, [[group] for group in query.groups])
    found, counts = np.unique(np.concatenate(each_group), return_counts=True)
    enough = counts >= needed
    if np.count_nonzero(enough) == len(ids):
        return TextSearch(query, ids)
    query.optional = True
    matched = dict(zip(found[enough].tolist(), counts[enough].tolist(), strict=True))
    return TextSearch(query, found[enough], matched, ids)


def text_relevance(search: TextSearch, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids, relevance) for the given matches: exact title > title phrase > every word in the
    title > weighted rank (title > outcomes and skills > description > providers) of the
    words as typed > of their forms and corrections; with optional words, records matching
    more of them first. Of many matches, only those with the words in their title are ranked
    on them: the others rank by how many of the words they have."""
    ids = sorted_unique(ids)
    if not len(ids):
        return ids, np.zeros(0)
    query = search.query
    ranked, ranks, titles = (
        _postgres_ranks(query, ids) if _is_postgres() else _python_ranks(query, ids)
    )
    if titles is None:
        titles = _titles(ranked[np.argsort(-ranks, kind="stable")[:TITLE_CHECKED]].tolist())
    meant = query.meant_words
    relevance = np.zeros(len(ids))
    _add(relevance, ids, ranked, ranks)
    _add(
        relevance,
        ids,
        np.fromiter(titles, np.int64, len(titles)),
        np.array([10.0 * _title_tier(meant, each) for each in titles.values()]),
    )
    if search.groups_matched:
        _add(
            relevance,
            ids,
            np.fromiter(search.groups_matched, np.int64, len(search.groups_matched)),
            100.0 * np.fromiter(search.groups_matched.values(), np.float64),
        )
    return ids, relevance


def _add(relevance: np.ndarray, ids: np.ndarray, keys: np.ndarray, values: np.ndarray) -> None:
    """Adds each value to the relevance of its key (unique) among ``ids`` (sorted), if there."""
    where, found = found_in(ids, keys)
    relevance[where[found]] += values[found]


Titles = dict[int, list[list[str]]]
Ranks = tuple[np.ndarray, np.ndarray, Titles | None]


def _postgres_ranks(query: TextQuery, ids: np.ndarray) -> Ranks:
    """(ids, ranks, and the titles of the ranked when they come with them: few matches)."""
    exact = TextQuery([query.terms(exact=True)]).tsquery()
    widened = TextQuery([query.terms(exact=False)]).tsquery()
    with _reading().cursor() as cursor:
        if len(ids) > FULL_RANK_LIMIT:
            # Many matches: rank the title matches only; sending every id would cost more
            # than the ranking itself.
            cursor.execute(
                f"SELECT {AGGREGATED_IDS}, string_agg(float8send(ts_rank_cd(title_vector, "
                "exact, 32) + %s * ts_rank_cd(title_vector, widened, 32)), '') "
                "FROM catalogue_searchdocument, to_tsquery('simple', %s) AS exact, "
                "to_tsquery('simple', %s) AS widened "
                "WHERE title_vector @@ to_tsquery('simple', %s)",
                [FORM_WEIGHT, exact, widened, query.tsquery()],
            )
            found, ranks = cursor.fetchone()
            return _aggregated(found, ">i8"), _aggregated(ranks, ">f8"), None
        cursor.execute(
            f"SELECT document.opportunity_id, "
            f"ts_rank_cd('{RANK_WEIGHTS}', vector, exact, 32) "
            f"+ %s * ts_rank_cd('{RANK_WEIGHTS}', vector, widened, 32), opportunity.title, "
            "ARRAY(SELECT title FROM descriptors_opportunitytranslation translation "
            "WHERE translation.opportunity_id = document.opportunity_id) "
            "FROM catalogue_searchdocument document "
            "JOIN descriptors_learningopportunity opportunity "
            "ON opportunity.id = document.opportunity_id, "
            "to_tsquery('simple', %s) AS exact, to_tsquery('simple', %s) AS widened "
            "WHERE document.opportunity_id = ANY(%s)",
            [FORM_WEIGHT, exact, widened, ids.tolist()],
        )
        rows = cursor.fetchall()
    titles = {pk: [words(each) for each in [title, *other]] for pk, _, title, other in rows}
    return (
        np.fromiter((row[0] for row in rows), np.int64, len(rows)),
        np.fromiter((row[1] for row in rows), np.float64, len(rows)),
        titles,
    )


def _python_ranks(query: TextQuery, ids: np.ndarray) -> Ranks:
    wanted = ids.tolist()
    titles = _titles(wanted)
    ranked, ranks = [], []
    terms = query.terms(exact=True) + query.terms(exact=False)
    for pk, document in SearchDocument.objects.filter(opportunity_id__in=wanted).values_list(
        "opportunity_id", "document"
    ):
        title = f" {' '.join(' '.join(words) for words in titles.get(pk, ()))} "
        padded = f" {document} "
        count = sum(
            term.weight * (padded.count(f" {term.text} ") + 4 * title.count(f" {term.text} "))
            for term in terms
        )
        ranked.append(pk)
        ranks.append(count / (count + 1))  # as ts_rank_cd's normalisation 32: below 1
    return np.asarray(ranked, np.int64), np.asarray(ranks, np.float64), titles


def _titles(ids: Iterable[int]) -> Titles:
    """The words of each opportunity's title and translated titles."""
    ids = list(ids)
    titles: dict[int, list[list[str]]] = {}
    for pk, title in LearningOpportunity.objects.filter(pk__in=ids).values_list("pk", "title"):
        titles.setdefault(pk, []).append(words(title))
    for pk, title in OpportunityTranslation.objects.filter(opportunity_id__in=ids).values_list(
        "opportunity_id", "title"
    ):
        titles.setdefault(pk, []).append(words(title))
    return titles


def _title_tier(meant: list[str], titles: Iterable[list[str]]) -> int:
    """3: a title is the query; 2: a title holds it as a phrase; 1: a title holds every word."""
    tier = 0
    size = len(meant)
    for title in titles:
        if title == meant:
            return 3
        if any(title[start : start + size] == meant for start in range(len(title) - size + 1)):
            tier = max(tier, 2)
        elif set(meant) <= set(title):
            tier = max(tier, 1)
    return tier


def snippets(opportunities: list[LearningOpportunity], query: TextQuery) -> dict[int, SafeString]:
    """A highlighted extract of each description, in the visitor's language like the rest of
    its card, around the query's words and their forms; none for a description without any
    of them (the card shows its summary: a snippet without a match would not say why the
    record was found, and one from another language's text would not match the card)."""
    terms = query.terms(exact=True) + query.terms(exact=False)
    if not terms or not opportunities:
        return {}
    descriptions = {
        opportunity.pk: opportunity.localized_description for opportunity in opportunities
    }
    if _is_postgres():
        with _reading().cursor() as cursor:
            cursor.execute(
                "SELECT id, ts_headline('oclo', description, to_tsquery('simple', %s), "
                "'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, "
                "HighlightAll=false') "
                "FROM unnest(%s::bigint[], %s::text[]) AS shown(id, description)",
                [TextQuery([terms]).tsquery(), list(descriptions), list(descriptions.values())],
            )
            # ts_headline returns the text unescaped; escape it, then restore only our marks.
            extracts = {
                pk: mark_safe(
                    escape(headline)
                    .replace("&lt;mark&gt;", "<mark>")
                    .replace("&lt;/mark&gt;", "</mark>")
                )
                for pk, headline in cursor.fetchall()
            }
    else:
        highlighted = {word for term in terms for word in term.text.split()}
        extracts = {pk: _highlight(text, highlighted) for pk, text in descriptions.items()}
    return {pk: extract for pk, extract in extracts.items() if "<mark>" in extract}


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
