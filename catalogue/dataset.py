"""The published catalogue as a dataset that portals harvest (the way a national register
publishes to Europass QDR): its records page by page in id order, what left it, and its
metadata. Reads only; the views in ``catalogue.api.dataset`` render them.

A harvester's first pass takes every record; later passes give ``modified_since`` (the
``Date`` of its previous pass's first answer) and get the records changed since and the
withdrawals since. The change log says both: every write, children and organisation names
included, is an entry, and an entry's kind (``unpublished``, ``deleted``) says a record left.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, Max, OuterRef, Q, Subquery

from catalogue.models import CatalogueChange
from catalogue.search.facet_index import latest_log_entry
from descriptors.formats.elm_xml import own_id
from descriptors.models import LearningOpportunity

WITHDRAWN = [CatalogueChange.Kind.UNPUBLISHED, CatalogueChange.Kind.DELETED]


@dataclass(frozen=True)
class DatasetVersion:
    """What identifies the dataset's state: conditional GETs and caches key on it."""

    sequence: int
    modified: datetime | None


@dataclass(frozen=True)
class Withdrawal:
    opportunity_id: int
    kind: str
    withdrawn_at: datetime

    @property
    def iri(self) -> str:
        return record_iri(self.opportunity_id)


def record_iri(pk: int) -> str:
    """A record's stable IRI under ``OCLO_BASE_URL``: the id of the micro-credential's
    learning achievement specification, which its ELM documents carry whatever its editions
    (each edition's learning opportunity has an IRI of its own, see decision 0013)."""
    return own_id("specification", pk)


def dataset_version() -> DatasetVersion:
    sequence, changed_at = latest_log_entry()
    if changed_at is None:
        # Records loaded without the change log (raw fixtures) date the dataset themselves.
        changed_at = LearningOpportunity.objects.aggregate(latest=Max("modified"))["latest"]
    return DatasetVersion(sequence=sequence, modified=changed_at)


def dataset_record_count() -> int:
    return LearningOpportunity.objects.published().count()


def dataset_record_ids(
    *, after_id: int, limit: int, modified_since: datetime | None = None
) -> list[int]:
    """Published records after ``after_id`` in id order, changed since when asked."""
    records = LearningOpportunity.objects.published().filter(pk__gt=after_id)
    if modified_since is not None:
        changed = CatalogueChange.objects.filter(changed_at__gte=modified_since)
        records = records.filter(
            Q(modified__gte=modified_since) | Q(pk__in=changed.values("opportunity_id"))
        )
    return list(records.order_by("pk").values_list("pk", flat=True)[:limit])


def dataset_records(ids: list[int]) -> list[LearningOpportunity]:
    """The records with every descriptor, in the order of ``ids``."""
    detailed = LearningOpportunity.objects.with_detail_data().in_bulk(ids)
    return [detailed[pk] for pk in ids]


def dataset_withdrawals(
    *, after_id: int, limit: int, modified_since: datetime | None = None
) -> list[Withdrawal]:
    """Records that were public and are not now, in id order: each with its last change
    (unpublished or deleted) and when. Since ``modified_since``, only those that left since.
    The log says both: ``created`` is written when a record first becomes public, and a
    record's last entry is ``unpublished`` or ``deleted`` while it is not public."""
    latest = CatalogueChange.objects.filter(opportunity_id=OuterRef("opportunity_id")).order_by(
        "-sequence"
    )
    was_public = CatalogueChange.objects.filter(
        opportunity_id=OuterRef("opportunity_id"), kind=CatalogueChange.Kind.CREATED
    )
    entries = CatalogueChange.objects.filter(
        Exists(was_public),
        opportunity_id__gt=after_id,
        kind__in=WITHDRAWN,
        sequence=Subquery(latest.values("sequence")[:1]),
    )
    if modified_since is not None:
        entries = entries.filter(changed_at__gte=modified_since)
    return [
        Withdrawal(entry.opportunity_id, entry.kind, entry.changed_at)
        for entry in entries.order_by("opportunity_id")[:limit]
    ]
