"""Demo sensors and the simulator: loading twice changes nothing; the river rises over the thresholds and falls back;
MQTT delivery publishes the platform JSON on the device topics."""

import io
import itertools
import json
import random
import threading
from datetime import UTC, datetime, timedelta

import pytest

from confiance.devices import simulation
from confiance.devices.choices import DeviceKind, MeasurementSource, SecurityEventKind
from confiance.devices.demo_data import load
from confiance.devices.models import Alarm, Detection, Device, Gateway, Measurement, Rule, VideoDropCount
from confiance.devices.services.health import security_sweep
from confiance.territory.demo_data import load as load_territory
from conftest import require_service

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # the start of a river cycle (multiple of CYCLE_S)


@pytest.fixture
def demo(settings):
    settings.CONFIANCE_DEMO_GATEWAY_TOKEN = "demogw01.demo-gateway-secret"
    load_territory(actor=None, stdout=io.StringIO())
    load(actor=None, stdout=io.StringIO())
    simulation.reset()
    yield
    simulation.reset()


def _counts():
    # Sensors only: the demo cameras are counted by test_cameras_demo.py.
    return (Device.objects.exclude(kind=DeviceKind.CAMERA).count(), Gateway.objects.count(), Rule.objects.count(),
            sorted(Device.objects.values_list("identifier", "lat", "lon", "firmware_version", "sector_id")))


def test_loading_the_demo_twice_changes_nothing(demo):
    before = _counts()
    out = io.StringIO()
    load(actor=None, stdout=out)
    assert _counts() == before
    assert "0 créé(s), 0 mis à jour, 7 inchangé(s) ; 0 règle(s) créée(s)" in out.getvalue()
    assert before[:3] == (6, 1, 8)  # 6 sensors (the cameras, video analytics included, are counted apart)


def test_the_demo_gives_the_health_page_something_to_show(demo):
    gateway = Gateway.objects.get(identifier="gw-mennecy-centre")
    assert gateway.default_credentials and gateway.token_prefix == "demogw01"
    Device.objects.update(last_seen_at=T0)
    touched = security_sweep(now=T0)
    assert touched[SecurityEventKind.FIRMWARE_OUTDATED] == 1 and touched[SecurityEventKind.DEFAULT_CREDENTIALS] == 1


def test_the_demo_rules_watch_the_essonne_with_hysteresis(demo):
    alerte = Rule.objects.get(name__startswith="Essonne à Mennecy — alerte")
    assert (alerte.threshold, alerte.clear_threshold, alerte.device.identifier) == (2.3, 2.2, "essonne-mennecy")
    assert Rule.objects.get(name__startswith="Essonne à Ormoy — vigilance").threshold == 1.8


def test_the_river_rises_over_the_thresholds_then_falls_back(demo):
    rng = random.Random(1)
    for index in range(simulation.CYCLE_S // simulation.INTERVAL + 1):
        simulation.step(rng=rng, stdout=io.StringIO(), now=T0 + timedelta(seconds=index * simulation.INTERVAL))
    curve = list(Measurement.objects.filter(device__identifier="essonne-mennecy", quantity="water_level")
                 .order_by("observed_at").values_list("observed_at", "value"))
    assert len(curve) == simulation.CYCLE_S // 30 + 1  # every 30 s, both ends included
    levels = [value for _, value in curve]
    peak = levels.index(max(levels))
    assert levels[0] == 1.2 and levels[-1] == 1.2 and max(levels) >= 2.3
    assert curve[peak][0] == T0 + timedelta(seconds=simulation.CYCLE_S // 2)
    assert all(a < b for a, b in itertools.pairwise(levels[:peak + 1]))  # rising, then falling
    assert all(a > b for a, b in itertools.pairwise(levels[peak:]))
    ormoy = Measurement.objects.filter(device__identifier="essonne-ormoy", quantity="water_level")
    assert ormoy.count() == len(curve) and max(ormoy.values_list("value", flat=True)) < 1.8
    assert Measurement.objects.filter(device__identifier="air-mennecy-centre").count() == 3 * 11
    assert set(Measurement.objects.values_list("source", flat=True)) == {MeasurementSource.SIMULATION}
    alarms = Alarm.objects.filter(device__identifier="essonne-mennecy")
    assert alarms.filter(rule__name__contains="alerte").count() == 1
    assert not alarms.filter(cleared_at__isnull=True, resolved_at__isnull=True).exists()
    assert not Alarm.objects.filter(device__identifier="essonne-ormoy").exists()


def test_the_video_feed_stores_legal_events_and_counts_the_others(demo):
    start = datetime.now(UTC)
    for index in range(120):
        simulation.step(rng=random.Random(index), stdout=io.StringIO(),
                        now=start - timedelta(seconds=index * simulation.INTERVAL))
    detections = Detection.objects.all()
    assert detections.exists() and {d.camera.identifier for d in detections} == {"cam-gare-mennecy-parvis"}
    assert set(detections.values_list("event_type", flat=True)) <= {
        "fire_start", "abandoned_object", "forbidden_zone", "wrong_direction"}
    reasons = set(VideoDropCount.objects.values_list("reason", flat=True))
    assert {"unmapped", "no_basis"} <= reasons
    before = detections.count()
    simulation.step(rng=random.Random(0), stdout=io.StringIO(), now=start)  # the same events again
    assert Detection.objects.count() == before


def test_a_second_simulator_stores_nothing_twice(demo):
    rng = random.Random(2)
    simulation.step(rng=rng, stdout=io.StringIO(), now=T0)
    stored = Measurement.objects.count()
    simulation.reset()
    simulation.step(rng=rng, stdout=io.StringIO(), now=T0)
    assert Measurement.objects.count() == stored > 0


def test_after_a_pause_the_simulator_catches_up_a_bounded_number_of_values(demo):
    rng = random.Random(3)
    simulation.step(rng=rng, stdout=io.StringIO(), now=T0)
    simulation.step(rng=rng, stdout=io.StringIO(), now=T0 + timedelta(hours=1))
    gauge = Measurement.objects.filter(device__identifier="essonne-mennecy", quantity="water_level")
    assert gauge.count() == 1 + simulation.MAX_CATCH_UP


@pytest.mark.service
def test_with_a_broker_the_simulator_publishes_the_platform_json_on_device_topics(demo, settings):
    import paho.mqtt.client as mqtt

    received: list[tuple[str, dict]] = []
    subscribed = threading.Event()
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_connect = lambda c, *_: c.subscribe("confiance/v1/+/up", qos=1)
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_message = lambda c, u, message: received.append((message.topic, json.loads(message.payload)))
    require_service("mqtt")
    client.connect("localhost", 1883)
    client.loop_start()
    try:
        assert subscribed.wait(5)
        settings.CONFIANCE_MQTT_URL = "mqtt://localhost:1883"
        simulation.step(rng=random.Random(4), stdout=io.StringIO(), now=T0 + timedelta(seconds=150))
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while len(received) < 6 and datetime.now(UTC) < deadline:
            threading.Event().wait(0.05)
    finally:
        client.loop_stop()
        client.disconnect()
    topics = dict(received)
    gauge = topics["confiance/v1/essonne-mennecy/up"]
    assert gauge["device"] == "essonne-mennecy" and gauge["time"] == "2026-12-01T10:02:30Z"
    assert gauge["values"]["water_level"] == simulation.value("essonne-mennecy", "water_level",
                                                              T0 + timedelta(seconds=150), random.Random())
    assert not Measurement.objects.exists()  # the worker stores them, not the simulator
