"""The one write path: every writer (admin, API, spreadsheet and ELM imports, demo loader)
creates or changes opportunities through ``opportunities_bulk_save`` (``opportunity_save`` is
its one-record form): one transaction that writes the records, one history entry each, and,
before it commits, their search documents and one change-log entry each
(``opportunity_changes``). A record whose values are all as stored is left alone: no history,
no log entry, and ``modified`` keeps its date. Children keep their rows (and ids) where they
are unchanged.
"""

import contextlib
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from descriptors.models import LearningOpportunity, history_system_writer
from descriptors.services.rows import relation_links, rows_delete, rows_insert, rows_update
from descriptors.services.stored import (
    CHILD_FIELDS,
    CHILD_RELATIONS,
    CHILDREN,
    UPDATED_FIELDS,
    OpportunityWrite,
    Stored,
    children_pair,
    opportunities_stored,
    pk_of,
)
from descriptors.signals import bulk_write, opportunities_bulk_saved


@contextlib.contextmanager
def opportunity_changes() -> Iterator[None]:
    """A transaction in which opportunities change: each one touched is re-indexed and gets
    one change-log entry when the block ends, before it commits (so a killed process never
    leaves a record without them). Blocks nest; the outermost one does the work."""
    with transaction.atomic(), bulk_write():
        yield


def opportunities_bulk_save(
    *,
    writes: list[OpportunityWrite],
    change_reason: str,
    changed_by=None,
    stored: dict[int, Stored] | None = None,
) -> None:
    """Write many validated opportunities (see ``opportunity_validate``) with a few queries per
    table instead of dozens per record. Sets each write's ``action``; a write that changes
    nothing is ``unchanged`` and touches nothing. ``stored`` is what the caller already read
    with ``opportunities_stored`` (read here otherwise).

    Model signals do not fire for bulk writes, so ``opportunities_bulk_saved`` tells listeners
    what changed, and each opportunity gets one history entry with its many-to-many values.
    """
    with opportunity_changes():
        existing = [write for write in writes if write.opportunity.pk is not None]
        if stored is None:
            stored = opportunities_stored(write.opportunity.pk for write in existing)
        for write in writes:
            record = stored.get(write.opportunity.pk)
            if write.opportunity.pk is None:
                write.action = "created"
            else:
                write.action = "updated" if record is None or record.differs(write) else "unchanged"
        writes = [write for write in writes if write.action != "unchanged"]
        new = [write.opportunity for write in writes if write.action == "created"]
        changed = [write.opportunity for write in writes if write.action == "updated"]
        for opportunity in (*new, *changed):
            opportunity.publication_dated()
        LearningOpportunity.objects.bulk_create(new)
        now = timezone.now()
        for opportunity in changed:
            opportunity.modified = now
        rows_update(changed, UPDATED_FIELDS)
        for name in sorted({name for write in writes for name in write.relations}):
            _relation_replace(
                LearningOpportunity._meta.get_field(name),
                [write for write in writes if name in write.relations],
                stored,
            )
        _children_sync(writes, stored)
        for opportunities, update in ((new, False), (changed, True)):
            history = LearningOpportunity.history.bulk_history_create(
                opportunities,
                update=update,
                default_change_reason=change_reason or history_system_writer(),
                default_user=changed_by,
            )
            _history_relations_record(history or [])
        opportunities_bulk_saved.send(sender=LearningOpportunity, created=new, changed=changed)


def opportunities_touch(*, ids: Iterable[int], change_reason: str) -> None:
    """Record that something these opportunities show changed outside their own rows (a
    co-provider was deleted): a new ``modified``, a history entry and a change-log entry each."""
    with opportunity_changes():
        opportunities = list(LearningOpportunity.objects.filter(pk__in=set(ids)))
        now = timezone.now()
        for opportunity in opportunities:
            opportunity.modified = now
        rows_update(opportunities, [LearningOpportunity._meta.get_field("modified")])
        history = LearningOpportunity.history.bulk_history_create(
            opportunities, update=True, default_change_reason=change_reason
        )
        _history_relations_record(history or [])
        opportunities_bulk_saved.send(sender=LearningOpportunity, created=[], changed=opportunities)


