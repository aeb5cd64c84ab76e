"""Plain SQL for the bulk write path: rows deleted, updated and inserted without model
instances or signals, where the ORM's bulk helpers cost more than the database's work."""

import itertools
from collections.abc import Iterable

from django.db import connection


def relation_links(field) -> tuple[type, str, str]:
    """A many-to-many field's link table and its two id fields (this side, the member)."""
    return (
        field.remote_field.through,
        f"{field.m2m_field_name()}_id",
        f"{field.m2m_reverse_field_name()}_id",
    )


def rows_delete(model, column: str, values: list) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(values), 1000):
            batch = values[start : start + 1000]
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(column)} IN ({', '.join(['%s'] * len(batch))})",
                batch,
            )


def rows_update(objects: list, fields: list) -> None:
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


def rows_insert(model, columns: list[str], rows: Iterable[tuple], batch: int = 1000) -> None:
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
