"""Hand-written SQL of ingestion: idempotent inserts of measurements and additive upserts of their aggregates.

The ORM's `bulk_create(ignore_conflicts=True)` does not say which rows were new, and the aggregates must count each
value once, however often the broker redelivers it: the insert returns the rows it stored (`ON CONFLICT DO NOTHING
RETURNING`) and only those reach the aggregates and the rules. The aggregates are `INSERT ... ON CONFLICT DO UPDATE`
adding counts and sums, keeping the extremes and the newest value; rows are sent in key order so that two workers
upserting the same buckets on PostgreSQL take their row locks in the same order (no deadlock). Both statements run
on SQLite (3.35+) and PostgreSQL. Parity with the ORM: `tests/test_sql.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import connection

from confiance.core.sql import column, table
from confiance.devices.models import Device, Measurement, MeasurementAggregate

Row = tuple[int, str, datetime, float]  # device id, quantity, observation time (aware), value

_CHUNK = 400  # rows per statement: 6 parameters each, under SQLite's 32766 and PostgreSQL's 65535


@lru_cache(maxsize=8)
def _insert_statement(vendor: str, rows: int) -> str:
    m = Measurement
    cols = [column(m, name) for name in ("device", "quantity", "observed_at", "value", "received_at", "source")]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * rows)
    identity = ", ".join(column(m, name) for name in ("device", "quantity", "observed_at"))
    return (f"INSERT INTO {table(m)} ({', '.join(cols)}) VALUES {values} "  # noqa: S608 (names from _meta)
            f"ON CONFLICT ({identity}) DO NOTHING RETURNING {cols[0]}, {cols[1]}, {cols[2]}")


def _adapter():
    """The database form of a datetime, memoised: the values of one message share their observation time, and
    SQLite's adaptation (to naive UTC text) is a good part of an insert's cost."""
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor == "postgresql":
        return adapt
    known: dict[datetime, object] = {}

    def memoised(value: datetime) -> object:
        adapted = known.get(value)
        if adapted is None:
            adapted = known[value] = adapt(value)
        return adapted

    return memoised


def insert_measurements(rows: Sequence[Row], *, received_at: datetime, source: str) -> list[Row]:
    """Store the rows not stored yet; return those that were new (duplicates within `rows` count once)."""
    adapt = _adapter()
    received = adapt(received_at)
    by_key: dict[tuple[int, str, object], Row] = {}
    for row in rows:
        by_key.setdefault((row[0], row[1], adapt(row[2])), row)
    keyed = list(by_key.items())
    stored: list[Row] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keyed), _CHUNK):
            chunk = keyed[start:start + _CHUNK]
            params: list[Any] = []
            for (device_id, quantity, observed), row in chunk:
                params += [device_id, quantity, observed, row[3], received, source]
            cursor.execute(_insert_statement(connection.vendor, len(chunk)), params)
            for device_id, quantity, observed in cursor.fetchall():
                key = (device_id, quantity, observed if isinstance(observed, str) else adapt(observed))
                stored.append(by_key[key])
    return stored


@lru_cache(maxsize=8)
def _upsert_statement(vendor: str, rows: int) -> str:
    a = MeasurementAggregate
    names = ("device", "quantity", "resolution", "bucket", "count", "total", "minimum", "maximum", "last_value",
             "last_at")
    cols = {name: column(a, name) for name in names}
    lowest, highest = ("LEAST", "GREATEST") if vendor == "postgresql" else ("MIN", "MAX")
    t = table(a)
    values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * rows)
    identity = ", ".join(cols[name] for name in ("device", "quantity", "resolution", "bucket"))
    c = cols
    return (
        f"INSERT INTO {t} ({', '.join(cols.values())}) VALUES {values} "  # noqa: S608 (names from _meta)
        f"ON CONFLICT ({identity}) DO UPDATE SET "
        f"{c['count']} = {t}.{c['count']} + excluded.{c['count']}, "
        f"{c['total']} = {t}.{c['total']} + excluded.{c['total']}, "
        f"{c['minimum']} = {lowest}({t}.{c['minimum']}, excluded.{c['minimum']}), "
        f"{c['maximum']} = {highest}({t}.{c['maximum']}, excluded.{c['maximum']}), "
        f"{c['last_value']} = CASE WHEN excluded.{c['last_at']} >= {t}.{c['last_at']} "
        f"THEN excluded.{c['last_value']} ELSE {t}.{c['last_value']} END, "
        f"{c['last_at']} = {highest}({t}.{c['last_at']}, excluded.{c['last_at']})"
    )


AggregateRow = tuple[int, str, str, datetime, int, float, float, float, float, datetime]


def upsert_aggregates(rows: Sequence[AggregateRow]) -> None:
    """Add pre-aggregated buckets (one row per device, quantity, resolution and bucket) to the stored ones."""
    adapt = _adapter()
    ordered = sorted(rows, key=lambda row: (row[0], row[1], row[2], row[3]))
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), _CHUNK // 2):
            chunk = ordered[start:start + _CHUNK // 2]
            params: list[Any] = []
            for device_id, quantity, resolution, bucket, count, total, low, high, last_value, last_at in chunk:
                params += [device_id, quantity, resolution, adapt(bucket), count, total, low, high, last_value,
                           adapt(last_at)]
            cursor.execute(_upsert_statement(connection.vendor, len(chunk)), params)


def _array_type(model, name: str) -> str:
    """The PostgreSQL array type of one of the model's columns (`bigint[]`, `varchar(16)[]`...)."""
    return f"{model._meta.get_field(name).db_type(connection)}[]"


