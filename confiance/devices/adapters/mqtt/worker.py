"""The MQTT ingestion worker: receive, batch, store in one transaction, then acknowledge (ADR 0010).

The MQTT connection lives in a child process (receiver.py, ADR 0022): paho's network thread there reads the
socket, answers pings, reconnects with exponential back-off, and forwards what arrived through a pipe; it never
touches the database, so a slow commit never stops the pings nor the reading of what is in flight, and paho's
interpreter time is not taken from the store's. In this process a reading thread puts what the child forwards in an
in-memory inbox; the main thread (the caller of `run`) takes a batch from it (up to `batch_size` messages, or
whatever arrived within `batch_ms` of the first one), parses it, stores it with `measurements_store` (one
transaction) and only then acknowledges each message (the PUBACKs are sent back to the child, which hands them to
paho). A message that was not acknowledged is redelivered by the broker after a crash or a reconnection, and stored
once (the measurement's identity is device, quantity and observation time).

On PostgreSQL the worker stores up to `store_threads` batches at once (two by default), each on a thread and a
connection of its own: a batch spends most of its time waiting for the database, and the next one is checked and
sent meanwhile (ADR 0021). The acknowledgements still leave in the order the messages came (MQTT wants PUBACKs in
order): a batch is acknowledged once it and every batch received before it are committed. On SQLite, whose writes
run one at a time, one batch is stored at a time, by one store thread. In both cases the main thread parses the
next batch meanwhile: SQLite and the PostgreSQL driver release the interpreter lock while a statement runs.

Back-pressure: the CONNECT packet's Receive Maximum caps the messages the broker sends before they are
acknowledged; since acknowledgements follow commits, a slow database slows the broker down instead of filling this
process's memory (the inbox holds no more than `receive_maximum` messages, with a broker that honours it).
Messages received on a connection that has since dropped are stored but not acknowledged (a packet id means nothing
on the next connection): the broker redelivers them and they count as duplicates. On SIGTERM the worker stores
what is already in its inbox, acknowledges it, and disconnects cleanly; the session (persistent: no clean start, an
expiry interval) keeps the rest for the next start.
"""

from __future__ import annotations

import gc
import json
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.db.backends.signals import connection_created

from confiance.devices.adapters.frigate.parsing import parse_message
from confiance.devices.adapters.mqtt.config import MqttConfig
from confiance.devices.adapters.mqtt.receiver import Receiver
from confiance.devices.choices import DeadLetterReason, DetectionSource, MeasurementSource
from confiance.devices.drafts import DetectionDraft, Parsed, Rejected
from confiance.devices.readings import parse_payload
from confiance.devices.services.measurements import measurements_store
from confiance.devices.services.video import detections_store

log = logging.getLogger("confiance.devices.mqtt")

RETRY_MAX_S = 30.0
EXCERPT = 500
# SQLite connection of the worker: a 64 MiB page cache (the default 8 MiB no longer holds the measurements' indexes
# after a few hundred thousand rows, and every insert reads pages back), and a checkpoint every 10,000 WAL pages
# instead of 1,000 (a page written by several batches is copied to the database once). Measured in ADR 0010.
SQLITE_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA wal_autocheckpoint=10000")
# A batch allocates tens of thousands of short-lived objects (messages, readings, rows), none in a cycle: with the
# default threshold (700) the collector runs dozens of times a batch, and its older generations walk Django's whole
# heap. The worker freezes what exists at its start (never collected again, it lives as long as the process) and
# collects the youngest generation every 20,000 allocations.
GC_THRESHOLD = (20_000, 20, 20)
# The store thread lets go of the interpreter lock at each statement (SQLite and psycopg run it without), and then
# waits for the main thread, parsing the next batch, to hand it back: by default after up to 5 ms, a few times per
# batch. At 0.5 ms the statement's result is taken up at once: SQLite drain 3,900 to 4,650 messages/s (ADR 0022).
SWITCH_INTERVAL_S = 0.0005


def _tune_sqlite(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)


@dataclass(slots=True)
class Inbound:
    mid: int
    qos: int
    topic: str | None  # None: not UTF-8
    payload: bytes
    generation: int  # the connection it came on


