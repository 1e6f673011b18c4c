"""The MQTT worker's parts in process: configuration, topic layout, parsing of one message, storing a batch and
what gets acknowledged, and the health statement against the ORM."""

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.devices.adapters.mqtt.config import MqttConfig, from_settings, parse_url
from confiance.devices.adapters.mqtt.receiver import FORWARD_MAX, _Connection
from confiance.devices.adapters.mqtt.worker import Inbound, IngestWorker, WorkerStats, parse_inbound
from confiance.devices.choices import DeadLetterReason, DeviceState
from confiance.devices.models import DeadLetter, Device, Measurement
from confiance.devices.sql import update_device_health
from config.env import env_url

CONFIG = MqttConfig(host="127.0.0.1", client_id="unit")


def test_broker_urls_give_host_port_tls_and_credentials():
    assert parse_url("mqtt://capteurs:s%40cret@broker.example:1884") == {
        "host": "broker.example", "port": 1884, "tls": False, "username": "capteurs", "password": "s@cret"}
    assert parse_url("mqtts://broker.example")["port"] == 8883
    with pytest.raises(ValueError):
        parse_url("http://broker.example")


def test_the_setting_refuses_what_is_not_an_mqtt_url(monkeypatch):
    monkeypatch.setenv("X_MQTT", "redis://localhost")
    with pytest.raises(ImproperlyConfigured):
        env_url("X_MQTT", {"mqtt", "mqtts"})
    monkeypatch.setenv("X_MQTT", "mqtt://localhost:99999")
    with pytest.raises(ImproperlyConfigured):
        env_url("X_MQTT", {"mqtt", "mqtts"})
    monkeypatch.setenv("X_MQTT", "mqtt://u:p@localhost:1883")
    assert env_url("X_MQTT", {"mqtt", "mqtts"}) == "mqtt://u:p@localhost:1883"


def test_settings_and_overrides_make_the_configuration(settings):
    settings.CONFIANCE_MQTT_URL = ""
    with pytest.raises(ValueError):
        from_settings()
    config = from_settings("mqtt://127.0.0.1:1883", client_id="w2", share_group="")
    assert (config.client_id, config.topic_filter) == ("w2", "confiance/v1/+/up")
    assert from_settings("mqtt://127.0.0.1").topic_filter == "$share/confiance/confiance/v1/+/up"


def test_batch_size_and_receive_maximum_follow_the_engine_unless_set(settings):
    from django.db import connection

    settings.CONFIANCE_MQTT_BATCH_SIZE, settings.CONFIANCE_MQTT_RECEIVE_MAXIMUM = 0, 0
    config = from_settings("mqtt://127.0.0.1")
    expected = 4000 if connection.vendor == "postgresql" else 1000
    assert (config.batch_size, config.receive_maximum) == (expected, 2 * expected)
    assert from_settings("mqtt://127.0.0.1", batch_size=300).receive_maximum == 600
    settings.CONFIANCE_MQTT_BATCH_SIZE, settings.CONFIANCE_MQTT_RECEIVE_MAXIMUM = 500, 700
    assert (from_settings("mqtt://127.0.0.1").batch_size, from_settings("mqtt://127.0.0.1").receive_maximum) == \
        (500, 700)


@pytest.mark.parametrize(("topic", "device"), [
    ("confiance/v1/essonne-mennecy/up", "essonne-mennecy"),
    ("confiance/v1//up", None), ("confiance/v1/a/b/up", None), ("confiance/v2/a/up", None),
    ("confiance/v1/a/down", None), ("confiance/v1/up", None),
])
def test_the_topic_names_the_device(topic, device):
    assert CONFIG.device_of(topic) == device


