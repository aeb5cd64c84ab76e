"""The text part of search behind one small interface (decision record 0011).

The selectors ask a ``TextEngine`` which opportunities match a query, then how relevant those
left after the filters are. Facets, filters, totals and sorting stay in the facet index
whatever engine answers. Three engines fit the interface:

- ``DatabaseTextEngine``: PostgreSQL full text (SQLite: matching in Python), the current path.
- ``TantivyTextEngine``: an embedded index on the local disk (one per machine), BM25 ranking,
  typo tolerance and word forms; optional (``pip install tantivy``), measured by
  ``python -m bench engines``.
- ``OpenSearchTextEngine``: the same queries for a distributed engine, for when one machine's
  index is not enough; it needs only a client with opensearch-py's ``bulk`` and ``search``.

Every engine is fed the same documents (``text_documents``), read from the database, which
stays the source of truth, and all of them parse queries with ``parse_web_search``.
"""

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from catalogue.models import CatalogueChange
from catalogue.search import text_matching
from catalogue.search.facet_index import latest_log_entry
from catalogue.search.indexing import search_index_update, weighted_texts
from catalogue.search.words import WebSearchQuery, indexed_text, parse_web_search, typo_distance
from descriptors.models import LearningOpportunity

# How much a match in each part of a record counts (title > outcomes and skills > description >
# provider names), as the database engine's A/B/C/D weights do.
FIELD_BOOSTS = {"title": 4.0, "outcomes": 2.0, "description": 1.0, "providers": 0.5}
# A word found only in its stemmed form, or only within a few edits, counts for less than the
# word itself, so exact matches rank first.
STEM_BOOST = 0.5
TYPO_BOOST = 0.3
# Only words found in fewer records than this are widened to their word forms.
WIDEN_BELOW = 1000


@dataclass(frozen=True)
class TextDocument:
    """What a text engine indexes for one opportunity: accent-free words per weighted part."""

    id: int
    title: str
    outcomes: str
    description: str
    providers: str

    @property
    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELD_BOOSTS}


