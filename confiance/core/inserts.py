"""Inserts for the hot write paths (a citizen report, its history, audit and outbox rows), without the ORM's compiler.

`Model.objects.create()` and `bulk_create()` build the INSERT statement anew on every call: for a one-row insert
that is about twice the cost of running it. `insert_rows` caches the statement text per model and row count and
prepares the values with the fields' own conversions (`pre_save`, `get_db_prep_save`), so what is stored is what
the ORM would have stored; the new primary keys come back with `RETURNING` (SQLite 3.35+, PostgreSQL).

Like `bulk_create`, it sends no `pre_save`/`post_save` signal and calls no `save()`: use it only for models whose
writes need neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from django.db import connection
from django.db.models import Model

ModelT = TypeVar("ModelT", bound=Model)


@lru_cache(maxsize=256)
def _statement(model: type[Model], vendor: str, rows: int) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    q = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(q(field.column) for field in fields)
    values = ", ".join([row] * rows)
    sql = f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES {values} RETURNING {q(meta.pk.column)}"  # noqa: S608
    return sql, fields


def insert_rows(objects: Sequence[ModelT]) -> None:
    """Insert new instances of one model (in statements of a few hundred rows) and give each its primary key."""
    if not objects:
        return
    model = type(objects[0])
    if any(type(obj) is not model or obj.pk is not None for obj in objects):
        raise ValueError("insert_rows takes new instances of a single model")
    fields = _statement(model, connection.vendor, 1)[1]
    size = max(1, min(len(objects), connection.ops.bulk_batch_size(fields, objects), 500))
    for start in range(0, len(objects), size):
        chunk = objects[start:start + size]
        sql, _ = _statement(model, connection.vendor, len(chunk))
        params = []
        for obj in chunk:
            obj._prepare_related_fields_for_save(operation_name="insert_rows")  # as bulk_create does
            params += [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall()
        for obj, (key,) in zip(chunk, keys, strict=True):
            obj.pk = key
            obj._state.adding = False
            obj._state.db = connection.alias


def insert_row(obj: ModelT) -> ModelT:
    insert_rows([obj])
    return obj


@lru_cache(maxsize=64)
def _after_lock_statement(model: type[Model], vendor: str, key_count: int) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    q = connection.ops.quote_name
    table, pk = q(meta.db_table), q(meta.pk.column)
    locks = ", ".join(["%s"] * key_count)
    # The key is drawn in a subquery that scans the lock's row first: the lock is held before the sequence moves.
    next_key = ("(SELECT nextval(pg_get_serial_sequence(%s, %s)) "  # noqa: S608 (placeholders only)
                f"FROM (SELECT pg_advisory_xact_lock({locks})) AS locked)")
    columns = ", ".join(q(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({pk}, {columns}) VALUES ({next_key}, {values}) RETURNING {pk}"  # noqa: S608
    return sql, fields


def insert_row_after_lock(obj: ModelT, *lock_keys: int) -> ModelT:
    """`insert_row`, on PostgreSQL under a transaction-scoped advisory lock taken by the same statement before the
    row's key is drawn: rows inserted under one lock get keys in the order their transactions commit, and the
    lock costs no round trip of its own. SQLite has one writer at a time: a plain insert."""
    if connection.vendor != "postgresql":
        return insert_row(obj)
    if obj.pk is not None:
        raise ValueError("insert_row_after_lock takes a new instance")
    meta = type(obj)._meta
    sql, fields = _after_lock_statement(type(obj), connection.vendor, len(lock_keys))
    obj._prepare_related_fields_for_save(operation_name="insert_row_after_lock")
    params = [connection.ops.quote_name(meta.db_table), meta.pk.column, *lock_keys]
    params += [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (obj.pk,) = cursor.fetchone()
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj
