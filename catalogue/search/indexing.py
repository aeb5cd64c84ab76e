"""Keeps each opportunity's search document and the change log current.

Signal handlers call ``opportunity_changed`` on every save or delete that alters what search
sees (the opportunity, its translations, outcomes, skills, many-to-many descriptors). Writes
run inside ``descriptors.services.opportunity_changes()``, which defers this work to the end of
the write, inside its transaction: each opportunity is re-indexed once and gets one log entry,
committed with the record or not at all.
"""

import contextlib
import threading
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from catalogue.models import CatalogueChange, SearchDocument, SearchWord, SearchWordStem
from catalogue.search.words import indexed_text, word_stems
from descriptors.completeness import completeness_scores
from descriptors.models import LearningOpportunity, LearningOutcome, OpportunityTranslation
from taxonomies.models import EscoSkill, EscoSkillLabel

_state = threading.local()
WEIGHTS = ("A", "B", "C", "D")


def weighted_texts(ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """The searchable text of each opportunity by ranking weight, read with flat queries."""
    texts = {pk: {weight: [] for weight in WEIGHTS} for pk in ids}
    for pk, title, description, provider, host in LearningOpportunity.objects.filter(
        pk__in=ids
    ).values_list("pk", "title", "description", "provider__name", "hosted_by__name"):
        texts[pk]["A"].append(title)
        texts[pk]["C"].append(description)
        texts[pk]["D"] += [provider, host or ""]
    for pk, title, description in OpportunityTranslation.objects.filter(
        opportunity_id__in=ids
    ).values_list("opportunity_id", "title", "description"):
        texts[pk]["A"].append(title)
        texts[pk]["C"].append(description)
    for pk, name in LearningOpportunity.co_providers.through.objects.filter(
        learningopportunity_id__in=ids
    ).values_list("learningopportunity_id", "organisation__name"):
        texts[pk]["D"].append(name)
    outcome_opportunity = {}
    for outcome, pk, title, translations in LearningOutcome.objects.filter(
        opportunity_id__in=ids
    ).values_list("pk", "opportunity_id", "title", "title_translations"):
        outcome_opportunity[outcome] = pk
        texts[pk]["B"] += [title, *translations.values()]
    # By the outcomes' ids rather than joined to the outcomes: with planner statistics a
    # little behind a bulk load, PostgreSQL hashed the join over every outcome-skill row. In
    # slices, as a query takes a bounded number of parameters (SQLite 32,766, psycopg 65,535).
    outcomes = list(outcome_opportunity)
    links = {
        (outcome_opportunity[outcome], skill)
        for start in range(0, len(outcomes), OUTCOMES_A_QUERY)
        for outcome, skill in LearningOutcome.skills.through.objects.filter(
            learningoutcome_id__in=outcomes[start : start + OUTCOMES_A_QUERY]
        ).values_list("learningoutcome_id", "escoskill_id")
    }
    skill_texts = _skill_texts({skill for _, skill in links})
    for pk, skill in sorted(links):
        texts[pk]["B"].append(skill_texts[skill])
    return texts


def _skill_texts(skill_ids: set[int]) -> dict[int, str]:
    """Preferred, alternative and other-language labels of each skill, as one string."""
    texts = {
        pk: f"{preferred} {alternative}"
        for pk, preferred, alternative in EscoSkill.objects.filter(pk__in=skill_ids).values_list(
            "pk", "preferred_label", "alt_labels"
        )
    }
    for pk, preferred, alternative in EscoSkillLabel.objects.filter(
        skill_id__in=skill_ids
    ).values_list("skill_id", "preferred_label", "alt_labels"):
        texts[pk] += f" {preferred} {alternative}"
    return texts


CHUNK = 500
OUTCOMES_A_QUERY = 10_000
TOUCHED_A_TRANSACTION = 5_000
UPSERT_POSTGRES = (
    "INSERT INTO catalogue_searchdocument "
    "(opportunity_id, document, vector, title_vector, completeness) "
    "VALUES (%(id)s, '', "
    "setweight(to_tsvector('oclo', %(A)s), 'A') || setweight(to_tsvector('oclo', %(B)s), 'B') || "
    "setweight(to_tsvector('oclo', %(C)s), 'C') || setweight(to_tsvector('oclo', %(D)s), 'D'), "
    "setweight(to_tsvector('oclo', %(A)s), 'A'), %(completeness)s) "
    "ON CONFLICT (opportunity_id) DO UPDATE SET document = EXCLUDED.document, "
    "vector = EXCLUDED.vector, title_vector = EXCLUDED.title_vector, "
    "completeness = EXCLUDED.completeness"
)


def search_index_update(opportunity_ids: Iterable[int]) -> None:
    """Rebuild the search documents of these opportunities (missing ones are dropped)."""
    ids = sorted(set(opportunity_ids))
    for start in range(0, len(ids), CHUNK):
        _update_chunk(ids[start : start + CHUNK])


def _update_chunk(ids: list[int]) -> None:
    texts = weighted_texts(ids)
    scores = completeness_scores(ids)
    existing = set(scores)
    rows, vocabulary = [], set()
    for pk in sorted(existing):
        # Split into words here, not by PostgreSQL's parser, which keeps "asp.net" whole:
        # every database and every query then sees the same words.
        parts = {weight: indexed_text(texts[pk][weight]) for weight in WEIGHTS}
        document = " ".join(parts.values())
        vocabulary.update(document.split())
        rows.append({"id": pk, "document": document, "completeness": scores[pk], **parts})
    vocabulary = {word for word in vocabulary if 2 < len(word) <= 100}
    with transaction.atomic():
        SearchDocument.objects.filter(opportunity_id__in=set(ids) - existing).delete()
        _vocabulary_add(vocabulary)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.executemany(UPSERT_POSTGRES, rows)
        else:
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(
                        opportunity_id=row["id"],
                        document=row["document"],
                        completeness=row["completeness"],
                    )
                    for row in rows
                ],
                update_conflicts=True,
                unique_fields=["opportunity"],
                update_fields=["document", "completeness"],
            )


