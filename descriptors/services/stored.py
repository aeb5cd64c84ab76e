"""What a write is, and how it compares with what is stored.

``OpportunityWrite`` is one opportunity to write; ``opportunities_stored`` reads the stored
state of many with a few flat queries; ``Stored.differs`` says whether a write would change
anything, and ``children_pair`` which stored child each given one replaces (editions through
``edition_match``, which the spreadsheet import uses too).
"""

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Model

from descriptors.models import (
    Activity,
    Assessment,
    Edition,
    Grant,
    LearningOpportunity,
    LearningOutcome,
    OpportunityTranslation,
)
from descriptors.services.rows import relation_links

CHILDREN = {
    "outcomes": LearningOutcome,
    "translations": OpportunityTranslation,
    "assessments": Assessment,
    "activities": Activity,
    "grants": Grant,
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
    opportunity's whole set of editions (see ``children_pair``).
    """

    opportunity: LearningOpportunity
    relations: dict[str, list] = field(default_factory=dict)
    outcomes: list[dict] | None = None
    translations: list[dict] | None = None
    assessments: list[dict] | None = None
    activities: list[dict] | None = None
    grants: list[dict] | None = None
    editions: list[dict] | None = None
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


def pk_of(value):
    return value.pk if isinstance(value, Model) else value


def _child_row(kind: str, position: int, child: dict) -> dict:
    """A child's row keyed by column; what is not given has the field's default."""
    row = {}
    for model_field in CHILD_FIELDS[kind]:
        if model_field.name == "position":
            row["position"] = position
        elif model_field.name in child:
            row[model_field.attname] = pk_of(child[model_field.name])
        else:
            row[model_field.attname] = model_field.get_default()
    for name in CHILD_RELATIONS.get(kind, []):
        row[name] = list(dict.fromkeys(pk_of(member) for member in child.get(name, [])))
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
            self.relations[name] != {pk_of(member) for member in members}
            for name, members in write.relations.items()
        ):
            return True
        return any(
            _children_differ(kind, self.children[kind], rows)
            for kind, rows in write.children.items()
        )


def _comparable(kind: str, row: dict) -> dict:
    comparable = {name: value for name, value in row.items() if name != "id"}
    return comparable | {name: set(row[name]) for name in CHILD_RELATIONS.get(kind, [])}


def edition_match(editions: list[dict], stored: list[tuple[int, dict]]) -> list[int | None]:
    """Which stored edition each of ``editions`` is (its id; None: none of them), each stored
    one taken at most once, in order: the one the edition's ``id`` names; else the one with
    its code; else one with its start date, unless both have codes (two codes that differ
    are two editions); else, for an edition with neither, one with neither. ``stored`` is
    (id, row) as ``opportunities_stored`` reads them; editions are keyed by field name.

    The one matcher of every writer: the write path pairs a whole new set of editions with
    the stored ones by it, the spreadsheet import merges a file's editions into them."""
    named = {edition.get("id") for edition in editions}
    free = {pk: row for pk, row in stored if pk not in named}
    matched = []
    for edition in editions:
        pk = edition.get("id")
        if pk is None:
            pk = next(
                (pk for same in _edition_tests(edition) for pk, row in free.items() if same(row)),
                None,
            )
        free.pop(pk, None)
        matched.append(pk)
    return matched


def _edition_tests(edition: dict) -> list:
    """How a stored edition can be ``edition``, the surest first."""
    reference, start = edition.get("reference"), edition.get("start_date")
    if not reference and not start:
        return [lambda row: not row["reference"] and not row["start_date"]]
    tests = [lambda row: row["reference"] == reference] if reference else []
    if start:
        tests.append(
            lambda row: row["start_date"] == start and not (reference and row["reference"])
        )
    return tests


def children_pair(kind: str, old: list[tuple[int, dict]], rows: list[dict]):
    """Which stored child each given row replaces (None: a new one), and the stored ids left
    over (to delete). Outcomes, assessments, activities and grants pair by position, translations by
    language; editions as ``edition_match`` says, else with the stored ones left, in order
    (an import that gives no ids keeps the edition ids it had)."""
    if kind == "translations":
        by_language = {row["language_id"]: (pk, row) for pk, row in old}
        pairs = [(by_language.pop(row["language_id"], None), row) for row in rows]
        return pairs, [pk for pk, _ in by_language.values()]
    if kind != "editions":
        pairs = [(old[n] if n < len(old) else None, row) for n, row in enumerate(rows)]
        return pairs, [pk for pk, _ in old[len(rows) :]]
    stored_rows = dict(old)
    chosen = edition_match(rows, old)
    left = [pk for pk in stored_rows if pk not in chosen]
    for n, row in enumerate(rows):
        if chosen[n] not in stored_rows:
            chosen[n] = left.pop(0) if left and "id" not in row else None
    pairs = [
        ((pk, stored_rows[pk]) if pk is not None else None, row)
        for pk, row in zip(chosen, rows, strict=True)
    ]
    return pairs, left


def _children_differ(kind: str, old: list[tuple[int, dict]], rows: list[dict]) -> bool:
    pairs, deletes = children_pair(kind, old, rows)
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


def stored_edition(pk: int, row: dict) -> dict:
    """A stored edition (as ``opportunities_stored`` reads it) as ``OpportunityWrite.editions``
    takes it."""
    edition = {
        model_field.name: row[model_field.attname] for model_field in CHILD_FIELDS["editions"]
    }
    return edition | {name: row[name] for name in CHILD_RELATIONS["editions"]} | {"id": pk}


def editions_as_values(opportunity: LearningOpportunity) -> list[dict]:
    """The stored editions of ``opportunity`` as ``OpportunityWrite.editions`` takes them,
    references as instances (as ``edition_validate`` checks them)."""
    editions = opportunity.editions.select_related("currency", "learning_schedule")
    return [
        {
            "id": edition.pk,
            **{
                model_field.name: getattr(edition, model_field.name)
                for model_field in CHILD_FIELDS["editions"]
            },
            "modes": list(edition.modes.all()),
            "languages": list(edition.languages.all()),
        }
        for edition in editions.prefetch_related("modes", "languages").order_by("id")
    ]