def _element(value: object, memo: dict[object, str]) -> str:
    if value is None:
        return "NULL"
    if not isinstance(value, str | datetime):
        return repr(value)  # int, or finite float (repr round-trips; PostgreSQL reads it back exactly)
    text = memo.get(value)
    if text is None:
        raw = value.isoformat() if isinstance(value, datetime) else value
        text = memo[value] = '"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def pg_array(values: Sequence[object]) -> str:
    """A PostgreSQL array literal (`{1,2}`, `{"a","b"}`) of ints, finite floats, strings, aware datetimes or None,
    passed as one text parameter and cast in the statement (`%s::bigint[]`): psycopg's own list adaptation walks
    each element in Python, several times slower for the thousands of a batch. Strings and times repeated (a
    message's time, a quantity) are written once."""
    kinds = set(map(type, values))
    if len(kinds) == 1:  # one type (the usual column): joined at C speed, each distinct string or time quoted once
        kind = kinds.pop()
        if kind is int or kind is float:
            return "{" + ",".join(map(repr, values)) + "}"
        if kind is str or kind is datetime:
            quoted = {value: _element(value, {}) for value in set(values)}
            return "{" + ",".join(map(quoted.__getitem__, values)) + "}"
    memo: dict[object, str] = {}
    return "{" + ",".join([_element(value, memo) for value in values]) + "}"