def text_documents(ids: Iterable[int]) -> list[TextDocument]:
    """The documents of these opportunities (those that no longer exist are left out)."""
    ids = sorted(set(ids))
    texts = weighted_texts(ids)
    existing = set(LearningOpportunity.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return [
        TextDocument(
            id=pk,
            **{
                name: indexed_text(texts[pk][weight])
                for name, weight in zip(FIELD_BOOSTS, "ABCD", strict=True)
            },
        )
        for pk in ids
        if pk in existing
    ]


@dataclass
class TextMatches:
    """Every opportunity matching a query, and how to rank any of them.

    Engines that score while matching pass ``scores``; the database engine ranks later, only
    the matches left after the filters, because ranking is its costly part."""

    ids: np.ndarray
    scores: np.ndarray | None = None
    rank: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    # Each misspelt word and the word searched instead (the page and the API say so).
    corrections: dict[str, str] = field(default_factory=dict)
    # Not every word had to match: all of them together found too little.
    optional: bool = False
    # With optional words: the ids that have every word (they rank first).
    with_every_word: np.ndarray | None = None
    # The query as searched (corrected, widened), for snippets; None: the words as typed.
    query: text_matching.TextQuery | None = None
    # The query only leaves words out: the matches are the records *not* in ``ids``, all as
    # relevant as each other.
    excluding: bool = False

    def relevance(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids, relevance) for the matches among ``ids``; higher is more relevant."""
        if self.excluding:
            return np.asarray(ids), np.zeros(len(ids))
        if self.scores is None:
            return self.rank(ids)
        keep = np.isin(self.ids, ids)
        return self.ids[keep], self.scores[keep]


NO_MATCHES = TextMatches(np.zeros(0, np.int64), np.zeros(0))


class TextEngine(Protocol):
    def search(self, text: str, *, verbatim: bool = False) -> TextMatches:
        """Every opportunity whose text matches the query (web-search syntax)."""

    def documents_update(self, ids: Iterable[int]) -> None:
        """Re-read these opportunities from the database; drop those that are gone."""


class DatabaseTextEngine:
    """The default: PostgreSQL's GIN-indexed tsvector, or matching in Python on SQLite, with
    misspelt words corrected and word forms found through the vocabulary tables."""

    def search(self, text: str, *, verbatim: bool = False) -> TextMatches:
        found = text_matching.text_search(text, verbatim=verbatim)
        return TextMatches(
            found.ids,
            rank=lambda ids: text_matching.text_relevance(found, ids),
            corrections=found.query.corrections,
            optional=found.query.optional,
            with_every_word=found.with_every_word,
            query=found.query,
        )

    def documents_update(self, ids: Iterable[int]) -> None:
        search_index_update(ids)


_chosen: TextEngine | None = None
_configured: dict[tuple[str, str], TextEngine] = {}
_configured_lock = threading.Lock()


def text_engine() -> TextEngine:
    """The engine the selectors ask: one put in place by ``text_engine_use``, else the one
    settings.OCLO_TEXT_ENGINE names ("database", or "tantivy" in OCLO_TEXT_INDEX_DIR)."""
    if _chosen is not None:
        return _chosen
    key = (settings.OCLO_TEXT_ENGINE, str(settings.OCLO_TEXT_INDEX_DIR))
    engine = _configured.get(key)
    if engine is None:
        with _configured_lock:
            engine = _configured.get(key)
            if engine is None:
                engine = _configured[key] = _engine_from_settings(*key)
    return engine


def _engine_from_settings(name: str, directory: str) -> TextEngine:
    if name == "database":
        return DatabaseTextEngine()
    if name == "tantivy":
        return FollowingTextEngine(TantivyTextEngine(Path(directory)))
    raise ImproperlyConfigured(f'OCLO_TEXT_ENGINE is "database" or "tantivy", not "{name}"')


def text_index_catch_up(*, rebuild: bool = False) -> int | None:
    """Bring this machine's text index up to date with the change log now (a deploy step, or
    gunicorn's master before it forks), instead of on the first search; ``rebuild`` starts it
    over. Returns how many opportunities were indexed, or None for an engine that keeps no
    index of its own (the database engine)."""
    engine = text_engine()
    if not isinstance(engine, FollowingTextEngine):
        return None
    if rebuild:
        engine.forget_indexed()
    return engine.catch_up()


def text_engine_use(engine: TextEngine | None) -> TextEngine | None:
    """Put another engine behind search (benchmarks, tests), or None for the configured one;
    returns the previous choice."""
    global _chosen
    previous, _chosen = _chosen, engine
    return previous


class TantivyTextEngine:
    """An embedded tantivy index in a directory: exact accent-free words per weighted field,
    plus an English-stemmed copy of all text for word forms (one stemmed field per catalogue
    language is the production shape, see decision record 0011)."""

    def __init__(self, path: Path | None = None, *, stem_language: str = "english"):
        import tantivy

        # Whether single words also match their word forms and, when unknown, their typos.
        self.widen = True

        self._tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        for name in FIELD_BOOSTS:
            # Text arrives as OCLO's own accent-free words, so splitting on spaces gives the
            # same tokens as the database engine and as parsed queries.
            builder.add_text_field(name, tokenizer_name="words")
        builder.add_text_field("stems", tokenizer_name="stems")
        self.schema = builder.build()
        self.directory = path
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path) if path else None, reuse=True)
        self.index.register_tokenizer(
            "words", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        )
        self._stemmer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.stemmer(stem_language))
            .build()
        )
        self.index.register_tokenizer("stems", self._stemmer)

    def documents_add(self, documents: Iterable[TextDocument]) -> None:
        """Index these documents, replacing earlier versions, and make them searchable."""
        writer = self.index.writer(heap_size=64_000_000, num_threads=1)
        for document in documents:
            writer.delete_documents_by_term("id", document.id)
            writer.add_document(
                self._tantivy.Document(
                    id=document.id,
                    **document.fields,
                    stems=" ".join(document.fields.values()),
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def documents_remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        writer = self.index.writer(heap_size=15_000_000, num_threads=1)
        for pk in ids:
            writer.delete_documents_by_term("id", pk)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def documents_update(self, ids: Iterable[int]) -> None:
        ids = set(ids)
        documents = text_documents(ids)
        self.documents_remove(ids - {document.id for document in documents})
        self.documents_add(documents)

    def exact_words(self) -> "TantivyTextEngine":
        """The same index, matching the exact words only, as the database engine does (to
        compare the engines on the same matches)."""
        engine = copy.copy(self)
        engine.widen = False
        return engine

    def search_all_ids(self) -> np.ndarray:
        """Every opportunity the index holds."""
        searcher = self.index.searcher()
        if not searcher.num_docs:
            return np.zeros(0, np.int64)
        hits = searcher.search(self._tantivy.Query.all_query(), limit=searcher.num_docs).hits
        return np.asarray(searcher.fast_field_values("id", [a for _, a in hits]), np.int64)

    def search(self, text: str, *, verbatim: bool = False) -> TextMatches:
        query = self._query(parse_web_search(text))
        searcher = self.index.searcher()
        if query is None or not searcher.num_docs:
            return NO_MATCHES
        hits = searcher.search(query, limit=searcher.num_docs, count=False).hits
        # Plain indexing beats unpacking here: 5 ms against 30 ms for 150,000 hits.
        scores = np.array([hit[0] for hit in hits], np.float64)
        ids = searcher.fast_field_values("id", [hit[1] for hit in hits])
        return TextMatches(np.array(ids, np.int64), scores)

    def _query(self, parsed: WebSearchQuery):
        Query, Occur = self._tantivy.Query, self._tantivy.Occur
        if not parsed.required:
            return None
        clauses = [
            (Occur.Must, Query.boolean_query([(Occur.Should, self._term(t)) for t in group]))
            for group in parsed.required
        ] + [(Occur.MustNot, self._term(term)) for term in parsed.excluded]
        return Query.boolean_query(clauses)

    def _term(self, term: str):
        """One word or phrase in any field, weighted by field; a single word also matches its
        word forms, and, when the catalogue does not have it, the words a typo away."""
        Query, Occur = self._tantivy.Query, self._tantivy.Occur
        schema, parts = self.schema, term.split()
        if len(parts) > 1:
            alternatives = [
                Query.boost_query(Query.phrase_query(schema, name, parts), boost)
                for name, boost in FIELD_BOOSTS.items()
            ]
        else:
            alternatives = [
                Query.boost_query(Query.term_query(schema, name, term), boost)
                for name, boost in FIELD_BOOSTS.items()
            ]
            if self.widen:
                alternatives += self._word_forms_and_typos(term)
        return Query.boolean_query([(Occur.Should, query) for query in alternatives])

    def _word_forms_and_typos(self, term: str) -> list:
        """Word forms for a word that few records have as such, and the words a typo away for
        one that none has: widening a common word would hand over most of the catalogue
        (`management` -> `manag*`: 66% of it at 1M, 2 s; decision record 0011)."""
        Query, schema = self._tantivy.Query, self.schema
        searcher = self.index.searcher()
        frequency = max(searcher.doc_freq(name, term) for name in FIELD_BOOSTS)
        if frequency >= WIDEN_BELOW:
            return []
        stem = self._stemmer.analyze(term)[0]
        alternatives = [Query.boost_query(Query.term_query(schema, "stems", stem), STEM_BOOST)]
        if not frequency and len(term) >= 4:
            alternatives.append(
                Query.boost_query(
                    Query.fuzzy_term_query(schema, "stems", stem, distance=typo_distance(term)),
                    TYPO_BOOST,
                )
            )
        return alternatives


class FollowingTextEngine:
    """An engine on this machine's own index, kept current from the change log: before each
    search it applies the changes logged since the sequence its index holds (the first search
    on an empty index indexes everything, as the facet snapshot's first build does).

    One process at a time can write an index: a search that finds the writer busy answers from
    the index as it is, and sees the other process's commit on a later search."""

    SEQUENCE_FILE = "oclo-log-sequence"

    def __init__(self, engine: TantivyTextEngine):
        self.engine = engine
        self._lock = threading.Lock()

    @property
    def _sequence_path(self) -> Path:
        return Path(self.engine.directory) / self.SEQUENCE_FILE

    def indexed_sequence(self) -> int | None:
        """The newest log entry the index holds; None for an index never built."""
        try:
            return int(self._sequence_path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def forget_indexed(self) -> None:
        """The next catch-up indexes everything again, and drops what the log no longer has."""
        self._sequence_path.unlink(missing_ok=True)

    def catch_up(self) -> int:
        """Apply what the log holds beyond the index; returns how many opportunities changed."""
        latest, _ = latest_log_entry()
        indexed = self.indexed_sequence()
        if latest == indexed or not self._lock.acquire(blocking=False):
            return 0
        try:
            if indexed is None or indexed > latest:  # a new index, or a database restored behind it
                changed = set(LearningOpportunity.objects.values_list("pk", flat=True))
                changed |= set(self.engine.search_all_ids())
            else:
                changed = set(
                    CatalogueChange.objects.filter(sequence__gt=indexed, sequence__lte=latest)
                    .order_by()
                    .values_list("opportunity_id", flat=True)
                    .distinct()
                )
            try:
                self.engine.documents_update(changed)
            except ValueError as error:  # tantivy: "Failed to acquire Lockfile: LockBusy"
                if "LockBusy" not in str(error):
                    raise
                return 0
            # Written after the commit: a crash in between re-applies these changes, which
            # re-reads the same rows (at least once, never lost).
            temporary = self._sequence_path.with_suffix(".tmp")
            temporary.write_text(str(latest))
            temporary.replace(self._sequence_path)
            return len(changed)
        finally:
            self._lock.release()

    def search(self, text: str, *, verbatim: bool = False) -> TextMatches:
        self.catch_up()
        return self.engine.search(text, verbatim=verbatim)

    def documents_update(self, ids: Iterable[int]) -> None:
        self.engine.documents_update(ids)


class OpenSearchTextEngine:
    """The same interface on OpenSearch (or Elasticsearch): for a catalogue whose text index no
    longer fits one machine. ``client`` needs opensearch-py's ``bulk(body=...)`` and
    ``search(index=..., body=...)``; one search returns every matching id with its score."""

    def __init__(self, client: Any, index: str = "oclo-opportunities", *, page: int = 10_000):
        self.client, self.index_name, self.page = client, index, page

    def documents_update(self, ids: Iterable[int]) -> None:
        ids = set(ids)
        documents = text_documents(ids)
        body: list[dict] = []
        for document in documents:
            body += [{"index": {"_index": self.index_name, "_id": document.id}}, document.fields]
        for pk in sorted(ids - {document.id for document in documents}):
            body.append({"delete": {"_index": self.index_name, "_id": pk}})
        if body:
            self.client.bulk(body=body, refresh=True)

    def search(self, text: str, *, verbatim: bool = False) -> TextMatches:
        parsed = parse_web_search(text)
        ids, scores = [], []
        if parsed.required:
            body = {"query": opensearch_query(parsed), "size": self.page, "_source": False}
            # search_after pages through every match, however many, in score order.
            body["sort"] = [{"_score": "desc"}, {"_id": "asc"}]
            while True:
                hits = self.client.search(index=self.index_name, body=body)["hits"]["hits"]
                ids += [int(hit["_id"]) for hit in hits]
                scores += [hit["_score"] for hit in hits]
                if len(hits) < self.page:
                    break
                body["search_after"] = hits[-1]["sort"]
        return TextMatches(np.asarray(ids, np.int64), np.asarray(scores, np.float64))


def opensearch_query(parsed: WebSearchQuery) -> dict:
    """A parsed web search as OpenSearch query DSL, with the field weights of every engine and
    OpenSearch's own typo tolerance (``fuzziness: AUTO``) on single words."""
    fields = [f"{name}^{boost:g}" for name, boost in FIELD_BOOSTS.items()]

    def exact(term: str) -> dict:
        return {"multi_match": {"query": term, "type": "phrase", "fields": fields}}

    def clause(term: str) -> dict:
        if " " in term:
            return exact(term)
        typo = {"query": term, "fields": fields, "fuzziness": "AUTO", "boost": TYPO_BOOST}
        return {"bool": {"should": [exact(term), {"multi_match": typo}]}}

    return {
        "bool": {
            "must": [
                {"bool": {"should": [clause(t) for t in group], "minimum_should_match": 1}}
                for group in parsed.required
            ],
            "must_not": [exact(term) for term in parsed.excluded],
        }
    }
