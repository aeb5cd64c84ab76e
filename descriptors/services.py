"""Writes on learning opportunities and the people who maintain them."""

import dataclasses
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from descriptors.completeness import Requirement, opportunity_completeness
from descriptors.models import (
    LearningOpportunity,
    LearningOutcome,
    Organisation,
    OrganisationMember,
)
from descriptors.signals import opportunities_bulk_saved

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


@transaction.atomic
def opportunity_save(
    *,
    opportunity: LearningOpportunity,
    values: dict,
    relations: dict[str, list],
    outcomes: list[dict] | None = None,
) -> LearningOpportunity:
    """Create or update an opportunity with the same validation as the admin form.

    ``relations`` maps many-to-many descriptors to their new members; ``outcomes`` (title and
    ESCO skills each), when given, replaces the learning outcomes. Raises ``ValidationError``
    with field messages and writes nothing when anything is invalid.
    """
    for name, value in values.items():
        setattr(opportunity, name, value)
    opportunity_validate(opportunity=opportunity, relations=relations)
    opportunity.save()
    for name, members in relations.items():
        getattr(opportunity, name).set(members)
    if outcomes is not None:
        opportunity.outcomes.all().delete()
        for position, outcome in enumerate(outcomes):
            saved = LearningOutcome.objects.create(
                opportunity=opportunity, position=position, title=outcome["title"]
            )
            saved.skills.set(outcome.get("skills", []))
    return opportunity


@dataclass
class OpportunityWrite:
    """One validated opportunity for ``opportunities_bulk_save`` (``pk`` None when new)."""

    opportunity: LearningOpportunity
    relations: dict[str, list]
    outcomes: list[dict] | None = None


# An update writes every field: the values of a write may touch any of them.
UPDATED_FIELDS = [
    field
    for field in LearningOpportunity._meta.concrete_fields
    if not field.primary_key and field.name != "created"
]


@transaction.atomic
def opportunities_bulk_save(*, writes: list[OpportunityWrite], change_reason: str) -> None:
    """Write many validated opportunities (see ``opportunity_validate``) with a few queries per
    table instead of dozens per record: what a spreadsheet import needs to keep up. Members
    given twice are linked once, as ``set()`` would.

    Model signals do not fire for bulk writes, so ``opportunities_bulk_saved`` tells listeners
    what changed, and each opportunity gets one history entry with its many-to-many values.
    """
    new = [write.opportunity for write in writes if write.opportunity.pk is None]
    changed = [write.opportunity for write in writes if write.opportunity.pk is not None]
    LearningOpportunity.objects.bulk_create(new)
    now = timezone.now()
    for opportunity in changed:
        opportunity.modified = now
    _rows_update(changed, UPDATED_FIELDS)
    changed_ids = {opportunity.pk for opportunity in changed}
    for name in sorted({name for write in writes for name in write.relations}):
        _relation_replace(
            LearningOpportunity._meta.get_field(name),
            [write for write in writes if name in write.relations],
            changed_ids,
        )
    _outcomes_replace([write for write in writes if write.outcomes is not None], changed_ids)
    for opportunities, update in ((new, False), (changed, True)):
        history = LearningOpportunity.history.bulk_history_create(
            opportunities, update=update, default_change_reason=change_reason
        )
        _history_relations_record(history or [])
    opportunities_bulk_saved.send(sender=LearningOpportunity, created=new, changed=changed)


def relation_links(field) -> tuple[type, str, str]:
    """A many-to-many field's link table and its two id fields (this side, the member)."""
    return (
        field.remote_field.through,
        f"{field.m2m_field_name()}_id",
        f"{field.m2m_reverse_field_name()}_id",
    )


def _relation_replace(field, writes: list[OpportunityWrite], changed_ids: set[int]) -> None:
    through, source, target = relation_links(field)
    replaced = [write.opportunity.pk for write in writes if write.opportunity.pk in changed_ids]
    through.objects.filter(**{f"{source}__in": replaced}).delete()
    _rows_insert(
        through,
        [source, target],
        (
            (write.opportunity.pk, member_id)
            for write in writes
            for member_id in dict.fromkeys(member.pk for member in write.relations[field.name])
        ),
    )


def _outcomes_replace(writes: list[OpportunityWrite], changed_ids: set[int]) -> None:
    replaced = [write.opportunity.pk for write in writes if write.opportunity.pk in changed_ids]
    # Not through QuerySet.delete(): each outcome's delete signals would write its own history
    # entry and re-index its opportunity, which the opportunity's entry and the bulk re-index
    # already cover. Nothing else refers to outcomes but their skill links.
    stale = LearningOutcome.objects.filter(opportunity_id__in=replaced)
    LearningOutcome.skills.through.objects.filter(learningoutcome__in=stale).delete()
    _rows_delete(LearningOutcome, "opportunity_id", replaced)
    outcomes = [
        (
            LearningOutcome(
                opportunity=write.opportunity, position=position, title=outcome["title"]
            ),
            outcome.get("skills", []),
        )
        for write in writes
        for position, outcome in enumerate(write.outcomes)
    ]
    LearningOutcome.objects.bulk_create([outcome for outcome, _ in outcomes])
    through, source, target = relation_links(LearningOutcome.skills.field)
    _rows_insert(
        through,
        [source, target],
        ((outcome.pk, skill) for outcome, skills in outcomes for skill in dict.fromkeys(skills)),
    )


def _history_relations_record(history: list) -> None:
    """The many-to-many values of each new history entry, as a save would have recorded them."""
    historical_model = LearningOpportunity.history.model
    history_ids = {entry.id: entry.history_id for entry in history}
    for field in historical_model._history_m2m_fields:
        through, source, target = relation_links(field)
        links = through.objects.filter(**{f"{source}__in": list(history_ids)})
        _rows_insert(
            getattr(historical_model, field.name).model,
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
