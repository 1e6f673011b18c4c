"""Hand-written SQL of the kernel, and the names every app's hand-written SQL is built from.

Each app keeps its hand-written statements in its own `sql.py`, next to a test that compares them with the ORM
query they stand for (`tests/test_sql.py`). Table and column names come from the models' `_meta` through
`table()` and `column()`, never typed by hand. SQL is written by hand only where it pays: a read on every request
that the ORM compiles at many times its cost, or what the ORM cannot say (advisory locks).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    """The model's table name, quoted."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    """The column of one of the model's concrete fields, quoted."""
    columns = {field.name: field.column for field in model._meta.concrete_fields}
    return connection.ops.quote_name(columns[field_name])


def advisory_xact_lock(*keys: int, shared: bool = False) -> None:
    """Take a PostgreSQL advisory lock (one bigint key, or two int keys) until the transaction ends; no-op on
    SQLite, whose writers take turns anyway. `shared`: held by any number of transactions at once, never with the
    exclusive one (which waits for them, and which they wait for)."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}({', '.join(['%s'] * len(keys))})", list(keys))


def revision_time_field(model: type[Model]) -> str:
    """The field that dates a revision table's rows: `created_at`, unless the model names another one in its
    `revision_time_field` class attribute (a road import is dated by `imported_at`)."""
    return getattr(model, "revision_time_field", "created_at")


@lru_cache(maxsize=32)
def _newest_rows_statement(models: tuple[type[Model], ...], time_fields: tuple[str, ...], vendor: str) -> str:
    newest = []
    for model, time_field in zip(models, time_fields, strict=True):
        pk, created_at = column(model, "id"), column(model, time_field)
        newest += [f"(SELECT MAX({pk}) FROM {table(model)})",  # noqa: S608 (names from _meta)
                   f"(SELECT {created_at} FROM {table(model)} ORDER BY {pk} DESC LIMIT 1)"]  # noqa: S608
    return "SELECT " + ", ".join(newest)


def newest_rows(*models: type[Model]) -> list[Sequence[Any]]:
    """(id, time) of the newest row of each table, (None, None) for an empty one; one statement, two index
    reads per table. The time (see `revision_time_field`) comes back as the database gives an expression: a
    string on SQLite."""
    time_fields = tuple(revision_time_field(model) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(_newest_rows_statement(models, time_fields, connection.vendor))
        row = cursor.fetchone()
    return [row[2 * index:2 * index + 2] for index in range(len(models))]