@given(topic=st.text(max_size=80), payload=st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_message_parses_to_readings_or_dead_letters_never_an_exception(topic, payload):
    parsed = parse_inbound(CONFIG, Inbound(1, 1, topic, payload, 1))
    assert parsed.readings or parsed.rejected


def test_a_topic_that_is_not_utf8_is_a_dead_letter():
    parsed = parse_inbound(CONFIG, Inbound(1, 1, None, b"{}", 1))
    assert [item.reason for item in parsed.rejected] == [DeadLetterReason.MALFORMED]


def _inbound(topic: str, payload: str, generation: int = 0, mid: int = 1) -> Inbound:
    return Inbound(mid, 1, topic, payload.encode(), generation)


@pytest.mark.django_db
def test_a_batch_is_stored_and_what_came_on_a_dropped_connection_is_not_acknowledged(world):
    worker = IngestWorker(CONFIG)  # never connected: its generation is not that of the messages
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    batch = [_inbound("confiance/v1/essonne-mennecy/up", f'{{"time": "{at}", "values": {{"water_level": 1.5}}}}'),
             _inbound("confiance/v1/essonne-mennecy/up", "{oops", mid=2)]
    assert worker._process(batch, threading.Event())
    assert Measurement.objects.filter(device=world.gauge).count() == 1
    assert DeadLetter.objects.get().reason == DeadLetterReason.MALFORMED
    assert (worker.stats.stored, worker.stats.rejected, worker.stats.acked, worker.stats.not_acked) == (1, 1, 0, 2)


@pytest.mark.django_db
def test_a_message_the_store_refuses_is_isolated_and_dead_lettered_the_rest_is_stored(world):
    """A text with a NUL character is refused by PostgreSQL (not by SQLite): the batch is split until the message
    at fault is found; on SQLite it is an ordinary wrong-type dead letter."""
    worker = IngestWorker(CONFIG)
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    batch = [_inbound("confiance/v1/essonne-mennecy/up", f'{{"time": "{at}", "values": {{"water_level": 1.5}}}}'),
             _inbound("confiance/v1/essonne-mennecy/up", f'{{"time": "{at}", "values": {{"pm\\u000010": "x"}}}}'),
             _inbound("confiance/v1/air-mennecy/up", f'{{"time": "{at}", "values": {{"pm10": 12}}}}')]
    assert worker._process(batch, threading.Event())
    assert Measurement.objects.count() == 2
    assert DeadLetter.objects.get().reason in {DeadLetterReason.MALFORMED, DeadLetterReason.WRONG_TYPE}


@pytest.mark.django_db
def test_the_health_statement_does_what_the_orm_update_did(world):
    """Last seen always; offset, battery, signal only where given; unknown becomes ok, any other state stays."""
    seen = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    Device.objects.filter(pk=world.gauge.pk).update(battery_pct=50.0, signal_dbm=-70.0)
    Device.objects.filter(pk=world.other_gauge.pk).update(state=DeviceState.ALARM)
    update_device_health([(world.air.pk, seen, None, None, -90.0), (world.gauge.pk, seen, 12.5, 80.0, None),
                          (world.other_gauge.pk, seen, None, None, None)],
                         unknown=DeviceState.UNKNOWN, ok=DeviceState.OK)
    rows = {d.pk: (d.last_seen_at, d.clock_offset_s, d.battery_pct, d.signal_dbm, d.state)
            for d in Device.objects.all()}
    assert rows == {
        world.gauge.pk: (seen, 12.5, 80.0, -70.0, DeviceState.OK),
        world.air.pk: (seen, None, None, -90.0, DeviceState.OK),
        world.other_gauge.pk: (seen, None, None, None, DeviceState.ALARM),
    }


@pytest.mark.django_db
def test_a_device_heard_in_every_batch_has_its_health_written_every_few_seconds(world,
                                                                                 django_capture_on_commit_callbacks):
    from confiance.devices.choices import MeasurementSource
    from confiance.devices.drafts import Parsed, Reading
    from confiance.devices.services.measurements import HEALTH_EVERY, measurements_store

    t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    def store(at: datetime, battery: float) -> Device:
        parsed = Parsed(readings=[Reading("essonne-mennecy", "battery", at, battery)])
        with django_capture_on_commit_callbacks(execute=True):
            measurements_store(parsed, source=MeasurementSource.MQTT, now=at)
        return Device.objects.get(pk=world.gauge.pk)

    assert store(t0, 80.0).last_seen_at == t0
    assert store(t0 + timedelta(seconds=1), 80.0).last_seen_at == t0  # unchanged battery, within HEALTH_EVERY
    changed = store(t0 + timedelta(seconds=2), 79.0)
    assert (changed.last_seen_at, changed.battery_pct) == (t0 + timedelta(seconds=2), 79.0)
    later = t0 + timedelta(seconds=2) + HEALTH_EVERY
    assert store(later, 79.0).last_seen_at == later


class _Timed(IngestWorker):
    """A worker whose batches take the time the test says and whose acknowledgements are recorded: what is tested
    is the order the pipeline gives them, not storing."""

    def __init__(self, outcomes: dict[int, object]) -> None:
        super().__init__(CONFIG)
        self.outcomes, self.acked_batches = outcomes, []

    def _store_batch(self, batch, stop, stats, *, retry, parsed=None):
        outcome = self.outcomes.get(batch[0].mid, 0.0)
        if isinstance(outcome, Exception):
            raise outcome
        if outcome is False:
            return False
        stop.wait(float(outcome))
        stats.batches, stats.messages_stored = 1, len(batch)
        return True

    def _ack(self, batch, stats):
        self.acked_batches.append(batch[0].mid)
        stats.acked += len(batch)


def _pipeline_run(outcomes: dict[int, object], batches: int = 6):
    from confiance.devices.adapters.mqtt.worker import _StorePipeline

    worker, stop = _Timed(outcomes), threading.Event()
    pipeline = _StorePipeline(worker, 2, stop)
    for index in range(batches):
        pipeline.submit([_inbound("confiance/v1/x/up", "{}", mid=index)])
    pipeline.close()
    return worker, pipeline


def test_batches_stored_at_once_are_acknowledged_in_the_order_they_came():
    # The even batches take longer than the odd ones after them: each waits for its predecessor's acknowledgement.
    worker, pipeline = _pipeline_run({index: 0.08 if index % 2 == 0 else 0.0 for index in range(6)})
    assert worker.acked_batches == [0, 1, 2, 3, 4, 5]
    assert (worker.stats.batches, worker.stats.messages_stored, worker.stats.acked) == (6, 6, 6)
    assert not pipeline.failed and pipeline.error is None


def test_a_batch_that_could_not_be_stored_leaves_it_and_every_later_batch_unacknowledged():
    worker, pipeline = _pipeline_run({0: 0.05, 1: False})
    assert worker.acked_batches == [0]  # 2 to 5 were stored, they come back as duplicates
    assert pipeline.failed and worker.stats.batches == 5 and worker.stats.acked == 1


def test_an_unexpected_error_in_a_store_thread_stops_the_worker_and_is_raised():
    worker, pipeline = _pipeline_run({2: RuntimeError("panne")}, batches=3)
    assert worker.acked_batches == [0, 1]
    assert pipeline.failed and isinstance(pipeline.error, RuntimeError) and pipeline.stop.is_set()


# --- the connection process's side (receiver.py), its paho client replaced by a recorder ----------------------


class _Paho:
    """What the connection process asks of paho: acknowledgements and subscriptions, recorded."""

    def __init__(self) -> None:
        self.acked: list[int] = []
        self.subscribed: list = []

    def ack(self, mid: int, qos: int) -> None:
        self.acked.append(mid)

    def subscribe(self, topics) -> None:
        self.subscribed.append(topics)


def _connection_side():
    ours, theirs = multiprocessing.Pipe()
    side = _Connection(CONFIG, theirs)
    side.client = _Paho()  # type: ignore[assignment]
    return side, ours


def _drain(pipe) -> list:
    received = []
    while pipe.poll(0.2):
        received.append(pipe.recv())
    return received


def test_the_connection_process_forwards_in_arrival_order_and_the_news_of_a_reconnection_after_what_came_before():
    side, pipe = _connection_side()
    flags = SimpleNamespace(session_present=True)
    side._on_connect(side.client, None, flags, SimpleNamespace(is_failure=False), None)
    for mid in range(1, FORWARD_MAX + 6):
        side._on_message(side.client, None, SimpleNamespace(mid=mid, qos=1, topic="t", payload=b"{}"))
    side._on_disconnect(side.client, None, None, "perte", None)
    side._on_connect(side.client, None, flags, SimpleNamespace(is_failure=False), None)
    events = _drain(pipe)
    assert [event[0] for event in events] == ["connected", "messages", "messages", "disconnected", "connected"]
    assert [item[0] for item in events[1][1] + events[2][1]] == list(range(1, FORWARD_MAX + 6))
    assert {item[4] for item in events[1][1] + events[2][1]} == {1}  # the generation they came on
    assert (events[3][1], events[4][1]) == (2, 3)


def test_acknowledgements_that_reach_the_connection_process_after_their_connection_dropped_are_not_acknowledged():
    side, pipe = _connection_side()
    side.generation, side.connected = 3, True
    side._acknowledge([(1, 1, 3), (2, 1, 2), (3, 1, 3)])
    assert side.client.acked == [1, 3]
    assert _drain(pipe) == [("dropped", 1)]
    side.connected = False
    side._acknowledge([(4, 1, 3)])
    assert side.client.acked == [1, 3] and _drain(pipe) == [("dropped", 1)]
    worker = IngestWorker(CONFIG)
    worker.stats.acked = 3
    worker._on_event(("dropped", 1))
    assert (worker.stats.acked, worker.stats.not_acked) == (2, 1)


def test_the_worker_acknowledges_only_what_came_on_the_connection_it_knows_as_current():
    worker = IngestWorker(CONFIG)
    sent: list = []
    worker.receiver.ack = sent.extend  # type: ignore[method-assign]
    worker._on_event(("connected", 1, False))
    worker._on_event(("messages", [(1, 1, "t", b"{}", 1), (2, 0, "t", b"{}", 1)]))
    worker._on_event(("disconnected", 2, "perte"))
    worker._on_event(("connected", 3, True))
    worker._on_event(("messages", [(3, 1, "t", b"{}", 1), (4, 1, "t", b"{}", 3)]))
    batch = [worker.inbox.get_nowait() for _ in range(4)]
    stats = WorkerStats()
    worker._ack(batch, stats)
    assert sent == [(4, 1, 3)]  # 1 came on a dropped connection, 2 was QoS 0, 3 too
    assert (stats.acked, stats.not_acked, worker.stats.connects, worker.stats.disconnects) == (1, 2, 2, 1)
