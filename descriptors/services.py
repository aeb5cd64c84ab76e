"""Writes on learning opportunities and the people who maintain them."""

import contextlib
import dataclasses
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from descriptors.completeness import Requirement, opportunity_completeness
from descriptors.models import (
    Activity,
    Assessment,
    Edition,
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
            "edition",
        )
        for action in ("view", "add", "change", "delete")
    ]
    + ["view_organisation"],
    "taxonomies": ["view_escoskill", "view_iscedfield"],
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
    editions_validate(opportunity=opportunity, editions=_editions_as_values(opportunity))
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


EDITION_RELATIONS = ("modes", "languages")
# What an edition holds of what a record held before editions (decision 0012).
EDITION_VALUES = (
    "any_start_date",
    "start_date",
    "end_date",
    "application_deadline",
    "duration",
    "learning_schedule",
    "schedule_information",
    "is_free",
    "fee_amount",
    "currency",
    "fee_note",
)


def edition_values_split(values: dict) -> dict | None:
    """Take out of a flat record's values (a spreadsheet row, an ELM record) those of its
    edition: the one edition it describes, or None when it gives none of them."""
    edition = {name: values.pop(name) for name in EDITION_VALUES if name in values}
    # A record whose date and fee columns are all empty describes no offering.
    return edition if any(edition.values()) else None


def edition_validate(*, opportunity: LearningOpportunity, values: dict) -> dict:
    """Check one edition of ``opportunity`` against the admin form's rules; raise
    ``ValidationError`` with field messages. ``values`` are its fields by name (references as
    instances); ``id`` names the existing edition it replaces. Returns the values as the model
    holds them (a date given as text becomes a date)."""
    fields = {
        name: value
        for name, value in values.items()
        if name not in EDITION_RELATIONS and name != "id"
    }
    edition = Edition(opportunity=opportunity, pk=values.get("id"), **fields)
    edition.full_clean(exclude=["opportunity", *EDITION_RELATIONS], validate_unique=False)
    return {
        name: getattr(edition, name) if name in fields else value for name, value in values.items()
    }