def _vocabulary_add(vocabulary: set[str]) -> None:
    """Add new words to the vocabulary, with their stems (the words' forms are found by)."""
    # Sorted, so that processes indexing side by side lock shared words in one order.
    ordered = sorted(vocabulary)
    table = SearchWord._meta.db_table
    # RETURNING names only the words that were new (both databases support it).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter rather than a placeholder a word: composing statements of
            # thousands of placeholders took the driver as long as running them took
            # PostgreSQL (this halves the time).
            cursor.execute(
                f"INSERT INTO {table} (word) SELECT unnest(%s::text[]) "
                "ON CONFLICT DO NOTHING RETURNING word",
                [ordered],
            )
            added = [row[0] for row in cursor.fetchall()]
        else:
            added = []
            for start in range(0, len(ordered), CHUNK):
                batch = ordered[start : start + CHUNK]
                cursor.execute(
                    f"INSERT INTO {table} (word) VALUES "
                    + ", ".join(["(%s)"] * len(batch))
                    + " ON CONFLICT DO NOTHING RETURNING word",
                    batch,
                )
                added += [row[0] for row in cursor.fetchall()]
    word_stems_add(added)


def word_stems_add(added: list[str]) -> None:
    """Record the stems of these words (words shorter than 4 letters have no other forms)."""
    SearchWordStem.objects.bulk_create(
        [
            SearchWordStem(stem=stem, word=word)
            for word in added
            if len(word) >= 4
            for stem in word_stems(word)
            if len(stem) <= 100
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


def _log(events: dict[int, str], *, reindex: bool = True) -> None:
    """Re-index these opportunities and give each one change-log entry.

    ``events`` says what happened to each (deleted or not); the entry's kind is what a reader
    of the feed must do, decided now and never rewritten: ``deleted`` for a record that is
    gone, ``unpublished`` for one that is not public (a harvester must not keep it),
    ``created`` for one that is public and was not at its previous entry, else ``updated``.
    """
    if not events:
        return
    ids = list(events)
    statuses = dict(LearningOpportunity.objects.filter(pk__in=ids).values_list("pk", "status"))
    if reindex:
        search_index_update(statuses)
    public = [
        pk for pk, status in statuses.items() if status == LearningOpportunity.Status.PUBLISHED
    ]
    # Each record's latest entry read on its own (the newest in its index), not grouped over
    # the entries of all of them: for a batch, PostgreSQL scanned the whole log to group it.
    last_kind = (
        CatalogueChange.objects.filter(opportunity_id=OuterRef("pk"))
        .order_by("-sequence")
        .values("kind")[:1]
    )
    already_public = set(
        LearningOpportunity.objects.filter(pk__in=public)
        .annotate(last_kind=Subquery(last_kind))
        .filter(last_kind__isnull=False)
        .exclude(last_kind__in=[CatalogueChange.Kind.UNPUBLISHED, CatalogueChange.Kind.DELETED])
        .order_by()
        .values_list("pk", flat=True)
    )
    entries = []
    for pk in sorted(ids):
        if pk not in statuses:
            kind = CatalogueChange.Kind.DELETED
        elif statuses[pk] != LearningOpportunity.Status.PUBLISHED:
            kind = CatalogueChange.Kind.UNPUBLISHED
        elif pk in already_public:
            kind = CatalogueChange.Kind.UPDATED
        else:
            kind = CatalogueChange.Kind.CREATED
        entries.append(CatalogueChange(opportunity_id=pk, kind=kind))
    CatalogueChange.objects.bulk_create(entries)


def opportunity_deletion_started(opportunity_id: int) -> None:
    """While an opportunity's children are cascade-deleted, their changes are not re-indexed
    (that would recreate the search document of a row about to disappear)."""
    _deleting().add(opportunity_id)


def _deleting() -> set[int]:
    if not hasattr(_state, "deleting"):
        _state.deleting = set()
    return _state.deleting


def opportunity_changed(opportunity_id: int, event: str = CatalogueChange.Kind.UPDATED) -> None:
    """Re-index one opportunity and log the change (``event``: created, updated or deleted),
    now or when the deferred block ends."""
    if event == CatalogueChange.Kind.DELETED:
        _deleting().discard(opportunity_id)
    elif opportunity_id in _deleting():
        return
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending[opportunity_id] = _stronger(pending.get(opportunity_id), event)
        return
    _log({opportunity_id: event})


def _stronger(previous: str | None, event: str) -> str:
    # Within one deferred block "created" or "deleted" wins over later updates.
    order = [
        CatalogueChange.Kind.UPDATED,
        CatalogueChange.Kind.CREATED,
        CatalogueChange.Kind.DELETED,
    ]
    if previous is None:
        return event
    return max(previous, event, key=order.index)


def indexing_deferral_start() -> None:
    """From now on collect changes; blocks may nest, the outermost one indexes."""
    _state.depth = getattr(_state, "depth", 0) + 1
    if _state.depth == 1:
        _state.pending = {}


def indexing_deferral_end(*, completed: bool = True) -> None:
    """Re-index and log each opportunity touched since the outermost start, once (unless the
    block failed: its writes were rolled back). Writers end the block inside their transaction,
    so the records, their search documents and their log entries commit together."""
    _state.depth -= 1
    if _state.depth:
        return
    pending, _state.pending = _state.pending, None
    if completed:
        _log(pending)


@contextlib.contextmanager
def deferred_indexing() -> Iterator[None]:
    """Collect changes and re-index each touched opportunity once, at the end."""
    indexing_deferral_start()
    try:
        yield
    except BaseException:
        indexing_deferral_end(completed=False)
        raise
    indexing_deferral_end()


def opportunities_bulk_changed(opportunity_ids: list[int], event: str) -> None:
    """For bulk writers that bypass signals: index these opportunities and log the change."""
    _log(dict.fromkeys(opportunity_ids, event))


def opportunities_touched(opportunity_ids: Iterable[int], *, reindex: bool = False) -> None:
    """For changes to what opportunities show that are not their own rows (a recognition
    agreement approved, a vocabulary's label): log an update so that facet counts, ETags and
    cached answers move on; ``reindex`` when the change is part of their searched text (a
    skill's labels). A vocabulary change may touch most of the catalogue: a slice at a time."""
    ids = sorted(set(opportunity_ids))
    for start in range(0, len(ids), TOUCHED_A_TRANSACTION):
        with transaction.atomic():
            _log(
                dict.fromkeys(
                    ids[start : start + TOUCHED_A_TRANSACTION], CatalogueChange.Kind.UPDATED
                ),
                reindex=reindex,
            )


def search_index_rebuild() -> int:
    """Re-index every opportunity (after an upgrade or a raw SQL import)."""
    ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
    search_index_update(ids)
    return len(ids)
