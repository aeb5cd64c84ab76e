"""Writes on learning opportunities and the people who maintain them."""

import contextlib
import dataclasses
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from descriptors.completeness import Requirement, opportunity_completeness
from descriptors.models import (
    Activity,
    Assessment,
    LearningOpportunity,
    LearningOutcome,
    OpportunityTranslation,
    Organisation,
    OrganisationMember,
    history_system_writer,
)
from descriptors.signals import bulk_write, opportunities_bulk_saved

PROVIDER_STAFF_GROUP = "Provider staff"
# What provider staff may do in the admin; the admin itself narrows every action to their
# own organisation's records.
PROVIDER_STAFF_PERMISSIONS = {
    "descriptors": [
        f"{action}_{model}"
        for model in (
            "learningopportunity",
            "learningoutcome",
            "assessment",
            "activity",
            "opportunitytranslation",
        )
        for action in ("view", "add", "change", "delete")
    ]
    + ["view_organisation"],
    # Concepts for the region's type-ahead (some two thousand NUTS regions).
    "taxonomies": ["view_escoskill", "view_iscedfield", "view_concept"],
}


def provider_staff_group() -> Group:
    """The group that carries provider staff permissions, created or refreshed on demand."""
    group, _ = Group.objects.get_or_create(name=PROVIDER_STAFF_GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in PROVIDER_STAFF_PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(permissions)
    return group


@transaction.atomic
def organisation_member_add(*, user, organisation: Organisation) -> OrganisationMember:
    """Make ``user`` provider staff of ``organisation``: admin access to its records only."""
    member, _ = OrganisationMember.objects.get_or_create(user=user, organisation=organisation)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(provider_staff_group())
    return member


@transaction.atomic
def opportunity_publish(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Make an opportunity public; validates it first, as a save through the form would.
    Publishing does not require completeness: what Annex I or the ELM LOQ profile would still
    want (``opportunity_completeness``) is for the caller to show and confirm."""
    opportunity.full_clean()
    opportunity.status = LearningOpportunity.Status.PUBLISHED
    opportunity.published_at = opportunity.published_at or timezone.now()
    opportunity.save(update_fields=["status", "published_at", "modified"])
    return opportunity


@transaction.atomic
def opportunity_unpublish(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Take a published opportunity back to draft: out of the public catalogue, still
    editable. It keeps the date it was first published."""
    opportunity.status = LearningOpportunity.Status.DRAFT
    opportunity.save(update_fields=["status", "modified"])
    return opportunity


@dataclass
class PublishReport:
    """What a bulk publish did: each record published (with what it still lacks, for a
    warning), or refused with the validation messages that stopped it."""

    published: list[tuple[LearningOpportunity, list[Requirement]]] = dataclasses.field(
        default_factory=list
    )
    refused: list[tuple[LearningOpportunity, list[str]]] = dataclasses.field(default_factory=list)
    already: int = 0


def opportunities_publish(*, opportunities: Iterable[LearningOpportunity]) -> PublishReport:
    """Publish each of ``opportunities`` on its own: one invalid record is refused and
    reported, the others are published. Records already published are left alone (no write,
    no entry in the changes feed)."""
    report = PublishReport()
    for opportunity in opportunities:
        if opportunity.is_public:
            report.already += 1
            continue
        try:
            opportunity_publish(opportunity=opportunity)
        except ValidationError as error:
            report.refused.append((opportunity, error.messages))
            continue
        report.published.append((opportunity, opportunity_completeness(opportunity).missing))
    return report


def opportunities_unpublish(*, opportunities: Iterable[LearningOpportunity]) -> int:
    """Take the published ones of ``opportunities`` back to draft; how many there were."""
    count = 0
    for opportunity in opportunities:
        if opportunity.is_public:
            opportunity_unpublish(opportunity=opportunity)
            count += 1
    return count


REQUIRED_RELATIONS = {
    "languages": _("Give at least one language of instruction."),
    "isced_fields": _("Give at least one ISCED-F field."),
}


def opportunity_validate(
    *,
    opportunity: LearningOpportunity,
    relations: dict[str, list],
    references_resolved: bool = False,
) -> None:
    """Check an opportunity against the admin form's rules; raise ``ValidationError`` with
    field messages.

    ``relations`` are the many-to-many descriptors about to be set. A bulk writer that loaded
    every referenced record itself and checks its identifiers across the whole file
    (``references_resolved``) skips the look-ups that cost a query per record (does each foreign
    key exist, is the identifier unique); ``clean()`` still checks the dates.
    """
    exclude = list(relations)
    if references_resolved:
        exclude += [
            field.name
            for field in opportunity._meta.concrete_fields
            if field.is_relation and getattr(opportunity, field.attname) is not None
        ]
    opportunity.full_clean(
        exclude=exclude,
        validate_unique=not references_resolved,
        validate_constraints=not references_resolved,
    )
    missing = {
        name: [message]
        for name, message in REQUIRED_RELATIONS.items()
        if name in relations and not relations[name]
    }
    if opportunity.pk is None:
        missing |= {
            name: [message] for name, message in REQUIRED_RELATIONS.items() if name not in relations
        }
    if missing:
        raise ValidationError(missing)


# --- The one write path ---------------------------------------------------------------------
#
# Every writer (admin, API, spreadsheet and ELM imports, demo loader) creates or changes
# opportunities through ``opportunities_bulk_save`` (``opportunity_save`` is its one-record
# form): one transaction that writes the records, one history entry each, and, before it
# commits, their search documents and one change-log entry each (``opportunity_changes``).
# A record whose values are all as stored is left alone: no history, no log entry, and
# ``modified`` keeps its date. Children keep their rows (and ids) where they are unchanged.

CHILDREN = {
    "outcomes": LearningOutcome,
    "translations": OpportunityTranslation,
    "assessments": Assessment,
    "activities": Activity,
}


def _child_fields(model) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name != "opportunity"
    ]


CHILD_FIELDS = {kind: _child_fields(model) for kind, model in CHILDREN.items()}


@dataclass
class OpportunityWrite:
    """One opportunity to write: its field values set on ``opportunity`` (``pk`` None when
    new), and the descriptors it replaces, each only when given (None leaves them alone).

    ``relations`` maps many-to-many descriptors to their members (instances or ids).
    Children are lists of dicts keyed by field name (references as instances or ids):
    outcomes also take ``skills``; the list order is the outcomes' order.
    """

    opportunity: LearningOpportunity
    relations: dict[str, list] = field(default_factory=dict)
    outcomes: list[dict] | None = None
    translations: list[dict] | None = None
    assessments: list[dict] | None = None
    activities: list[dict] | None = None
    action: str = ""  # once saved: created, updated or unchanged

    @functools.cached_property
    def children(self) -> dict[str, list[dict]]:
        """Each given kind of child as rows keyed by column (attname), in order."""
        given = {kind: getattr(self, kind) for kind in CHILDREN}
        return {
            kind: [_child_row(kind, position, child) for position, child in enumerate(items)]
            for kind, items in given.items()
            if items is not None
        }


def _pk(value):
    return value.pk if isinstance(value, Model) else value


def _child_row(kind: str, position: int, child: dict) -> dict:
    row = {}
    for model_field in CHILD_FIELDS[kind]:
        if model_field.name == "position":
            row["position"] = position
        elif model_field.name in child:
            row[model_field.attname] = _pk(child[model_field.name])
        else:
            row[model_field.attname] = model_field.get_default()
    if kind == "outcomes":
        row["skills"] = list(dict.fromkeys(_pk(skill) for skill in child.get("skills", [])))
    return row


@dataclass
class Stored:
    """An opportunity as stored, read with flat queries, to compare a write with."""

    values: dict
    relations: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    children: dict[str, list[tuple[int, dict]]] = field(
        default_factory=lambda: {kind: [] for kind in CHILDREN}
    )

    def differs(self, write: OpportunityWrite) -> bool:
        opportunity = write.opportunity
        if any(
            getattr(opportunity, model_field.attname) != self.values[model_field.attname]
            for model_field in COMPARED_FIELDS
        ):
            return True
        if any(
            self.relations[name] != {_pk(member) for member in members}
            for name, members in write.relations.items()
        ):
            return True
        return any(
            [_comparable(kind, row) for row in rows]
            != [_comparable(kind, row) for _, row in self.children[kind]]
            for kind, rows in write.children.items()
        )


def _comparable(kind: str, row: dict) -> dict:
    if kind == "outcomes":
        return row | {"skills": set(row["skills"])}
    return row


# An update writes every field: the values of a write may touch any of them.
UPDATED_FIELDS = [
    model_field
    for model_field in LearningOpportunity._meta.concrete_fields
    if not model_field.primary_key and model_field.name != "created"
]
COMPARED_FIELDS = [model_field for model_field in UPDATED_FIELDS if model_field.name != "modified"]
RELATION_NAMES = [model_field.name for model_field in LearningOpportunity._meta.local_many_to_many]


def opportunities_stored(ids: Iterable[int]) -> dict[int, Stored]:
    """The stored state of these opportunities: a few queries per table, not per record."""
    ids = list(ids)
    stored = {
        values["id"]: Stored(values)
        for values in LearningOpportunity.objects.filter(pk__in=ids).values(
            "id", *(model_field.attname for model_field in COMPARED_FIELDS)
        )
    }
    for name in RELATION_NAMES:
        links, source, target = relation_links(LearningOpportunity._meta.get_field(name))
        for pk, member in links.objects.filter(**{f"{source}__in": ids}).values_list(
            source, target
        ):
            stored[pk].relations[name].add(member)
    outcomes = {}
    for kind, model in CHILDREN.items():
        columns = [model_field.attname for model_field in CHILD_FIELDS[kind]]
        order = ["opportunity_id", *(["position"] if kind == "outcomes" else []), "id"]
        rows = model.objects.filter(opportunity_id__in=ids).order_by(*order)
        for row in rows.values("id", "opportunity_id", *columns):
            pk, opportunity_id = row.pop("id"), row.pop("opportunity_id")
            if kind == "outcomes":
                row["skills"] = outcomes[pk] = []
            stored[opportunity_id].children[kind].append((pk, row))
    for outcome_id, skill in LearningOutcome.skills.through.objects.filter(
        learningoutcome_id__in=outcomes
    ).values_list("learningoutcome_id", "escoskill_id"):
        outcomes[outcome_id].append(skill)
    return stored


def opportunity_save(
    *,
    opportunity: LearningOpportunity,
    values: dict,
    relations: dict[str, list],
    outcomes: list[dict] | None = None,
    change_reason: str = "",
    changed_by=None,
) -> LearningOpportunity:
    """Create or update one opportunity with the same validation as the admin form.

    ``relations`` maps many-to-many descriptors to their new members; ``outcomes`` (title and
    ESCO skills each), when given, replaces the learning outcomes. Raises ``ValidationError``
    with field messages and writes nothing when anything is invalid.
    """
    for name, value in values.items():
        setattr(opportunity, name, value)
    opportunity_validate(opportunity=opportunity, relations=relations)
    opportunities_bulk_save(
        writes=[OpportunityWrite(opportunity, relations, outcomes=outcomes)],
        change_reason=change_reason,
        changed_by=changed_by,
    )
    return opportunity


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
        LearningOpportunity.objects.bulk_create(new)
        now = timezone.now()
        for opportunity in changed:
            opportunity.modified = now
        _rows_update(changed, UPDATED_FIELDS)
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
        _rows_update(opportunities, [LearningOpportunity._meta.get_field("modified")])
        history = LearningOpportunity.history.bulk_history_create(
            opportunities, update=True, default_change_reason=change_reason
        )
        _history_relations_record(history or [])
        opportunities_bulk_saved.send(sender=LearningOpportunity, created=[], changed=opportunities)


def relation_links(field) -> tuple[type, str, str]:
    """A many-to-many field's link table and its two id fields (this side, the member)."""
    return (
        field.remote_field.through,
        f"{field.m2m_field_name()}_id",
        f"{field.m2m_reverse_field_name()}_id",
    )


def _relation_replace(model_field, writes: list[OpportunityWrite], stored: dict) -> None:
    through, source, target = relation_links(model_field)
    replaced = [write.opportunity.pk for write in writes if write.opportunity.pk in stored]
    through.objects.filter(**{f"{source}__in": replaced}).delete()
    _rows_insert(
        through,
        [source, target],
        (
            (write.opportunity.pk, member_id)
            for write in writes
            for member_id in dict.fromkeys(
                _pk(member) for member in write.relations[model_field.name]
            )
        ),
    )


def _children_sync(writes: list[OpportunityWrite], stored: dict[int, Stored]) -> None:
    """Bring each given kind of child to the write's list: the n-th stored child becomes the
    n-th given one (a translation: the one in the same language), updated only if it differs,
    so unchanged children keep their ids; surplus ones are deleted, missing ones added.

    Not through model saves and deletes: their signals would write a history entry and re-index
    the opportunity per child, which the opportunity's entry and its re-index already cover.
    """
    for kind, model in CHILDREN.items():
        inserts, updates, deletes, relink = [], [], [], []
        for write in writes:
            rows = write.children.get(kind)
            if rows is None:
                continue
            record = stored.get(write.opportunity.pk)
            old = record.children[kind] if record is not None else []
            if kind == "translations":
                by_language = {row["language_id"]: (pk, row) for pk, row in old}
                pairs = [(by_language.pop(row["language_id"], None), row) for row in rows]
                deletes += [pk for pk, _ in by_language.values()]
            else:
                pairs = [(old[n] if n < len(old) else None, row) for n, row in enumerate(rows)]
                deletes += [pk for pk, _ in old[len(rows) :]]
            for previous, row in pairs:
                values = {name: value for name, value in row.items() if name != "skills"}
                if previous is None:
                    child = model(opportunity_id=write.opportunity.pk, **values)
                    inserts.append(child)
                    relink.append((child, row.get("skills")))
                    continue
                pk, old_row = previous
                if {name: old_row[name] for name in values} != values:
                    updates.append(model(pk=pk, opportunity_id=write.opportunity.pk, **values))
                if kind == "outcomes" and set(old_row["skills"]) != set(row["skills"]):
                    relink.append((model(pk=pk), row["skills"]))
        if kind == "outcomes":
            links, source, target = relation_links(LearningOutcome.skills.field)
            stale = deletes + [child.pk for child, _ in relink if child.pk is not None]
            links.objects.filter(**{f"{source}__in": stale}).delete()
        _rows_delete(model, "id", deletes)
        _rows_update(updates, CHILD_FIELDS[kind])
        model.objects.bulk_create(inserts)
        if kind == "outcomes":
            _rows_insert(
                links,
                [source, target],
                ((child.pk, skill) for child, skills in relink for skill in skills),
            )


def _history_relations_record(history: list) -> None:
    """The many-to-many values of each new history entry, as a save would have recorded them."""
    historical_model = LearningOpportunity.history.model
    history_ids = {entry.id: entry.history_id for entry in history}
    for m2m_field in historical_model._history_m2m_fields:
        through, source, target = relation_links(m2m_field)
        links = through.objects.filter(**{f"{source}__in": list(history_ids)})
        _rows_insert(
            getattr(historical_model, m2m_field.name).model,
            ["history_id", "id", source, target],
            (
                (history_ids[opportunity_id], link_id, opportunity_id, member_id)
                for link_id, opportunity_id, member_id in links.values_list("id", source, target)
            ),
        )


def _rows_delete(model, column: str, values: list) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(values), 1000):
            batch = values[start : start + 1000]
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(column)} IN ({', '.join(['%s'] * len(batch))})",
                batch,
            )


def _rows_update(objects: list, fields: list) -> None:
    """One UPDATE per object, sent together. Not ``bulk_update()``: its CASE expressions cost
    seconds of Python per 500 rows of this wide table."""
    if not objects:
        return
    quote = connection.ops.quote_name
    meta = objects[0]._meta
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
            [
                [
                    field.get_db_prep_save(getattr(obj, field.attname), connection)
                    for field in fields
                ]
                + [obj.pk]
                for obj in objects
            ],
        )


def _rows_insert(model, columns: list[str], rows: Iterable[tuple], batch: int = 1000) -> None:
    """Insert plain rows with multi-row INSERTs: link tables need no model instances, whose
    construction costs more than the database's work."""
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    )
    placeholders = f"({', '.join(['%s'] * len(columns))})"
    rows = iter(rows)
    with connection.cursor() as cursor:
        while values := list(itertools.islice(rows, batch)):
            cursor.execute(
                statement + ", ".join([placeholders] * len(values)),
                [value for row in values for value in row],
            )


@transaction.atomic
def opportunity_archive(*, opportunity: LearningOpportunity) -> LearningOpportunity:
    """Withdraw an opportunity from the public catalogue, keeping its record."""
    opportunity.status = LearningOpportunity.Status.ARCHIVED
    opportunity.save(update_fields=["status", "modified"])
    return opportunity