def _relation_replace(model_field, writes: list[OpportunityWrite], stored: dict) -> None:
    through, source, target = relation_links(model_field)
    replaced = [write.opportunity.pk for write in writes if write.opportunity.pk in stored]
    through.objects.filter(**{f"{source}__in": replaced}).delete()
    rows_insert(
        through,
        [source, target],
        (
            (write.opportunity.pk, member_id)
            for write in writes
            for member_id in dict.fromkeys(
                pk_of(member) for member in write.relations[model_field.name]
            )
        ),
    )


def _children_sync(writes: list[OpportunityWrite], stored: dict[int, Stored]) -> None:
    """Bring each given kind of child to the write's list: each given child replaces the
    stored one it pairs with (``children_pair``), updated only if it differs, so unchanged
    children keep their ids; stored ones left over are deleted, missing ones added.

    Not through model saves and deletes: their signals would write a history entry and re-index
    the opportunity per child, which the opportunity's entry and its re-index already cover.
    """
    for kind in CHILDREN:
        changes = _ChildChanges(kind)
        for write in writes:
            rows = write.children.get(kind)
            if rows is not None:
                record = stored.get(write.opportunity.pk)
                changes.add(write.opportunity.pk, record.children[kind] if record else [], rows)
        changes.apply()


class _ChildChanges:
    """The inserts, updates, deletes and many-to-many links one kind of child needs."""

    def __init__(self, kind: str):
        self.kind, self.model = kind, CHILDREN[kind]
        self.relation_names = CHILD_RELATIONS.get(kind, [])
        self.inserts, self.updates, self.deletes, self.relink = [], [], [], []

    def add(self, opportunity_id: int, old: list[tuple[int, dict]], rows: list[dict]) -> None:
        pairs, unpaired = children_pair(self.kind, old, rows)
        self.deletes += unpaired
        for previous, row in pairs:
            values = {
                name: value
                for name, value in row.items()
                if name != "id" and name not in self.relation_names
            }
            if previous is None:
                child = self.model(opportunity_id=opportunity_id, **values)
                self.inserts.append(child)
                self.relink += [(child, name, row[name]) for name in self.relation_names]
                continue
            pk, old_row = previous
            if {name: old_row[name] for name in values} != values:
                self.updates.append(self.model(pk=pk, opportunity_id=opportunity_id, **values))
            self.relink += [
                (self.model(pk=pk), name, row[name])
                for name in self.relation_names
                if set(old_row[name]) != set(row[name])
            ]

    def apply(self) -> None:
        for name in self.relation_names:
            links, source, _target = relation_links(self.model._meta.get_field(name))
            stale = self.deletes + [
                child.pk for child, relation, _ in self.relink if relation == name and child.pk
            ]
            rows_delete(links, source, stale)
        rows_delete(self.model, "id", self.deletes)
        rows_update(self.updates, CHILD_FIELDS[self.kind])
        self.model.objects.bulk_create(self.inserts)
        for name in self.relation_names:
            links, source, target = relation_links(self.model._meta.get_field(name))
            rows_insert(
                links,
                [source, target],
                (
                    (child.pk, member)
                    for child, relation, members in self.relink
                    if relation == name
                    for member in members
                ),
            )


def _history_relations_record(history: list) -> None:
    """The many-to-many values of each new history entry, as a save would have recorded them."""
    historical_model = LearningOpportunity.history.model
    history_ids = {entry.id: entry.history_id for entry in history}
    for m2m_field in historical_model._history_m2m_fields:
        through, source, target = relation_links(m2m_field)
        links = through.objects.filter(**{f"{source}__in": list(history_ids)})
        rows_insert(
            getattr(historical_model, m2m_field.name).model,
            ["history_id", "id", source, target],
            (
                (history_ids[opportunity_id], link_id, opportunity_id, member_id)
                for link_id, opportunity_id, member_id in links.values_list("id", source, target)
            ),
        )
