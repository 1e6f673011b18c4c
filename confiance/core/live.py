"""Live events: the outbox, after-commit wake-ups, and the per-process broadcaster behind SSE.

Every live event is a row of OutboxEvent written inside the transaction that caused it
(`publish_on_commit`). After commit, the streams of this process are woken directly and,
when REDIS_URL is set, the other processes through Redis pub/sub. A slow poll backs the
wake-ups up, so a missed wake-up delays an event but never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q

from confiance.core.inserts import insert_row_after_lock, insert_rows
from confiance.core.metrics import SSE_CLIENTS
from confiance.core.models import OutboxEvent
from confiance.core.transactions import transaction_mark

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "confiance:outbox"
QUEUE_LIMIT = 5000
BACKLOG_PAGE = 500
ACCESS_CHANGED = 'event: reset\ndata: {"reason":"access_changed"}\n\n'


@dataclass(frozen=True)
class LiveEvent:
    """Base of the payload dataclasses that apps declare in their events.py."""

    event_type: ClassVar[str] = "event"

    def payload(self) -> dict[str, Any]:
        """The JSON payload sent to clients."""
        return dataclasses.asdict(self)


OUTBOX_ORDER_LOCK = 7_341_001  # ADR 0001
OUTBOX_HELD = "outbox-lock"  # the transaction mark of a transaction holding it (core/transactions.py)


def publish_on_commit(event: LiveEvent, *, commune_id: int | None) -> OutboxEvent:
    """Write a live event in the current transaction; wake the streams once it commits."""
    # No savepoint: inside a service's transaction a failure here must abort the whole write anyway.
    with transaction.atomic(savepoint=False):
        # Outbox ids follow commit order, so a reader never skips a late-committing id: on PostgreSQL the id is
        # drawn under a lock held until commit, taken by the insert itself (SQLite serialises writers already).
        row = insert_row_after_lock(
            OutboxEvent(commune_id=commune_id, event_type=event.event_type, payload=event.payload()),
            OUTBOX_ORDER_LOCK)
        transaction_mark(OUTBOX_HELD)  # held until the transaction ends: no new audit chain lock after it
    local_wakeups.notify_listeners()
    transaction.on_commit(lambda: wake_all(row.pk))
    return row


def publish_many_on_commit(events: list[tuple[LiveEvent, int | None]]) -> list[OutboxEvent]:
    """`publish_on_commit` for a batch of (event, commune id): one multi-row insert and one wake-up. The first row
    takes the outbox lock (PostgreSQL) as `publish_on_commit` does; the others are drawn while it is held."""
    if not events:
        return []
    rows = [OutboxEvent(commune_id=commune_id, event_type=event.event_type, payload=event.payload())
            for event, commune_id in events]
    with transaction.atomic(savepoint=False):
        insert_row_after_lock(rows[0], OUTBOX_ORDER_LOCK)
        insert_rows(rows[1:])
        transaction_mark(OUTBOX_HELD)
    local_wakeups.notify_listeners()
    newest = max(row.pk for row in rows)
    transaction.on_commit(lambda: wake_all(newest))
    return rows


# --- Wake-ups -----------------------------------------------------------------------------


class _LocalWakeups:
    """asyncio events to set from any thread when a new outbox row is committed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._listeners: list[Callable[[], None]] = []

    def register(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        with self._lock:
            self._waiters.add((loop, event))

    def unregister(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        with self._lock:
            self._waiters.discard((loop, event))

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback` when an outbox row is written and again when it is committed, in the writing thread:
        per-process indexes that follow the outbox mark themselves stale this way (quick, never raising)."""
        with self._lock:
            self._listeners.append(callback)

    def notify_listeners(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            callback()

    def notify(self) -> None:
        self.notify_listeners()
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)


local_wakeups = _LocalWakeups()
_redis_client = None
_redis_client_lock = threading.Lock()


def _redis():
    global _redis_client
    with _redis_client_lock:
        if _redis_client is None:
            import redis

            _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        return _redis_client


def wake_all(event_id: int) -> None:
    """Wake this process's streams, and the other processes' through Redis when configured."""
    local_wakeups.notify()
    if settings.REDIS_URL:
        try:
            _redis().publish(REDIS_CHANNEL, str(event_id))
        except Exception:  # the poll delivers the event anyway; never fail the committed write
            logger.warning("Redis wake-up failed for outbox event %s", event_id, exc_info=True)


# --- Reading the outbox --------------------------------------------------------------------


@dataclass(frozen=True)
class StreamFilter:
    """What one stream may receive: events of these communes, and platform-wide events.

    `restricted` narrows event families further, the first matching prefix deciding: (("operations.", ids),)
    lets events whose type starts with "operations." through only for those communes (police data is not for
    every agent who follows a commune). `commune_ids` must include every commune some prefix allows.

    `only`, when given, narrows the stream further to the events one of its rules matches (a stream scope, such as
    the field page's: its unit's events only), on top of the rules above.
    """

    commune_ids: frozenset[int]
    include_platform: bool = True
    restricted: tuple[tuple[str, frozenset[int]], ...] = ()
    only: tuple[PayloadRule, ...] | None = None

    def allows(self, commune_id: int | None, event_type: str = "", payload: dict[str, Any] | None = None) -> bool:
        if self.only is not None and not any(rule.matches(event_type, payload) for rule in self.only):
            return False
        for prefix, allowed in self.restricted:
            if event_type.startswith(prefix):
                return commune_id is not None and commune_id in allowed
        if commune_id is None:
            return self.include_platform
        return commune_id in self.commune_ids


@dataclass(frozen=True)
class PayloadRule:
    """Events of exactly this type whose payload holds one of these values under `key` (an integer id)."""

    event_type: str
    key: str
    values: frozenset[int]

    def matches(self, event_type: str, payload: dict[str, Any] | None) -> bool:
        return event_type == self.event_type and (payload or {}).get(self.key) in self.values

    def as_q(self) -> Q:
        return Q(event_type=self.event_type, **{f"payload__{self.key}__in": sorted(self.values)})


@dataclass(frozen=True)
class StreamedEvent:
    """An outbox row as streams see it."""

    id: int
    commune_id: int | None
    event_type: str
    payload: dict[str, Any]
    created_at: str

    def as_sse(self) -> str:
        data = json.dumps(
            {"id": self.id, "type": self.event_type, "commune": self.commune_id,
             "at": self.created_at, "payload": self.payload},
            ensure_ascii=False, separators=(",", ":"),
        )
        return f"id: {self.id}\nevent: {self.event_type}\ndata: {data}\n\n"


def _to_streamed(row: OutboxEvent) -> StreamedEvent:
    return StreamedEvent(row.pk, row.commune_id, row.event_type, row.payload, row.created_at.isoformat())


def read_events_after(last_id: int, *, limit: int, stream_filter: StreamFilter | None = None) -> list[StreamedEvent]:
    """Outbox rows after an id, oldest first, optionally restricted to what a stream may see."""
    query = OutboxEvent.objects.filter(id__gt=last_id)
    if stream_filter is not None:
        visible = OutboxEvent.objects.none()
        if stream_filter.commune_ids:
            visible = query.filter(commune_id__in=stream_filter.commune_ids)
        if stream_filter.include_platform:
            visible = visible | query.filter(commune_id__isnull=True)
        query = visible
        earlier = Q(pk__in=[])
        for prefix, allowed in stream_filter.restricted:  # first matching prefix decides, as in allows()
            query = query.exclude(~earlier & Q(event_type__startswith=prefix) & ~Q(commune_id__in=allowed))
            earlier |= Q(event_type__startswith=prefix)
        if stream_filter.only is not None:
            matching = Q(pk__in=[])
            for rule in stream_filter.only:
                matching |= rule.as_q()
            query = query.filter(matching)
    return [_to_streamed(row) for row in query.order_by("id")[:limit]]


def last_event_id() -> int:
    """The id of the newest outbox row (0 when empty)."""
    newest = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return newest or 0


def oldest_event_id() -> int | None:
    """The id of the oldest outbox row still kept, if any."""
    return OutboxEvent.objects.order_by("id").values_list("id", flat=True).first()


# --- The per-process broadcaster -----------------------------------------------------------


@dataclass(eq=False)
class Subscription:
    """One SSE stream's queue inside the broadcaster."""

    stream_filter: StreamFilter
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=QUEUE_LIMIT))
    overflowed: bool = False


class Broadcaster:
    """Reads new outbox rows once per wake-up and fans them out to this process's streams."""

    def __init__(self) -> None:
        self.subscriptions: set[Subscription] = set()
        self.position = 0
        self._wake = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="confiance-outbox")
        self._task: asyncio.Task | None = None
        self._redis_task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        local_wakeups.register(loop, self._wake)
        self.position = await self.run_db(last_event_id)
        self._task = asyncio.create_task(self._run(), name="confiance-broadcaster")
        if settings.REDIS_URL:
            self._redis_task = asyncio.create_task(self._listen_redis(), name="confiance-redis-wakeups")
        self.ready.set()

    async def run_db(self, function, *args, **kwargs):
        """Run a database read on the broadcaster's own thread (one connection per process)."""
        def call():
            close_old_connections()
            return function(*args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def _run(self) -> None:
        poll = settings.CONFIANCE_SSE_POLL_SECONDS
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
            self._wake.clear()
            try:
                await self._fetch_and_dispatch()
            except Exception:
                logger.exception("Outbox read failed; retrying at the next wake-up")

    async def _fetch_and_dispatch(self) -> None:
        while True:
            rows = await self.run_db(read_events_after, self.position, limit=BACKLOG_PAGE)
            if not rows:
                return
            self.position = rows[-1].id
            self._dispatch(rows)
            if len(rows) < BACKLOG_PAGE:
                return

    def _dispatch(self, rows: Iterable[StreamedEvent]) -> None:
        for subscription in list(self.subscriptions):
            for row in rows:
                if not subscription.stream_filter.allows(row.commune_id, row.event_type, row.payload):
                    continue
                try:
                    subscription.queue.put_nowait(row)
                except asyncio.QueueFull:
                    subscription.overflowed = True
                    break

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis

        while True:
            try:
                client = aioredis.Redis.from_url(settings.REDIS_URL)
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(REDIS_CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Redis wake-up listener lost; reconnecting", exc_info=True)
                await asyncio.sleep(1)

    def subscribe(self, stream_filter: StreamFilter) -> Subscription:
        subscription = Subscription(stream_filter)
        self.subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)


_broadcasters: dict[asyncio.AbstractEventLoop, Broadcaster] = {}


async def get_broadcaster() -> Broadcaster:
    """The broadcaster of the running event loop, started on first use."""
    loop = asyncio.get_running_loop()
    broadcaster = _broadcasters.get(loop)
    if broadcaster is None:
        broadcaster = _broadcasters[loop] = Broadcaster()
        await broadcaster.start()
    await broadcaster.ready.wait()
    return broadcaster


def _parse_last_event_id(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def _position_lost(last_id: int) -> bool:
    oldest = oldest_event_id()
    return oldest is not None and oldest > last_id + 1 and last_id < last_event_id()


async def event_stream(stream_filter: StreamFilter, last_event_id_header: str | None,
                       still_allowed: Callable[[], bool] | None = None) -> AsyncIterator[str]:
    """SSE text for one client: the backlog after Last-Event-ID, then live events and heartbeats.

    `still_allowed` (a database read, run on the broadcaster's thread) is asked at every heartbeat period, busy
    or idle: once it answers False the stream says `reset` (reason `access_changed`) and ends, so a revoked token,
    a deactivated agent or changed rights stop delivery within one heartbeat.
    """
    broadcaster = await get_broadcaster()
    subscription = broadcaster.subscribe(stream_filter)
    heartbeat = settings.CONFIANCE_SSE_HEARTBEAT_SECONDS
    loop = asyncio.get_running_loop()
    next_check = loop.time() + heartbeat

    async def allowed() -> bool:
        return still_allowed is None or bool(await broadcaster.run_db(still_allowed))

    SSE_CLIENTS.inc()
    try:
        yield "retry: 3000\n: connecté\n\n"
        resume_from = _parse_last_event_id(last_event_id_header)
        last_sent = broadcaster.position if resume_from is None else resume_from
        if resume_from is not None:
            if await broadcaster.run_db(_position_lost, resume_from):
                yield 'event: reset\ndata: {"reason":"position_lost"}\n\n'
                return
            while True:
                backlog = await broadcaster.run_db(
                    read_events_after, last_sent, limit=BACKLOG_PAGE, stream_filter=stream_filter
                )
                for row in backlog:
                    last_sent = row.id
                    yield row.as_sse()
                if len(backlog) < BACKLOG_PAGE:
                    break
        while True:
            if subscription.overflowed:
                yield 'event: reset\ndata: {"reason":"too_slow"}\n\n'
                return
            idle = False
            try:
                row = await asyncio.wait_for(subscription.queue.get(), timeout=max(0.0, next_check - loop.time()))
            except TimeoutError:
                row, idle = None, True
            if loop.time() >= next_check:
                next_check = loop.time() + heartbeat
                if not await allowed():
                    yield ACCESS_CHANGED
                    return
            if idle:
                yield ": heartbeat\n\n"
                continue
            if row is not None and row.id > last_sent:
                last_sent = row.id
                yield row.as_sse()
    finally:
        SSE_CLIENTS.dec()
        broadcaster.unsubscribe(subscription)
