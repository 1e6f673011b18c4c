"""The MQTT ingestion worker: receive, batch, store in one transaction, then acknowledge (ADR 0010).

Two threads. paho's network thread (`loop_start`) reads the socket, answers pings, reconnects with exponential
back-off, and hands each message to `on_message`, which only appends it to an in-memory inbox: it never touches
the database, so a slow commit never stops the pings nor the reading of what is in flight. The main thread (the
caller of `run`) is the only one that opens a database connection: it takes a batch from the inbox (up to
`batch_size` messages, or whatever arrived within `batch_ms` of the first one), parses it, stores it with
`measurements_store` (one transaction) and only then acknowledges each message (PUBACK, queued to the network
thread by `client.ack`). A message that was not acknowledged is redelivered by the broker after a crash or a
reconnection, and stored once (the measurement's identity is device, quantity and observation time).

Back-pressure: the CONNECT packet's Receive Maximum caps the messages the broker sends before they are
acknowledged; since acknowledgements follow commits, a slow database slows the broker down instead of filling this
process's memory (the inbox never holds more than `receive_maximum` messages). Messages received on a connection
that has since dropped are stored but not acknowledged (a packet id means nothing on the next connection): the
broker redelivers them and they count as duplicates. On SIGTERM the worker stores what is already in its inbox,
acknowledges it, and disconnects cleanly; the session (persistent: no clean start, an expiry interval) keeps the
rest for the next start.
"""

from __future__ import annotations

import gc
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import paho.mqtt.client as mqtt
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.db.backends.signals import connection_created
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from confiance.devices.adapters.frigate.parsing import parse_message
from confiance.devices.adapters.mqtt.config import MqttConfig
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

    def as_json(self, **extra) -> str:
        values = asdict(self)
        for name in ("parse_s", "store_s", "ack_s"):
            values[name] = round(values[name], 3)
        return json.dumps({**values, **extra})


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
        self.client = self._client()

    # --- network thread -------------------------------------------------------------------------------------

    def _client(self) -> mqtt.Client:
        c = self.config
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=c.client_id, protocol=mqtt.MQTTv5,
                             manual_ack=True)
        if c.username:
            client.username_pw_set(c.username, c.password)
        if c.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=c.reconnect_min_s, max_delay=c.reconnect_max_s)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_connect_fail = self._on_connect_fail
        return client

    def _connect_properties(self) -> Properties:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.config.session_expiry_s
        properties.ReceiveMaximum = self.config.receive_maximum
        return properties

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connection refused: %s", reason_code)
            return
        with self._ack_lock:
            self._generation += 1
            self._connected = True
        self.stats.connects += 1
        log.info("MQTT connected to %s:%s as %s (session present: %s), subscribing to %s", self.config.host,
                 self.config.port, self.config.client_id, flags.session_present, self.config.topic_filters)
        client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in self.config.topic_filters])

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        with self._ack_lock:
            self._generation += 1
            self._connected = False
        self.stats.disconnects += 1
        log.warning("MQTT disconnected (%s); paho reconnects with back-off", reason_code)

    def _on_connect_fail(self, client, userdata) -> None:
        log.warning("MQTT broker %s:%s unreachable; retrying with back-off", self.config.host, self.config.port)

    def _on_message(self, client, userdata, message) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = None
        self.inbox.put(Inbound(message.mid, message.qos, topic, message.payload, self._generation))

    # --- main thread ----------------------------------------------------------------------------------------

    def start(self) -> None:
        c = self.config
        self.client.connect_async(c.host, c.port, keepalive=c.keepalive_s, clean_start=False,
                                  properties=self._connect_properties())
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect cleanly (the acknowledgements queued before go out first) and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, stop: threading.Event) -> WorkerStats:
        """Ingest until `stop` is set; then store and acknowledge what was received, and disconnect."""
        connection_created.connect(_tune_sqlite, dispatch_uid="devices-mqtt-sqlite-pragmas")
        if connection.connection is not None:
            _tune_sqlite(None, connection)
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)
        self.start()
        last_stats = time.monotonic()
        try:
            while not stop.is_set():
                batch = self._collect(stop)
                if batch:
                    self._process(batch, stop)
                if self.stats_every_s and time.monotonic() - last_stats >= self.stats_every_s:
                    last_stats = time.monotonic()
                    self.emit(self.stats.as_json(t=time.time(), state="running"))
            self._drain(stop)
        finally:
            self.stop()
            connection.close()
        self.emit(self.stats.as_json(t=time.time(), state="stopped"))
        return self.stats

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
        started = time.perf_counter()
        parts, video = self._parse(batch)
        parsed = time.perf_counter()
        self.stats.parse_s += parsed - started
        delay = 0.5
        while True:
            try:
                if parts:
                    self._store(parts)
                    parts = []  # committed: a retry of the video part must not store them again
                if video:
                    self._store_video(video)
                break
            except (OperationalError, InterfaceError):
                self.stats.store_failures += 1
                log.exception("database unavailable; batch of %s kept unacknowledged, retry in %.1f s",
                              len(batch), delay)
                close_old_connections()
                connection.close()
                if not retry or stop.wait(delay):
                    return False
                delay = min(delay * 2, RETRY_MAX_S)
        stored = time.perf_counter()
        self.stats.store_s += stored - parsed
        self.stats.batches += 1
        self.stats.messages_stored += len(batch)
        self._ack(batch)
        self.stats.ack_s += time.perf_counter() - stored
        return True

    def _parse(self, batch: list[Inbound]) -> tuple[list[Parsed], list[DetectionDraft | None]]:
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

    def _store_video(self, video: list[DetectionDraft | None]) -> None:
        """Detections in their own transaction; whatever the store refuses is counted, never logged with content."""
        drafts = [draft for draft in video if draft is not None]
        try:
            result = detections_store(drafts, source=DetectionSource.FRIGATE, malformed=len(video) - len(drafts))
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:
            log.error("video-analytics batch refused by the store: %s", type(error).__name__)
            self.stats.video_refused += len(video)
            return
        self.stats.video_stored += result.stored
        self.stats.video_duplicates += result.duplicates
        self.stats.video_refused += result.refused

    def _store(self, parts: list[Parsed]) -> None:
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
                self._store(parts[:middle])
                self._store(parts[middle:])
                return
            log.exception("message refused by the store")
            first = (merged.readings[0].device if merged.readings else
                     merged.rejected[0].device if merged.rejected else "")
            refusal = Rejected(reason=DeadLetterReason.MALFORMED, detail=f"refusé au stockage : {type(error).__name__}",
                               device=first[:64])
            result = measurements_store(Parsed(rejected=[refusal]), source=MeasurementSource.MQTT)
        self.stats.stored += result.stored
        self.stats.duplicates += result.duplicates
        self.stats.rejected += result.rejected

    def _ack(self, batch: list[Inbound]) -> None:
        with self._ack_lock:
            generation = self._generation if self._connected else -1
            for item in batch:
                if item.qos == 0:
                    continue
                if item.generation == generation:
                    self.client.ack(item.mid, item.qos)
                    self.stats.acked += 1
                else:
                    self.stats.not_acked += 1
