"""Units as dispatch reads them, held in memory per process: position, availability and current engagement of
every active unit, by commune, so a recommendation reads no unit rows.

The index is built from the database on first use, then follows the outbox: the `operations.unit` and
`operations.units_moved` events published after its position are applied in id order. A wake-up (this process's
commits through `core.live`, other processes' through Redis) marks it stale; the next read catches up in one
query. Without a wake-up it still catches up every `CONFIANCE_SSE_POLL_SECONDS`, as the SSE broadcaster does.
When the outbox was purged past its position, or went backwards (a database reset), it is rebuilt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from confiance.core.live import REDIS_CHANNEL, local_wakeups
from confiance.core.models import OutboxEvent
from confiance.operations.choices import Milestone
from confiance.operations.events import UnitChanged, UnitsMoved
from confiance.operations.models import Assignment, Intervention, Unit
from confiance.territory.models import Commune

logger = logging.getLogger(__name__)
FOLLOWED = (UnitChanged.event_type, UnitsMoved.event_type)


@dataclass(frozen=True)
class IndexedUnit:
    """What dispatch needs of one unit."""

    id: int
    name: str
    commune_id: int
    commune: str
    milestone: str
    lat: float | None
    lon: float | None
    position_at: datetime | None
    status_at: datetime
    engaged_on: str | None
    engaged_on_id: int | None = None  # the intervention it is engaged on


@dataclass(frozen=True)
class UnitSnapshot:
    """Units of some communes with their coordinates, position times and availability as arrays, so dispatch
    filters and ranks them without a Python loop over every unit."""

    units: list[IndexedUnit]
    lats: np.ndarray
    lons: np.ndarray
    position_ts: np.ndarray  # epoch seconds; -inf without a position time
    available: np.ndarray  # not engaged, "available" milestone, with a position

    @classmethod
    def of(cls, units: list[IndexedUnit]) -> UnitSnapshot:
        units = sorted(units, key=lambda unit: unit.id)
        return cls(units,
                   np.array([np.nan if unit.lat is None else unit.lat for unit in units], dtype=float),
                   np.array([np.nan if unit.lon is None else unit.lon for unit in units], dtype=float),
                   np.array([-np.inf if unit.position_at is None else unit.position_at.timestamp()
                             for unit in units], dtype=float),
                   np.array([not unit.engaged_on and unit.milestone == Milestone.AVAILABLE
                             and unit.lat is not None and unit.lon is not None for unit in units], dtype=bool))


def moment(value: Any) -> datetime | None:
    """A time from a plain row or a payload: a datetime (PostgreSQL) or ISO text (SQLite, JSON)."""
    if value is None or isinstance(value, datetime):
        return value if value is None or timezone.is_aware(value) else timezone.make_aware(value, UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _units_sql(where: str) -> str:
    unit, commune = Unit._meta.db_table, Commune._meta.db_table
    assignment, intervention = Assignment._meta.db_table, Intervention._meta.db_table
    # Table names come from the models; every value goes as a parameter.
    return (
        "SELECT u.id, u.name, u.commune_id, c.name, u.milestone, u.lat, u.lon, u.position_at, u.status_at, "  # noqa: S608
        f"i.number, i.id FROM {unit} u JOIN {commune} c ON c.id = u.commune_id "
        f"LEFT JOIN {assignment} a ON a.unit_id = u.id AND a.finished_at IS NULL "
        f"LEFT JOIN {intervention} i ON i.id = a.intervention_id WHERE u.active = %s{where}"
    )


def units_from_database(commune_ids: Iterable[int] | None = None) -> list[IndexedUnit]:
    """Active units read from the database in one plain statement (all of them, or of these communes)."""
    params: list[Any] = [True]
    where = ""
    if commune_ids is not None:
        ids = sorted(commune_ids)
        where = f" AND u.commune_id IN ({', '.join(['%s'] * len(ids))})" if ids else " AND 1 = 0"
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(_units_sql(where), params)
        rows = cursor.fetchall()
    return [IndexedUnit(unit_id, name, commune_id, commune, milestone, lat, lon, moment(position_at),
                        moment(status_at) or timezone.now(), engaged_on, engaged_on_id)
            for (unit_id, name, commune_id, commune, milestone, lat, lon, position_at, status_at, engaged_on,
                 engaged_on_id) in rows]


def _changed(payload: dict[str, Any]) -> IndexedUnit | None:
    """The unit of an `operations.unit` payload (None: it left dispatch, deactivated)."""
    if not payload.get("active", True):
        return None
    assignment = payload.get("assignment") or {}
    return IndexedUnit(payload["id"], payload["name"], payload["commune_id"], payload["commune"],
                       payload["milestone"], payload["lat"], payload["lon"], moment(payload["position_at"]),
                       moment(payload["status_at"]) or timezone.now(), assignment.get("intervention_number"),
                       assignment.get("intervention_id"))


class UnitIndex:
    """The per-process index; thread-safe, every read returns a snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._units: dict[int, IndexedUnit] = {}
        self._position: int | None = None  # outbox id applied up to; None: not built
        self._stale = True
        self._checked_at = 0.0
        self._listening = False
        self._snapshots: dict[frozenset[int], UnitSnapshot] = {}  # emptied at every change
        self.rebuilds = 0

    def mark_stale(self) -> None:
        """A wake-up: some outbox row was committed."""
        self._stale = True

    def reset(self) -> None:
        """Forget everything (tests; the next read rebuilds)."""
        with self._lock:
            self._units, self._position, self._stale, self.rebuilds = {}, None, True, 0
            self._snapshots = {}

    def snapshot(self, commune_ids: Iterable[int]) -> UnitSnapshot:
        """The active units of these communes, as of the last outbox event applied."""
        wanted = frozenset(commune_ids)
        with self._lock:
            self._listen()
            self._refresh()
            snapshot = self._snapshots.get(wanted)
            if snapshot is None:
                snapshot = UnitSnapshot.of([unit for unit in self._units.values() if unit.commune_id in wanted])
                self._snapshots[wanted] = snapshot
            return snapshot

    def _listen(self) -> None:
        if self._listening:
            return
        self._listening = True
        local_wakeups.add_listener(self.mark_stale)
        if settings.REDIS_URL:
            threading.Thread(target=self._listen_redis, name="confiance-unit-index", daemon=True).start()

    def _listen_redis(self) -> None:
        import redis

        while True:
            try:
                pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub()
                pubsub.subscribe(REDIS_CHANNEL)
                for message in pubsub.listen():
                    # "subscribe": a wake-up sent before the subscription took effect would be missed, so catch up
                    if message.get("type") in ("message", "subscribe"):
                        self._stale = True
            except Exception:  # the poll catches up meanwhile
                logger.warning("Unit index: Redis wake-up listener lost; reconnecting", exc_info=True)
                self._stale = True
                time.sleep(1)

    def _refresh(self) -> None:
        due = time.monotonic() - self._checked_at >= settings.CONFIANCE_SSE_POLL_SECONDS
        if self._position is None:
            self._rebuild()
        elif self._stale or due:
            self._catch_up(self._position)

    def _rebuild(self) -> None:
        self._stale = False
        self._checked_at = time.monotonic()
        # The position first: an event committed while the units are read is applied again, harmlessly.
        self._position = OutboxEvent.objects.aggregate(last=Max("id"))["last"] or 0
        self._units = {unit.id: unit for unit in units_from_database()}
        self._snapshots = {}
        self.rebuilds += 1

    def _catch_up(self, position: int) -> None:
        self._stale = False
        self._checked_at = time.monotonic()
        bounds = OutboxEvent.objects.aggregate(first=Min("id"), last=Max("id"))
        first, last = bounds["first"], bounds["last"] or 0
        if last < position or (first is not None and first > position + 1 and last > position):
            self._rebuild()  # position lost: purged past it, or the outbox went backwards
            return
        if last == position:
            return
        rows = (OutboxEvent.objects.filter(id__gt=position, id__lte=last, event_type__in=FOLLOWED)
                .order_by("id").values_list("event_type", "payload"))
        for event_type, payload in rows:
            self._apply(event_type, payload)
            self._snapshots = {}
        self._position = last

    def _apply(self, event_type: str, payload: dict[str, Any]) -> None:
        if event_type == UnitChanged.event_type:
            unit = _changed(payload)
            if unit is None:
                self._units.pop(payload["id"], None)
            else:
                self._units[unit.id] = unit
            return
        for moved in payload.get("units", []):
            self._move(moved)

    def _move(self, moved: dict[str, Any]) -> None:
        unit = self._units.get(moved["id"])
        at = moment(moved["at"])
        if unit is None or at is None or (unit.position_at is not None and at < unit.position_at):
            return
        self._units[unit.id] = replace(unit, lat=moved["lat"], lon=moved["lon"], position_at=at)


unit_index = UnitIndex()