@dataclass
class WorkerStats:
    received: int = 0
    batches: int = 0
    messages_stored: int = 0  # messages committed (their values stored, duplicates or dead-lettered)
    stored: int = 0  # new measurements
    duplicates: int = 0
    rejected: int = 0
    acked: int = 0
    not_acked: int = 0  # committed but received on a connection that dropped since: redelivered, then duplicates
    store_failures: int = 0
    video_stored: int = 0  # video-analytics detections (Frigate topics)
    video_duplicates: int = 0
    video_refused: int = 0  # dropped and counted (unmapped, no legal basis, unknown camera, unreadable)
    connects: int = 0
    disconnects: int = 0
    parse_s: float = 0.0  # main thread time, by step
    store_s: float = 0.0
    ack_s: float = 0.0

    def add(self, other: WorkerStats) -> None:
        """Add a batch's counts (kept apart while the batch is stored, so that two store threads lose none)."""
        for name, value in asdict(other).items():
            if value:  # a field another thread counts (connects, received) is never rewritten with its old value
                setattr(self, name, getattr(self, name) + value)

    def as_json(self, **extra) -> str:
        values = asdict(self)
        for name in ("parse_s", "store_s", "ack_s"):
            values[name] = round(values[name], 3)
        return json.dumps({**values, **extra})


ParsedBatch = tuple[list[Parsed], list[DetectionDraft | None]]  # measurements' readings, video-analytics drafts


def _excerpt(payload: bytes) -> str:
    return payload[:EXCERPT].decode("utf-8", "replace").replace("\x00", "")


def parse_inbound(config: MqttConfig, item: Inbound) -> Parsed:
    """Readings of one message; a topic outside the layout is a dead letter, never an exception."""
    device = config.device_of(item.topic) if item.topic is not None else None
    if device is None:
        topic = (item.topic or "")[:200]
        return Parsed(rejected=[Rejected(reason=DeadLetterReason.MALFORMED, detail="sujet MQTT inattendu",
                                         topic=topic, payload=_excerpt(item.payload))])
    try:
        return parse_payload(item.payload, device=device, topic=item.topic or "")
    except Exception as error:  # the parser does not raise; if it ever did, the run goes on
        log.exception("parser failure on %s", item.topic)
        return Parsed(rejected=[Rejected(reason=DeadLetterReason.MALFORMED, detail=f"erreur : {type(error).__name__}",
                                         device=device[:64], topic=item.topic or "", payload=_excerpt(item.payload))])