@lru_cache(maxsize=2)
def _store_statement(vendor: str) -> str:
    """PostgreSQL: the batch's values as four arrays (a statement of six parameters, whatever its size: psycopg
    neither splits nor interpolates thousands of placeholders), inserted unless stored already, and the new ones
    added to their per-minute and per-hour buckets in the same statement (one round trip). The buckets are
    grouped in SQL (so each is upserted once) and written in key order (two workers lock them in the same order).
    Observation times travel as microseconds since the epoch both ways (integers: neither written as text nor read
    back as datetimes in Python)."""
    m, a = Measurement, MeasurementAggregate
    mc = {name: column(m, name) for name in ("device", "quantity", "observed_at", "value", "received_at", "source")}
    names = ("device", "quantity", "resolution", "bucket", "count", "total", "minimum", "maximum", "last_value",
             "last_at")
    ac = {name: column(a, name) for name in names}
    t = table(a)
    types = [_array_type(m, name) for name in ("device", "quantity")] + ["bigint[]", _array_type(m, "value")]
    identity = ", ".join(mc[name] for name in ("device", "quantity", "observed_at"))
    buckets = " UNION ALL ".join(
        f"SELECT {mc['device']} AS d, {mc['quantity']} AS q, '{resolution}' AS r, "  # noqa: S608 (two literals)
        f"date_trunc('{resolution}', {mc['observed_at']}, 'UTC') AS b, {mc['observed_at']} AS t, {mc['value']} AS v "
        f"FROM new" for resolution in ("minute", "hour"))
    return (
        f"WITH new AS (INSERT INTO {table(m)} ({', '.join(mc.values())}) "  # noqa: S608 (names from _meta)
        f"SELECT d, q, timestamptz 'epoch' + us * interval '1 microsecond', v, %s, %s "
        f"FROM unnest(%s::{types[0]}, %s::{types[1]}, %s::{types[2]}, %s::{types[3]}) "
        f"AS u(d, q, us, v) ON CONFLICT ({identity}) DO NOTHING "
        f"RETURNING {mc['device']}, {mc['quantity']}, {mc['observed_at']}, {mc['value']}), "
        f"buckets AS ({buckets}), "
        f"added AS (INSERT INTO {t} ({', '.join(ac.values())}) "
        f"SELECT d, q, r, b, count(*), sum(v), min(v), max(v), (array_agg(v ORDER BY t DESC))[1], max(t) "
        f"FROM buckets GROUP BY d, q, r, b ORDER BY d, q, r, b "
        f"ON CONFLICT ({ac['device']}, {ac['quantity']}, {ac['resolution']}, {ac['bucket']}) DO UPDATE SET "
        f"{ac['count']} = {t}.{ac['count']} + excluded.{ac['count']}, "
        f"{ac['total']} = {t}.{ac['total']} + excluded.{ac['total']}, "
        f"{ac['minimum']} = LEAST({t}.{ac['minimum']}, excluded.{ac['minimum']}), "
        f"{ac['maximum']} = GREATEST({t}.{ac['maximum']}, excluded.{ac['maximum']}), "
        f"{ac['last_value']} = CASE WHEN excluded.{ac['last_at']} >= {t}.{ac['last_at']} "
        f"THEN excluded.{ac['last_value']} ELSE {t}.{ac['last_value']} END, "
        f"{ac['last_at']} = GREATEST({t}.{ac['last_at']}, excluded.{ac['last_at']})) "
        f"SELECT {mc['device']}, {mc['quantity']}, "
        f"(extract(epoch FROM {mc['observed_at']}) * 1000000)::bigint FROM new"
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def store_measurements_aggregated(rows: Sequence[Row], *, received_at: datetime, source: str) -> list[Row]:
    """PostgreSQL only: `insert_measurements` then `upsert_aggregates` of the new rows, in one statement
    (`_store_statement`); returns the rows that were new (duplicates within `rows` count once)."""
    micros: dict[datetime, int] = {}  # the values of a message share their time: converted once
    by_key: dict[tuple[int, str, int], Row] = {}
    for row in rows:
        observed = row[2]
        us = micros.get(observed)
        if us is None:
            us = micros[observed] = (observed - _EPOCH) // _MICROSECOND
        by_key.setdefault((row[0], row[1], us), row)
    if not by_key:
        return []
    kept = list(by_key.values())
    params: list[Any] = [received_at, source, pg_array([row[0] for row in kept]), pg_array([row[1] for row in kept]),
                         pg_array([key[2] for key in by_key]), pg_array([row[3] for row in kept])]
    with connection.cursor() as cursor:
        cursor.execute(_store_statement(connection.vendor), params)
        return [by_key[key] for key in cursor.fetchall()]


# --- Devices a batch writes to (ADR 0020) ---------------------------------------------------------


@lru_cache(maxsize=4)
def _present_statement(vendor: str, rows: int) -> str:
    d, pk = Device, column(Device, "id")
    if vendor == "postgresql":
        ids = _array_type(Measurement, "device")
        return f"SELECT {pk} FROM {table(d)} WHERE {pk} = ANY(%s::{ids}) ORDER BY {pk} FOR KEY SHARE"  # noqa: S608
    return f"SELECT {pk} FROM {table(d)} WHERE {pk} IN ({', '.join(['%s'] * rows)})"  # noqa: S608 (names from _meta)


def devices_still_present(device_ids: Sequence[int]) -> set[int]:
    """Which of these devices exist, each kept from deletion until the transaction ends: on PostgreSQL one
    `SELECT ... FOR KEY SHARE` (in key order), which a deletion's `FOR UPDATE` waits for and which waits for one
    under way, where a foreign key would check each of the batch's thousands of rows; on SQLite, whose writes run
    one at a time (BEGIN IMMEDIATE), a plain read. The measurements' and aggregates' device keys have no database
    constraint and rely on this (ADR 0020)."""
    ids = sorted(set(device_ids))
    if not ids:
        return set()
    present: set[int] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_present_statement(connection.vendor, 0), [pg_array(ids)])
            present.update(pk for (pk,) in cursor.fetchall())
            return present
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            cursor.execute(_present_statement(connection.vendor, len(chunk)), chunk)
            present.update(pk for (pk,) in cursor.fetchall())
    return present