def _edition_field_label(name: str) -> str:
    try:
        return str(Edition._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def editions_validate(*, opportunity: LearningOpportunity, editions: list[dict]) -> list[dict]:
    """Check an opportunity's whole new set of editions: each on its own
    (``edition_validate``), their codes unique, their ids its own. Messages name the edition
    by its place in the list. Returns the editions with their values as the model holds them
    (a date given as text becomes a date)."""
    given_ids = any(values.get("id") is not None for values in editions)
    known = set(opportunity.editions.values_list("pk", flat=True)) if given_ids else set()
    errors, cleaned = [], []
    references = [values.get("reference", "") for values in editions]
    for number, values in enumerate(editions, start=1):
        problems = []
        try:
            cleaned.append(edition_validate(opportunity=opportunity, values=values))
        except ValidationError as error:
            problems += [
                f"{_edition_field_label(name)}: {message}" if name != "__all__" else message
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        if values.get("id") is not None and values["id"] not in known:
            problems.append(str(_("No edition of this opportunity has this id.")))
        if values.get("reference") and references.count(values["reference"]) > 1:
            problems.append(str(_("Two editions have the same code.")))
        errors += [
            _("Edition %(number)s: %(problem)s") % {"number": number, "problem": problem}
            for problem in problems
        ]
    if errors:
        raise ValidationError({"editions": errors})
    return cleaned


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
    "editions": Edition,
}
# The many-to-many fields of each kind of child, given as lists in its dicts.
CHILD_RELATIONS = {"outcomes": ["skills"], "editions": ["modes", "languages"]}


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
    outcomes also take ``skills``; the list order is the outcomes' order. Editions also take
    ``modes`` and ``languages``, and ``id`` for an edition that exists: the given list is the
    opportunity's whole set of editions (see ``_children_pair``).
    """

    opportunity: LearningOpportunity
    relations: dict[str, list] = field(default_factory=dict)
    outcomes: list[dict] | None = None
    translations: list[dict] | None = None
    assessments: list[dict] | None = None
    activities: list[dict] | None = None
    editions: list[dict] | None = None
    # An import that knows one edition (its dates and fees) adds or updates that one and
    # leaves the others alone.
    keep_other_editions: bool = False
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
    for name in CHILD_RELATIONS.get(kind, []):
        row[name] = list(dict.fromkeys(_pk(member) for member in child.get(name, [])))
    if kind == "editions" and child.get("id") is not None:
        row["id"] = child["id"]
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
            _children_differ(kind, self.children[kind], rows, write.keep_other_editions)
            for kind, rows in write.children.items()
        )


def _comparable(kind: str, row: dict) -> dict:
    comparable = {name: value for name, value in row.items() if name != "id"}
    return comparable | {name: set(row[name]) for name in CHILD_RELATIONS.get(kind, [])}


def _children_pair(kind: str, old: list[tuple[int, dict]], rows: list[dict], keep: bool = False):
    """Which stored child each given row replaces (None: a new one), and the stored ids left
    over (to delete). Outcomes, assessments and activities pair by position, translations by
    language; editions by ``id``, else by their code, else by their start date, else with the
    stored ones left, in order (an import that gives no ids keeps the edition ids it had).
    With ``keep`` (``OpportunityWrite.keep_other_editions``) nothing is left over, and an
    edition that pairs with none is new, unless both sides have exactly one."""
    if kind == "translations":
        by_language = {row["language_id"]: (pk, row) for pk, row in old}
        pairs = [(by_language.pop(row["language_id"], None), row) for row in rows]
        return pairs, [pk for pk, _ in by_language.values()]
    if kind != "editions":
        pairs = [(old[n] if n < len(old) else None, row) for n, row in enumerate(rows)]
        return pairs, [pk for pk, _ in old[len(rows) :]]
    stored_rows = dict(old)
    by_reference = {row["reference"]: pk for pk, row in old if row["reference"]}
    by_start = {row["start_date"]: pk for pk, row in old if row["start_date"]}
    chosen = [
        row.get("id") or by_reference.get(row["reference"]) or by_start.get(row["start_date"])
        for row in rows
    ]
    left = [pk for pk in stored_rows if pk not in chosen]
    if keep:
        if len(rows) == len(old) == 1 and chosen[0] not in stored_rows:
            chosen = [old[0][0]]
        pairs = [
            ((pk, stored_rows[pk]) if pk in stored_rows else None, row)
            for pk, row in zip(chosen, rows, strict=True)
        ]
        return pairs, []
    for n, row in enumerate(rows):
        if chosen[n] not in stored_rows:
            chosen[n] = left.pop(0) if left and "id" not in row else None
    pairs = [
        ((pk, stored_rows[pk]) if pk is not None else None, row)
        for pk, row in zip(chosen, rows, strict=True)
    ]
    return pairs, left


def _children_differ(kind: str, old: list[tuple[int, dict]], rows: list[dict], keep: bool) -> bool:
    pairs, deletes = _children_pair(kind, old, rows, keep)
    return bool(deletes) or any(
        previous is None or _comparable(kind, previous[1]) != _comparable(kind, row)
        for previous, row in pairs
    )


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
    for kind, model in CHILDREN.items():
        columns = [model_field.attname for model_field in CHILD_FIELDS[kind]]
        order = ["opportunity_id", *(["position"] if kind == "outcomes" else []), "id"]
        rows = model.objects.filter(opportunity_id__in=ids).order_by(*order)
        members: dict[str, dict[int, list]] = {name: {} for name in CHILD_RELATIONS.get(kind, [])}
        for row in rows.values("id", "opportunity_id", *columns):
            pk, opportunity_id = row.pop("id"), row.pop("opportunity_id")
            for name, of_child in members.items():
                row[name] = of_child[pk] = []
            stored[opportunity_id].children[kind].append((pk, row))
        for name, of_child in members.items():
            links, source, target = relation_links(model._meta.get_field(name))
            for child_id, member in links.objects.filter(
                **{f"{source}__in": list(of_child)}
            ).values_list(source, target):
                of_child[child_id].append(member)
    return stored


def opportunity_save(
    *,
    opportunity: LearningOpportunity,
    values: dict,
    relations: dict[str, list],
    outcomes: list[dict] | None = None,
    editions: list[dict] | None = None,
    change_reason: str = "",
    changed_by=None,
) -> LearningOpportunity:
    """Create or update one opportunity with the same validation as the admin form.

    ``relations`` maps many-to-many descriptors to their new members; ``outcomes`` (title and
    ESCO skills each), when given, replaces the learning outcomes; ``editions``, when given,
    is its whole set of editions (see ``OpportunityWrite``). Raises ``ValidationError`` with
    field messages and writes nothing when anything is invalid.
    """
    for name, value in values.items():
        setattr(opportunity, name, value)
    errors = {}
    try:
        opportunity_validate(opportunity=opportunity, relations=relations)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if editions is not None:
        try:
            editions = editions_validate(opportunity=opportunity, editions=editions)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    opportunities_bulk_save(
        writes=[OpportunityWrite(opportunity, relations, outcomes=outcomes, editions=editions)],
        change_reason=change_reason,
        changed_by=changed_by,
    )
    return opportunity


def _editions_as_values(opportunity: LearningOpportunity) -> list[dict]:
    """The stored editions of ``opportunity`` as ``OpportunityWrite.editions`` takes them."""
    editions = opportunity.editions.select_related("currency", "learning_schedule")
    return [
        {
            "id": edition.pk,
            **{field.name: getattr(edition, field.name) for field in CHILD_FIELDS["editions"]},
            "modes": list(edition.modes.all()),
            "languages": list(edition.languages.all()),
        }
        for edition in editions.prefetch_related("modes", "languages").order_by("id")
    ]


def edition_save(
    *,
    opportunity: LearningOpportunity,
    edition: Edition | None,
    values: dict,
    partial: bool = False,
    change_reason: str = "",
) -> Edition:
    """Add an edition to ``opportunity`` (``edition`` None) or change one, as a change of the
    micro-credential (one history entry, re-index, change-log entry). ``partial`` keeps the
    values not given; otherwise they go back to their defaults. Raises ``ValidationError``
    with field messages (an edition code already used by another edition too)."""
    editions = _editions_as_values(opportunity)
    stored = next((item for item in editions if item["id"] == getattr(edition, "pk", None)), {})
    merged = {**(stored if partial else {}), **values}
    merged.pop("id", None)
    edition_validate(opportunity=opportunity, values=merged)
    reference = merged.get("reference")
    if reference and any(
        item["reference"] == reference and item["id"] != stored.get("id") for item in editions
    ):
        raise ValidationError(
            {"reference": [_("This opportunity already has an edition with this code.")]}
        )
    if edition is None:
        editions.append(merged)
    else:
        editions = [merged | {"id": edition.pk} if item is stored else item for item in editions]
    known = {item["id"] for item in editions if "id" in item}
    opportunity_save(
        opportunity=opportunity,
        values={},
        relations={},
        editions=editions,
        change_reason=change_reason,
    )
    saved = opportunity.editions.all()
    return saved.get(pk=edition.pk) if edition else saved.exclude(pk__in=known).get()


def edition_copy(
    *, opportunity: LearningOpportunity, start_date, reference: str = "", change_reason: str = ""
) -> Edition:
    """A new edition like the latest one (the one starting last), starting on ``start_date``:
    its end and application deadline move by as many days, it is open for applications, and
    fees, places, schedule and where it differs are copied."""
    editions = [item for item in _editions_as_values(opportunity) if item["start_date"]]
    if not editions:
        raise ValidationError(
            {"start_date": [_("There is no dated edition to copy: add the first one by hand.")]}
        )
    latest = max(editions, key=lambda item: (item["start_date"], item["id"]))
    shift = start_date - latest["start_date"]
    values = latest | {
        "reference": reference,
        "status": Edition.Status.OPEN,
        "start_date": start_date,
        **{
            name: latest[name] + shift
            for name in ("end_date", "application_deadline")
            if latest[name] is not None
        },
    }
    del values["id"]
    return edition_save(
        opportunity=opportunity, edition=None, values=values, change_reason=change_reason
    )


def edition_delete(*, opportunity: LearningOpportunity, edition: Edition) -> None:
    """Remove one edition, as a change of its micro-credential."""
    opportunity_save(
        opportunity=opportunity,
        values={},
        relations={},
        editions=[item for item in _editions_as_values(opportunity) if item["id"] != edition.pk],
    )


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
    """Bring each given kind of child to the write's list: each given child replaces the
    stored one it pairs with (``_children_pair``), updated only if it differs, so unchanged
    children keep their ids; stored ones left over are deleted, missing ones added.

    Not through model saves and deletes: their signals would write a history entry and re-index
    the opportunity per child, which the opportunity's entry and its re-index already cover.
    """
    for kind, model in CHILDREN.items():
        relation_names = CHILD_RELATIONS.get(kind, [])
        inserts, updates, deletes, relink = [], [], [], []
        for write in writes:
            rows = write.children.get(kind)
            if rows is None:
                continue
            record = stored.get(write.opportunity.pk)
            pairs, unpaired = _children_pair(
                kind, record.children[kind] if record else [], rows, write.keep_other_editions
            )
            deletes += unpaired
            for previous, row in pairs:
                values = {
                    name: value
                    for name, value in row.items()
                    if name != "id" and name not in relation_names
                }
                if previous is None:
                    child = model(opportunity_id=write.opportunity.pk, **values)
                    inserts.append(child)
                    relink += [(child, name, row[name]) for name in relation_names]
                    continue
                pk, old_row = previous
                if {name: old_row[name] for name in values} != values:
                    updates.append(model(pk=pk, opportunity_id=write.opportunity.pk, **values))
                relink += [
                    (model(pk=pk), name, row[name])
                    for name in relation_names
                    if set(old_row[name]) != set(row[name])
                ]
        for name in relation_names:
            links, source, target = relation_links(model._meta.get_field(name))
            stale = deletes + [
                child.pk for child, relation, _ in relink if relation == name and child.pk
            ]
            _rows_delete(links, source, stale)
        _rows_delete(model, "id", deletes)
        _rows_update(updates, CHILD_FIELDS[kind])
        model.objects.bulk_create(inserts)
        for name in relation_names:
            links, source, target = relation_links(model._meta.get_field(name))
            _rows_insert(
                links,
                [source, target],
                (
                    (child.pk, member)
                    for child, relation, members in relink
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