class _StorePipeline:
    """Up to `depth` batches stored at once, each by a thread with a database connection of its own, acknowledged
    in the order they were received. A batch that could not be stored (stop during a retry, or an unexpected error)
    leaves it and every later batch unacknowledged: the broker redelivers them, and those that were stored come back
    as duplicates (stored once). An unexpected error also stops the worker (`error`), as it does without threads."""

    def __init__(self, worker: IngestWorker, depth: int, stop: threading.Event) -> None:
        self.worker, self.stop = worker, stop
        self.jobs: queue.SimpleQueue[tuple[int, list[Inbound], ParsedBatch | None, WorkerStats] | None] = \
            queue.SimpleQueue()
        self.slots = threading.Semaphore(depth)
        self.turn = threading.Condition()
        self.submitted = 0
        self.next_ack = 0
        self.failed = False
        self.closed = False
        self.error: BaseException | None = None
        self.threads = [threading.Thread(target=self._serve, name=f"confiance-store-{index}", daemon=True)
                        for index in range(depth)]
        for thread in self.threads:
            thread.start()

    def submit(self, batch: list[Inbound], parsed: ParsedBatch | None = None, stats: WorkerStats | None = None) -> None:
        """Hand a batch (parsed already, or parsed by the store thread) to a store thread; waits while `depth`
        batches are being stored."""
        self.slots.acquire()
        self.jobs.put((self.submitted, batch, parsed, stats or WorkerStats()))
        self.submitted += 1

    def close(self) -> None:
        """Wait for the batches handed over to be stored and acknowledged, then end the threads."""
        if self.closed:
            return
        self.closed = True
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()

    def _serve(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                sequence, batch, parsed, stats = job
                stored = False
                try:
                    stored = self.worker._store_batch(batch, self.stop, stats, retry=True, parsed=parsed)
                except BaseException as error:  # reported to the main thread, which stops
                    log.exception("batch of %s not stored", len(batch))
                    self.error = error
                    self.stop.set()
                finally:
                    self._in_turn(sequence, batch, stored, stats)
                    self.slots.release()
        finally:
            connection.close()

    def _in_turn(self, sequence: int, batch: list[Inbound], stored: bool, stats: WorkerStats) -> None:
        with self.turn:
            while self.next_ack != sequence:
                self.turn.wait()
            try:
                if stored and not self.failed:
                    self.worker._acknowledge(batch, stats)
                else:
                    self.failed = True
                self.worker.count(stats)
            finally:
                self.next_ack += 1
                self.turn.notify_all()


class IngestWorker:
    def __init__(self, config: MqttConfig, *, stats_every_s: float = 0.0,
                 emit: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.stats = WorkerStats()
        self.inbox: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self.stats_every_s = stats_every_s
        self.emit = emit or (lambda line: None)
        self._generation = 0
        self._connected = False
        self._ack_lock = threading.Lock()  # a generation does not change while a batch is being acknowledged
        self._stats_lock = threading.Lock()  # counts added by the store threads and the reading thread
        self.receiver = Receiver(config, self._on_event)

    # --- reading thread (events of the connection process) -----------------------------------------------

    def _on_event(self, event: tuple) -> None:
        kind = event[0]
        if kind == "messages":
            put = self.inbox.put
            for mid, qos, topic, payload, generation in event[1]:
                put(Inbound(mid, qos, topic, payload, generation))
        elif kind == "connected":
            with self._ack_lock:
                self._generation, self._connected = event[1], True
            self.stats.connects += 1
        elif kind == "disconnected":
            with self._ack_lock:
                self._generation, self._connected = event[1], False
            self.stats.disconnects += 1
        elif kind == "dropped":  # counted as acknowledged, but the connection had dropped when they reached paho
            self.count(WorkerStats(acked=-event[1], not_acked=event[1]))

    # --- main thread ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the connection process (before any thread or database connection of this process)."""
        self.receiver.start()

    def stop(self) -> None:
        """Disconnect cleanly (the acknowledgements sent before go out first) and end the connection process."""
        self.receiver.stop()

    def run(self, stop: threading.Event) -> WorkerStats:
        """Ingest until `stop` is set; then store and acknowledge what was received, and disconnect."""
        connection_created.connect(_tune_sqlite, dispatch_uid="devices-mqtt-sqlite-pragmas")
        depth = self.store_threads()
        connection.close()  # the connection process gets no copy of it
        self.start()  # the fork, before any thread of this process
        pipeline: _StorePipeline | None = None
        try:
            gc.collect()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLD)
            sys.setswitchinterval(SWITCH_INTERVAL_S)
            pipeline = _StorePipeline(self, depth, stop)
            last_stats = time.monotonic()
            while not stop.is_set():
                if self.receiver.ended.is_set():
                    raise RuntimeError("le processus de connexion MQTT s'est arrêté")
                batch = self._collect(stop)
                if batch:  # parsed here while the batch before is stored (the statements release the GIL)
                    stats = WorkerStats()
                    pipeline.submit(batch, self._timed_parse(batch, stats), stats)
                if self.stats_every_s and time.monotonic() - last_stats >= self.stats_every_s:
                    last_stats = time.monotonic()
                    self.emit(self.stats.as_json(t=time.time(), state="running", store_threads=depth))
            pipeline.close()
            if pipeline.error is not None:
                raise pipeline.error
            if not pipeline.failed:  # else nothing after the gap may be acknowledged
                self._drain(stop)
        finally:
            if pipeline is not None:
                pipeline.close()
            self.stop()  # also when this process fails: the connection process is never left behind
            connection.close()
        self.emit(self.stats.as_json(t=time.time(), state="stopped", store_threads=depth))
        return self.stats

    def count(self, stats: WorkerStats) -> None:
        with self._stats_lock:
            self.stats.add(stats)

    def store_threads(self) -> int:
        """Batches stored at once: the configured number, else two on PostgreSQL and one on SQLite."""
        if self.config.store_threads:
            return self.config.store_threads
        return 2 if connection.vendor == "postgresql" else 1

    def _collect(self, stop: threading.Event) -> list[Inbound]:
        try:
            first = self.inbox.get(timeout=0.25)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.config.batch_ms / 1000
        while len(batch) < self.config.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self.inbox.get(timeout=remaining) if remaining > 0 else self.inbox.get_nowait())
            except queue.Empty:
                break
        self.stats.received += len(batch)
        return batch

    def _drain(self, stop: threading.Event) -> None:
        """What is in the inbox at the stop is stored and acknowledged; later arrivals wait for the next start."""
        waiting = self.inbox.qsize()
        while waiting > 0:
            batch: list[Inbound] = []
            while len(batch) < min(waiting, self.config.batch_size):
                try:
                    batch.append(self.inbox.get_nowait())
                except queue.Empty:
                    waiting = 0
                    break
            if not batch:
                break
            waiting -= len(batch)
            self.stats.received += len(batch)
            if not self._process(batch, stop, retry=False):
                break

    def _process(self, batch: list[Inbound], stop: threading.Event, *, retry: bool = True) -> bool:
        """Store the batch (retried with back-off while the database is unreachable), then acknowledge it.
        False when stopping before it could be stored: nothing is acknowledged, the broker keeps it."""
        stats = WorkerStats()
        try:
            stored = self._store_batch(batch, stop, stats, retry=retry)
            if stored:
                self._acknowledge(batch, stats)
            return stored
        finally:
            self.count(stats)

    def _timed_parse(self, batch: list[Inbound], stats: WorkerStats) -> ParsedBatch:
        started = time.perf_counter()
        parsed = self._parse(batch)
        stats.parse_s += time.perf_counter() - started
        return parsed

    def _store_batch(self, batch: list[Inbound], stop: threading.Event, stats: WorkerStats, *, retry: bool,
                     parsed: ParsedBatch | None = None) -> bool:
        """Store the batch (parsed here unless it was) in its transactions, retried with back-off while the
        database is unreachable; False when stopping before it could be stored."""
        parts, video = parsed if parsed is not None else self._timed_parse(batch, stats)
        started = time.perf_counter()
        delay = 0.5
        while True:
            try:
                if parts:
                    self._store(parts, stats)
                    parts = []  # committed: a retry of the video part must not store them again
                if video:
                    self._store_video(video, stats)
                break
            except (OperationalError, InterfaceError):
                stats.store_failures += 1
                log.exception("database unavailable; batch of %s kept unacknowledged, retry in %.1f s",
                              len(batch), delay)
                close_old_connections()
                connection.close()
                if not retry or stop.wait(delay):
                    return False
                delay = min(delay * 2, RETRY_MAX_S)
        stats.store_s += time.perf_counter() - started
        stats.batches += 1
        stats.messages_stored += len(batch)
        return True

    def _acknowledge(self, batch: list[Inbound], stats: WorkerStats) -> None:
        started = time.perf_counter()
        self._ack(batch, stats)
        stats.ack_s += time.perf_counter() - started

    def _parse(self, batch: list[Inbound]) -> ParsedBatch:
        """Measurements on one side, Frigate's video-analytics drafts (None: unreadable) on the other."""
        parts: list[Parsed] = []
        video: list[DetectionDraft | None] = []
        for item in batch:
            kind = self.config.video_kind_of(item.topic) if item.topic is not None else None
            if kind is None:
                parts.append(parse_inbound(self.config, item))
                continue
            try:
                video.append(parse_message(kind, item.payload))
            except Exception as error:  # the parser does not raise; if it ever did, the run goes on (no payload logged)
                log.error("video parser failure on %s: %s", kind, type(error).__name__)
                video.append(None)
        return parts, video

    def _store_video(self, video: list[DetectionDraft | None], stats: WorkerStats) -> None:
        """Detections in their own transaction; whatever the store refuses is counted, never logged with content."""
        drafts = [draft for draft in video if draft is not None]
        try:
            result = detections_store(drafts, source=DetectionSource.FRIGATE, malformed=len(video) - len(drafts))
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            log.error("video-analytics batch refused by the store: %s", type(error).__name__)
            stats.video_refused += len(video)
            return
        stats.video_stored += result.stored
        stats.video_duplicates += result.duplicates
        stats.video_refused += result.refused

    def _store(self, parts: list[Parsed], stats: WorkerStats) -> None:
        """One transaction for the batch; a batch the store refuses for another reason than the database being
        away is split until the message at fault is found and dead-lettered (the run goes on)."""
        merged = Parsed()
        for part in parts:
            merged.extend(part)
        try:
            result = measurements_store(merged, source=MeasurementSource.MQTT)
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            if len(parts) > 1:
                middle = len(parts) // 2
                self._store(parts[:middle], stats)
                self._store(parts[middle:], stats)
                return
            log.exception("message refused by the store")
            first = (merged.readings[0].device if merged.readings else
                     merged.rejected[0].device if merged.rejected else "")
            refusal = Rejected(reason=DeadLetterReason.MALFORMED, detail=f"refusé au stockage : {type(error).__name__}",
                               device=first[:64])
            result = measurements_store(Parsed(rejected=[refusal]), source=MeasurementSource.MQTT)
        stats.stored += result.stored
        stats.duplicates += result.duplicates
        stats.rejected += result.rejected

    def _ack(self, batch: list[Inbound], stats: WorkerStats) -> None:
        """Send the acknowledgements of the current connection to the connection process, which checks the
        connection again when it hands them to paho (it may have dropped since: those come back as `dropped`)."""
        acks = []
        with self._ack_lock:
            generation = self._generation if self._connected else -1
            for item in batch:
                if item.qos == 0:
                    continue
                if item.generation == generation:
                    acks.append((item.mid, item.qos, generation))
                else:
                    stats.not_acked += 1
        stats.acked += len(acks)
        self.receiver.ack(acks)