def lock_devices_for_deletion(device_ids: Sequence[int]) -> None:
    """Before devices are deleted: lock their rows (`FOR UPDATE`, in key order), so that a batch under way that
    holds them commits first and the cascade's `DELETE` of measurements then sees its rows, and a batch that comes
    later finds them gone (`devices_still_present`). No-op on SQLite (one writer at a time)."""
    if connection.vendor != "postgresql" or not device_ids:
        return
    d, pk, ids = Device, column(Device, "id"), _array_type(Measurement, "device")
    statement = f"SELECT {pk} FROM {table(d)} WHERE {pk} = ANY(%s::{ids}) ORDER BY {pk} FOR UPDATE"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [pg_array(sorted(set(device_ids)))])


# --- Rule states (rules.py) ---------------------------------------------------------------------

StateRow = tuple[int, str, datetime | None, float | None, datetime | None]  # rule, subject, since, value, time


@lru_cache(maxsize=8)
def _state_statement(vendor: str, rows: int) -> str:
    from confiance.devices.models import RuleState

    s = RuleState
    cols = {name: column(s, name) for name in ("rule", "subject", "condition_since", "last_value", "last_at")}
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * rows)
    kept = ", ".join(f"{cols[name]} = excluded.{cols[name]}" for name in ("condition_since", "last_value", "last_at"))
    return (f"INSERT INTO {table(s)} ({', '.join(cols.values())}) VALUES {values} "  # noqa: S608 (names from _meta)
            f"ON CONFLICT ({cols['rule']}, {cols['subject']}) DO UPDATE SET {kept}")


@lru_cache(maxsize=2)
def _state_unnest_statement(vendor: str) -> str:
    from confiance.devices.models import RuleState

    s = RuleState
    names = ("rule", "subject", "condition_since", "last_value", "last_at")
    cols = {name: column(s, name) for name in names}
    arrays = ", ".join(f"%s::{_array_type(s, name)}" for name in names)
    kept = ", ".join(f"{cols[name]} = excluded.{cols[name]}" for name in ("condition_since", "last_value", "last_at"))
    return (f"INSERT INTO {table(s)} ({', '.join(cols.values())}) "  # noqa: S608 (names from _meta)
            f"SELECT * FROM unnest({arrays}) ON CONFLICT ({cols['rule']}, {cols['subject']}) DO UPDATE SET {kept}")


def upsert_rule_states(rows: Sequence[StateRow]) -> None:
    """Write where rules stand (one row per rule and subject), in key order: one statement per 400 states (on
    PostgreSQL one statement of five arrays), where the ORM's `bulk_update` compiles a CASE per field and row (a
    hundred times slower for a batch's states)."""
    adapt = connection.ops.adapt_datetimefield_value
    ordered = sorted(rows, key=lambda row: (row[0], row[1]))
    if connection.vendor == "postgresql":
        if ordered:
            with connection.cursor() as cursor:
                cursor.execute(_state_unnest_statement(connection.vendor),
                               [pg_array([row[index] for row in ordered]) for index in range(5)])
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start:start + _CHUNK]
            params: list[Any] = []
            for rule_id, subject, since, value, at in chunk:
                params += [rule_id, subject, adapt(since), value, adapt(at)]
            cursor.execute(_state_statement(connection.vendor, len(chunk)), params)


HealthRow = tuple[int, datetime, float | None, float | None, float | None]  # device id, last seen, clock offset,
# battery, signal (None: unchanged)


@lru_cache(maxsize=4)
def _health_statement(vendor: str) -> str:
    d = Device
    c = {name: column(d, name) for name in ("last_seen_at", "clock_offset_s", "battery_pct", "signal_dbm", "state",
                                            "id")}
    return (f"UPDATE {table(d)} SET {c['last_seen_at']} = %s, "  # noqa: S608 (names from _meta)
            f"{c['clock_offset_s']} = COALESCE(%s, {c['clock_offset_s']}), "
            f"{c['battery_pct']} = COALESCE(%s, {c['battery_pct']}), "
            f"{c['signal_dbm']} = COALESCE(%s, {c['signal_dbm']}), "
            f"{c['state']} = CASE WHEN {c['state']} = %s THEN %s ELSE {c['state']} END "
            f"WHERE {c['id']} = %s")


def update_device_health(rows: Sequence[HealthRow], *, unknown: str, ok: str) -> None:
    """Last seen, and clock offset, battery and signal where given, of each device; a device in state `unknown`
    becomes `ok`. One prepared statement for all (executemany), in device order so that two workers on
    PostgreSQL lock the rows in the same order."""
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    params = [(adapt(seen), offset, battery, signal, unknown, ok, device_id)
              for device_id, seen, offset, battery, signal in sorted(rows, key=lambda row: row[0])]
    with connection.cursor() as cursor:
        cursor.executemany(_health_statement(connection.vendor), params)
