"""Writing ESCO tables in bulk: what a concept table already holds, mirroring a hierarchy's
edges, and plain-SQL inserts, updates and deletes where the ORM was too slow for ESCO's size.
"""

from dataclasses import dataclass, field

from django.db import connection, models, transaction

from taxonomies.esco.report import ImportCounts

# The concept fields an upsert compares and writes, in one place so that "unchanged" means
# the same thing for skills and groups.
CONCEPT_FIELDS = (
    "concept_type",
    "code",
    "preferred_label",
    "alt_labels",
    "description",
    "skill_type",
    "reuse_level",
    "status",
    "modified",
)

OCCUPATION_FIELDS = (
    "concept_type",
    "code",
    "isco_code",
    "preferred_label",
    "alt_labels",
    "hidden_labels",
    "description",
    "status",
    "modified",
)


@dataclass
class ConceptTable:
    """A concept table and what it holds: uri -> (id, field values), to tell unchanged rows
    apart and to resolve the URIs of relation files; and the ids of the concepts the import
    changed (their values or labels), which records may show. A new concept is shown by none."""

    model: type[models.Model]
    fields: tuple[str, ...]
    known: dict[str, tuple[int, tuple]] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)

    def __post_init__(self):
        self.known = {
            values[0]: (values[1], tuple(values[2:]))
            for values in self.model.objects.values_list("uri", "id", *self.fields).iterator()
        }

    def id_of(self, uri: str | None) -> int | None:
        known = self.known.get((uri or "").strip())
        return known[0] if known else None


def sync_edges(
    model: type[models.Model], wanted: set[tuple[int, int]], counts: ImportCounts, batch_size: int
) -> None:
    """Make the broader edges of the narrower concepts in ``wanted`` exactly ``wanted``."""
    narrower_ids = {narrower for narrower, _ in wanted}
    existing = {
        (pk, narrower, broader)
        for pk, narrower, broader in model.objects.values_list("pk", "narrower_id", "broader_id")
        if narrower in narrower_ids
    }
    existing_pairs = {(narrower, broader) for _, narrower, broader in existing}
    new = sorted(wanted - existing_pairs)
    stale = [pk for pk, narrower, broader in existing if (narrower, broader) not in wanted]
    counts.unchanged += len(wanted & existing_pairs)
    for start in range(0, len(new), batch_size):
        with transaction.atomic():
            model.objects.bulk_create(
                [
                    model(narrower_id=narrower, broader_id=broader)
                    for narrower, broader in new[start : start + batch_size]
                ],
                ignore_conflicts=True,
            )
    counts.created += len(new)
    delete_ids(model, stale, batch_size)
    counts.deleted += len(stale)


@transaction.atomic
def insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many plain rows: COPY on PostgreSQL, one prepared statement on SQLite. The ORM's
    bulk_create spent 15 s building model instances and SQL for ESCO's 124k occupation-skill
    relations; this takes about one."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


@transaction.atomic
def update_rows(model: type[models.Model], column: str, rows: list[tuple]) -> None:
    """Set one column of many rows, given as (value, id) pairs (bulk_update's CASE grows with
    the batch and took seconds for a few thousand rows)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s", rows
        )


def delete_ids(model: type[models.Model], ids: list[int], batch_size: int) -> None:
    for start in range(0, len(ids), batch_size):
        model.objects.filter(pk__in=ids[start : start + batch_size]).delete()
