"""Keeps each opportunity's search document and the change log current.

Signal handlers call ``opportunity_changed`` on every save or delete that alters what search
sees (the opportunity, its translations, outcomes, skills, many-to-many descriptors). Bulk
writers wrap their work in ``deferred_indexing()`` so that each opportunity is re-indexed once.
"""

import contextlib
import threading
from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from catalogue.models import CatalogueChange, SearchDocument, SearchWord
from catalogue.text import words
from descriptors.models import LearningOpportunity

_state = threading.local()
WEIGHTS = ("A", "B", "C", "D")


def _parts(opportunity: LearningOpportunity) -> dict[str, str]:
    """The searchable text of an opportunity by ranking weight."""
    translations = list(opportunity.translations.all())
    skills = [skill for outcome in opportunity.outcomes.all() for skill in outcome.skills.all()]
    outcome_texts = []
    for outcome in opportunity.outcomes.all():
        outcome_texts.append(outcome.title)
        outcome_texts.extend(outcome.title_translations.values())
    skill_texts = []
    for skill in skills:
        skill_texts += [skill.preferred_label, skill.alt_labels]
        skill_texts += [label.preferred_label for label in skill.labels.all()]
    organisations = [opportunity.provider, *opportunity.co_providers.all()]
    if opportunity.hosted_by:
        organisations.append(opportunity.hosted_by)
    return {
        "A": " ".join([opportunity.title, *(t.title for t in translations)]),
        "B": " ".join(outcome_texts + skill_texts),
        "C": " ".join([opportunity.description, *(t.description for t in translations)]),
        "D": " ".join(organisation.name for organisation in organisations),
    }


def search_index_update(opportunity_ids: Iterable[int]) -> None:
    """Rebuild the search documents of these opportunities (missing ones are dropped)."""
    ids = sorted(set(opportunity_ids))
    if not ids:
        return
    opportunities = (
        LearningOpportunity.objects.filter(pk__in=ids)
        .select_related("provider", "hosted_by")
        .prefetch_related("translations", "co_providers", "outcomes__skills__labels")
    )
    documents, vocabulary, vectors = [], set(), []
    for opportunity in opportunities:
        parts = _parts(opportunity)
        text = " ".join(words(" ".join(parts.values())))
        documents.append(SearchDocument(opportunity_id=opportunity.pk, document=text))
        vocabulary.update(word for word in text.split() if 2 < len(word) <= 100)
        vectors.append([*(parts[weight] for weight in WEIGHTS), opportunity.pk])
    with transaction.atomic():
        SearchDocument.objects.filter(opportunity_id__in=ids).exclude(
            opportunity_id__in=[document.opportunity_id for document in documents]
        ).delete()
        SearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["opportunity"],
            update_fields=["document"],
        )
        SearchWord.objects.bulk_create(
            [SearchWord(word=word) for word in vocabulary], ignore_conflicts=True
        )
        if connection.vendor == "postgresql" and vectors:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE catalogue_searchdocument SET vector = "
                    "setweight(to_tsvector('oclo', %s), 'A') || "
                    "setweight(to_tsvector('oclo', %s), 'B') || "
                    "setweight(to_tsvector('oclo', %s), 'C') || "
                    "setweight(to_tsvector('oclo', %s), 'D') "
                    "WHERE opportunity_id = %s",
                    vectors,
                )


def _record(opportunity_ids: set[int], kinds: dict[int, str]) -> None:
    CatalogueChange.objects.bulk_create(
        [
            CatalogueChange(opportunity_id=pk, kind=kinds.get(pk, CatalogueChange.Kind.UPDATED))
            for pk in sorted(opportunity_ids)
        ]
    )


def opportunity_deletion_started(opportunity_id: int) -> None:
    """While an opportunity's children are cascade-deleted, their changes are not re-indexed
    (that would recreate the search document of a row about to disappear)."""
    _deleting().add(opportunity_id)


def _deleting() -> set[int]:
    if not hasattr(_state, "deleting"):
        _state.deleting = set()
    return _state.deleting


def opportunity_changed(opportunity_id: int, kind: str = CatalogueChange.Kind.UPDATED) -> None:
    """Re-index one opportunity and log the change, now or when the deferred block ends."""
    if kind == CatalogueChange.Kind.DELETED:
        _deleting().discard(opportunity_id)
    elif opportunity_id in _deleting():
        return
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending[opportunity_id] = _stronger(pending.get(opportunity_id), kind)
        return
    if kind != CatalogueChange.Kind.DELETED:
        search_index_update([opportunity_id])
    _record({opportunity_id}, {opportunity_id: kind})


def _stronger(previous: str | None, kind: str) -> str:
    # Within one deferred block "created" or "deleted" wins over later updates.
    order = [
        CatalogueChange.Kind.UPDATED,
        CatalogueChange.Kind.UNPUBLISHED,
        CatalogueChange.Kind.CREATED,
        CatalogueChange.Kind.DELETED,
    ]
    if previous is None:
        return kind
    return max(previous, kind, key=order.index)


@contextlib.contextmanager
def deferred_indexing() -> Iterator[None]:
    """Collect changes and re-index each touched opportunity once, at the end."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = {}
    try:
        yield
        pending = _state.pending
    finally:
        _state.pending = None
    search_index_update(pk for pk, kind in pending.items() if kind != CatalogueChange.Kind.DELETED)
    _record(set(pending), pending)


def search_index_rebuild() -> int:
    """Re-index every opportunity (after an upgrade or a raw SQL import)."""
    ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        search_index_update(ids[start : start + 1000])
    return len(ids)
