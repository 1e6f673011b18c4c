"""Storing what the devices say: readings checked against the registry, stored once, aggregated, then the rules.

`measurements_store` is the one entry point of every adapter (MQTT worker, gateways' HTTP batches, NGSI-LD
notifications, the simulator). It runs in one transaction: the caller acknowledges the messages (MQTT PUBACK, HTTP
answer) only once it has returned, so a message acknowledged is a message stored, and a message redelivered after a
crash is stored once (identity: device, quantity, observation time). Nothing that fails a check stops the batch:
it is written to the dead-letter table with its reason. Measurements are not journaled in the audit chain (ADR
0007): they are not personal data and arrive by the thousand a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from confiance.devices import rules as rule_engine
from confiance.devices.choices import DeadLetterReason, DeviceState, Quantity
from confiance.devices.drafts import Parsed, Rejected
from confiance.devices.models import DeadLetter, Gateway
from confiance.devices.registry import DeviceEntry, GatewayEntry, Registry, current_registry
from confiance.devices.sql import (
    AggregateRow,
    HealthRow,
    Row,
    devices_still_present,
    insert_measurements,
    store_measurements_aggregated,
    update_device_health,
    upsert_aggregates,
)

FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST_ACCEPTED = datetime(2000, 1, 1, tzinfo=UTC)
PAYLOAD_KEPT = 2000  # characters of a rejected payload kept in the dead-letter table
HEALTH_EVERY = timedelta(seconds=5)  # a device's last seen is written at most this often by one process
HEALTH_QUANTITIES = {Quantity.BATTERY.value: "battery_pct", Quantity.SIGNAL.value: "signal_dbm"}


@dataclass
class StoreResult:
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    new_rows: list[Row] = field(default_factory=list)
    rejections: list[Rejected] = field(default_factory=list)  # what was refused and why (the HTTP answers tell)


def _reject(rejected: list[Rejected], reason: str, detail: str, device: str) -> None:
    rejected.append(Rejected(reason=reason, detail=detail[:300], device=device[:64]))


def aggregate_rows(rows: Sequence[Row]) -> list[AggregateRow]:
    """The per-minute and per-hour buckets of new rows (count, sum, min, max, newest value): the minutes from the
    rows, then the hours from the minutes (a minute lies in one hour), each time converted once per batch (the
    values of a message share it)."""
    minutes: dict[tuple[int, str, datetime], list] = {}
    starts: dict[datetime, tuple[datetime, datetime]] = {}
    for device_id, quantity, observed_at, value in rows:
        known = starts.get(observed_at)
        if known is None:
            utc = observed_at.astimezone(UTC)
            known = starts[observed_at] = (utc, utc.replace(second=0, microsecond=0))
        utc, minute = known
        key = (device_id, quantity, minute)
        acc = minutes.get(key)
        if acc is None:
            minutes[key] = [1, value, value, value, value, utc]
        else:
            acc[0] += 1
            acc[1] += value
            if value < acc[2]:
                acc[2] = value
            if value > acc[3]:
                acc[3] = value
            if utc >= acc[5]:
                acc[4], acc[5] = value, utc
    hours: dict[tuple[int, str, datetime], list] = {}
    for (device_id, quantity, minute), (count, total, low, high, last_value, last_at) in minutes.items():
        key = (device_id, quantity, minute.replace(minute=0))
        acc = hours.get(key)
        if acc is None:
            hours[key] = [count, total, low, high, last_value, last_at]
        else:
            acc[0] += count
            acc[1] += total
            acc[2] = min(acc[2], low)
            acc[3] = max(acc[3], high)
            if last_at >= acc[5]:
                acc[4], acc[5] = last_value, last_at
    return [(device_id, quantity, resolution, bucket, *acc)
            for resolution, buckets in (("minute", minutes), ("hour", hours))
            for (device_id, quantity, bucket), acc in buckets.items()]


def _check(parsed: Parsed, *, gateway: GatewayEntry | None, commune_id: int | None, now: datetime,
           rejected: list[Rejected]) -> tuple[list[Row], dict[int, DeviceEntry]]:
    registry = current_registry()
    rows: list[Row] = []
    seen: dict[int, DeviceEntry] = {}
    latest = now + FUTURE_TOLERANCE
    for reading in parsed.readings:
        entry = registry.devices.get(reading.device)
        if entry is None:
            _reject(rejected, DeadLetterReason.UNKNOWN_DEVICE, "", reading.device)
            continue
        allowed_commune = gateway.commune_id if gateway is not None else commune_id
        if allowed_commune is not None and entry.commune_id != allowed_commune:
            _reject(rejected, DeadLetterReason.FORBIDDEN, "", reading.device)
            continue
        if not entry.active:
            _reject(rejected, DeadLetterReason.DISABLED, "", reading.device)
            continue
        if reading.quantity not in entry.quantities:
            _reject(rejected, DeadLetterReason.UNKNOWN_QUANTITY, reading.quantity, reading.device)
            continue
        value = reading.value
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            _reject(rejected, DeadLetterReason.WRONG_TYPE, f"{reading.quantity}: {value!r}"[:300], reading.device)
            continue
        observed = reading.observed_at
        if observed.tzinfo is None or observed < OLDEST_ACCEPTED:
            _reject(rejected, DeadLetterReason.TIME_INVALID, str(observed), reading.device)
            continue
        if observed > latest:
            _reject(rejected, DeadLetterReason.FUTURE_TIME, observed.isoformat(), reading.device)
            continue
        rows.append((entry.id, reading.quantity, observed, float(value)))
        seen[entry.id] = entry
    return rows, seen


def _gone(rows: Sequence[Row], devices: dict[int, DeviceEntry], rejected: list[Rejected]) -> set[int]:
    """The batch's devices deleted since this process's registry was built: their readings are refused (unknown
    device) and removed from `devices`. The others are kept from deletion until the batch commits (ADR 0020)."""
    if not rows:
        return set()
    gone = set(devices) - devices_still_present(list(devices))
    if gone:
        for row in rows:
            if row[0] in gone:
                _reject(rejected, DeadLetterReason.UNKNOWN_DEVICE, "", devices[row[0]].identifier)
        for device_id in gone:
            del devices[device_id]
    return gone


def _dead_letters(rejected: Sequence[Rejected], *, source: str, gateway: GatewayEntry | None, now: datetime,
                  gone: frozenset[int] | set[int] = frozenset()) -> None:
    registry = current_registry()
    letters = []
    for item in rejected:
        entry = registry.devices.get(item.device) if item.device else None
        if entry is not None and entry.id in gone:
            entry = None  # deleted since the registry was built: named by its identifier only
        letters.append(DeadLetter(
            received_at=now, source=source, reason=item.reason, detail=item.detail[:300],
            device_identifier=item.device[:64], device_id=entry.id if entry else None,
            commune_id=entry.commune_id if entry else (gateway.commune_id if gateway else None),
            gateway_id=gateway.id if gateway else None, topic=item.topic[:200], payload=item.payload[:PAYLOAD_KEPT],
        ))
    DeadLetter.objects.bulk_create(letters)


class _HealthMemo:
    """What this process last wrote of each device's health, so that a device heard in every batch (ten a second)
    is written every few seconds, not every batch. Filled after commit only, and forgotten when the registry is
    rebuilt (a rolled-back or recreated device starts afresh)."""

    def __init__(self) -> None:
        self.registry: Registry | None = None
        self.written: dict[int, tuple[datetime, float | None, float | None]] = {}

    def due(self, registry: Registry, device_id: int, now: datetime, battery: float | None,
            signal: float | None) -> bool:
        if registry is not self.registry:
            self.registry, self.written = registry, {}
        known = self.written.get(device_id)
        if known is None:
            return True
        at, last_battery, last_signal = known
        return (not timedelta(0) <= now - at < HEALTH_EVERY or (battery is not None and battery != last_battery)
                or (signal is not None and signal != last_signal))

    def remember(self, registry: Registry, rows: Sequence[HealthRow]) -> None:
        if registry is not self.registry:
            return
        for device_id, seen, _offset, battery, signal in rows:
            known = self.written.get(device_id)
            self.written[device_id] = (seen, battery if battery is not None else (known[1] if known else None),
                                       signal if signal is not None else (known[2] if known else None))


_health_memo = _HealthMemo()


def _health(new_rows: Sequence[Row], devices: dict[int, DeviceEntry], *, gateway: GatewayEntry | None,
            now: datetime) -> None:
    """Last seen, clock offset (reception minus newest observation), battery and signal of the devices heard;
    a device already written by this process less than HEALTH_EVERY ago is skipped unless its battery or signal
    changed."""
    newest: dict[int, datetime] = {}
    health: dict[int, dict[str, tuple[datetime, float]]] = {}
    for device_id, quantity, observed_at, value in new_rows:
        if device_id not in newest or observed_at > newest[device_id]:
            newest[device_id] = observed_at
        column = HEALTH_QUANTITIES.get(quantity)
        if column:
            known = health.setdefault(device_id, {}).get(column)
            if known is None or observed_at >= known[0]:
                health[device_id][column] = (observed_at, value)
    registry = current_registry()
    rows: list[HealthRow] = []
    for device_id in devices:
        values = health.get(device_id, {})
        battery = values["battery_pct"][1] if "battery_pct" in values else None
        signal = values["signal_dbm"][1] if "signal_dbm" in values else None
        if not _health_memo.due(registry, device_id, now, battery, signal):
            continue
        offset = round((now - newest[device_id]).total_seconds(), 1) if device_id in newest else None
        rows.append((device_id, now, offset, battery, signal))
    update_device_health(rows, unknown=DeviceState.UNKNOWN.value, ok=DeviceState.OK.value)
    if rows:
        transaction.on_commit(lambda: _health_memo.remember(registry, rows))
    if gateway is not None:
        Gateway.objects.filter(pk=gateway.id).update(last_seen_at=now)


def measurements_store(parsed: Parsed, *, source: str, gateway: GatewayEntry | None = None,
                       commune_id: int | None = None, now: datetime | None = None) -> StoreResult:
    """Store a batch (one transaction): new values, their aggregates, the devices' health, the rules' verdicts,
    and a dead letter for everything refused. `gateway` (or `commune_id`) limits the batch to that commune's
    devices: a reading of another commune's device is refused, never stored."""
    now = now or timezone.now()
    rejected = list(parsed.rejected)
    with transaction.atomic():
        rows, devices = _check(parsed, gateway=gateway, commune_id=commune_id, now=now, rejected=rejected)
        gone = _gone(rows, devices, rejected)
        if gone:
            rows = [row for row in rows if row[0] not in gone]
        if not rows:
            new_rows: list[Row] = []
        elif connection.vendor == "postgresql":  # values and aggregates in one statement
            new_rows = store_measurements_aggregated(rows, received_at=now, source=source)
        else:
            new_rows = insert_measurements(rows, received_at=now, source=source)
            if new_rows:
                upsert_aggregates(aggregate_rows(new_rows))
        if devices or gateway is not None:
            _health(new_rows, devices, gateway=gateway, now=now)
        if rejected:
            _dead_letters(rejected, source=source, gateway=gateway, now=now, gone=gone)
        if new_rows:
            rule_engine.evaluate(new_rows, now=now)
    return StoreResult(stored=len(new_rows), duplicates=len(rows) - len(new_rows), rejected=len(rejected),
                       new_rows=new_rows, rejections=rejected)
