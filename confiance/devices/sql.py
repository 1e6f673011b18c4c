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
from datetime import datetime
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


def upsert_rule_states(rows: Sequence[StateRow]) -> None:
    """Write where rules stand (one row per rule and subject), in key order: one statement per 400 states, where
    the ORM's `bulk_update` compiles a CASE per field and row (a hundred times slower for a batch's states)."""
    adapt = connection.ops.adapt_datetimefield_value
    ordered = sorted(rows, key=lambda row: (row[0], row[1]))
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
