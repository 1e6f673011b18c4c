"""Demo simulator step for hypervision: the demo sensors speak at their expected interval.

The Essonne at Mennecy rises over a cycle of CYCLE_S seconds from 1.20 m to 2.50 m (over the vigilance and the alerte
thresholds of the demo rules) and falls back, so an alarm is raised and then resolves; at Ormoy it follows, lower,
staying under vigilance. Air quality follows a daily curve with rush-hour peaks, noise a day/night curve, rain comes
in showers. Values are a function of the observation time (plus small noise), and each device speaks at the
boundaries of its interval, so two simulators produce the same measurement identities (stored once).

A Frigate feed for video analytics goes with it (`video_step`): legal and illegal event types, some carrying a
face, a plate or a sub-label to strip.

Delivery: to MQTT (topic `confiance/v1/<device>/up`, the platform JSON of devices/readings.py, QoS 1) when
CONFIANCE_MQTT_URL is set, so the ingestion worker does the rest; otherwise through the gateways' HTTP path.
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from confiance.devices.adapters.frigate.parsing import parse_event
from confiance.devices.choices import DetectionSource, MeasurementSource
from confiance.devices.demo_data import DEVICES, VIDEO_CAMERAS
from confiance.devices.models import Device
from confiance.devices.readings import parse_payload
from confiance.devices.services.measurements import measurements_store
from confiance.devices.services.video import detections_store

INTERVAL = 10  # seconds between two steps
CYCLE_S = 600  # one rise and fall of the river
MAX_CATCH_UP = 10  # boundaries published at most per device and step (after a pause)
PARIS = ZoneInfo("Europe/Paris")
TOPIC = "confiance/v1/{device}/up"
_last_sent: dict[str, datetime] = {}


def reset() -> None:
    """Forget what was sent (tests; a fresh simulator)."""
    _last_sent.clear()


def flood_shape(moment: datetime, lag_s: float = 0.0) -> float:
    """0 at the start of a cycle, 1 at its middle, back to 0: a raised cosine."""
    phase = ((moment.timestamp() - lag_s) % CYCLE_S) / CYCLE_S
    return (1 - math.cos(2 * math.pi * phase)) / 2


def _hour(moment: datetime) -> float:
    local = moment.astimezone(PARIS)
    return local.hour + local.minute / 60


def _rush(moment: datetime) -> float:
    hour = _hour(moment)
    return math.exp(-(((hour - 8.5) / 1.5) ** 2)) + 0.8 * math.exp(-(((hour - 18.5) / 2) ** 2))


def _shower(moment: datetime) -> float:
    """Rain in mm over a minute: a shower in about one half-hour out of five."""
    block = int(moment.timestamp() // 1800)
    chance = random.Random(block)
    if chance.random() > 0.2:
        return 0.0
    return round(chance.uniform(0.1, 1.2) * (0.5 + 0.5 * math.sin(math.pi * (moment.timestamp() % 1800) / 1800)), 2)


def value(identifier: str, quantity: str, moment: datetime, rng: random.Random) -> float:
    """The demo value of one device's quantity at a moment."""
    if quantity == "water_level":
        if identifier == "essonne-mennecy":
            return round(1.2 + 1.3 * flood_shape(moment), 3)
        return round(1.1 + 0.45 * flood_shape(moment, lag_s=120), 3)
    if quantity == "battery":
        return round(95 - 30 * ((moment.timestamp() / 86400) % 30) / 30, 1)
    if quantity == "signal":
        return round(-92 + rng.gauss(0, 2), 1)
    if quantity == "pm10":
        return round(max(2.0, 14 + 18 * _rush(moment) + rng.gauss(0, 2)), 1)
    if quantity == "pm25":
        return round(max(1.0, 8 + 11 * _rush(moment) + rng.gauss(0, 1.2)), 1)
    if quantity == "no2":
        return round(max(1.0, 12 + 30 * _rush(moment) + rng.gauss(0, 3)), 1)
    if quantity == "noise_laeq":
        hour = _hour(moment)
        day = 1 / (1 + math.exp(-(hour - 7) * 2)) - 1 / (1 + math.exp(-(hour - 22) * 2))
        return round(44 + 16 * day + 4 * _rush(moment) + rng.gauss(0, 2.5), 1)
    if quantity == "rainfall":
        return _shower(moment)
    return round(rng.gauss(0, 1), 2)


def messages_at(now: datetime, rng: random.Random) -> list[dict]:
    """The platform JSON messages due by `now`: each device's interval boundaries not sent yet."""
    demo = {device.identifier: device for device in DEVICES}
    messages = []
    rows = (Device.objects.filter(identifier__in=demo, active=True).prefetch_related("quantities")
            .order_by("identifier"))
    for device in rows:
        interval = device.reporting_interval_s
        newest = datetime.fromtimestamp(now.timestamp() // interval * interval, tz=UTC)
        last = _last_sent.get(device.identifier, newest - timedelta(seconds=interval))
        moment = max(last + timedelta(seconds=interval), newest - timedelta(seconds=interval * (MAX_CATCH_UP - 1)))
        quantities = [q.quantity for q in device.quantities.all()]
        while moment <= newest:
            messages.append({"device": device.identifier, "time": moment.isoformat().replace("+00:00", "Z"),
                             "values": {q: value(device.identifier, q, moment, rng) for q in quantities}})
            moment += timedelta(seconds=interval)
        _last_sent[device.identifier] = newest
    return messages


def deliver_http(messages: list[dict], *, now: datetime) -> int:
    """The gateways' HTTP path: the batch as the endpoint receives it (until the HTTP endpoint's service is merged,
    the same parse and store it will call). Returns the values stored."""
    parsed = parse_payload(json.dumps({"messages": messages}))
    return measurements_store(parsed, source=MeasurementSource.SIMULATION, now=now).stored


def deliver_mqtt(messages: list[dict], *, url: str, timeout_s: float = 10.0) -> int:
    """Publish each message on its device's topic, QoS 1; returns the messages the broker acknowledged."""
    return _publish(url, [(TOPIC.format(device=m["device"]), json.dumps(m, separators=(",", ":")))
                          for m in messages], timeout_s=timeout_s)


def _publish(url: str, messages: list[tuple[str, str | bytes]], *, timeout_s: float = 10.0) -> int:
    """Publish (topic, payload) pairs, QoS 1; returns the messages the broker acknowledged."""
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                         client_id=f"confiance-simulator-{random.randrange(16 ** 8):08x}")
    if parts.username:
        client.username_pw_set(parts.username, parts.password)
    if parts.scheme in {"mqtts", "ssl"}:
        client.tls_set()
    client.connect(parts.hostname or "localhost", parts.port or (8883 if parts.scheme in {"mqtts", "ssl"} else 1883))
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        deadline = timezone.now() + timedelta(seconds=timeout_s)
        while not all(info.is_published() for info in infos) and timezone.now() < deadline:
            client.loop(timeout=0.1)
        return sum(1 for info in infos if info.is_published())
    finally:
        client.disconnect()


def step(*, rng: random.Random, stdout, now: datetime | None = None) -> None:
    now = now or timezone.now()
    video_step(rng=rng, stdout=stdout, now=now)
    messages = messages_at(now, rng)
    if not messages:
        return
    url = getattr(settings, "CONFIANCE_MQTT_URL", "")
    if url:
        sent = deliver_mqtt(messages, url=url)
        if sent < len(messages):
            stdout.write(f"capteurs : {len(messages) - sent} message(s) non acquittés par le courtier MQTT")
    else:
        deliver_http(messages, now=now)


# --- Video analytics: a Frigate feed ---------------------------------------------------------------------------
#
# Frigate `events` messages for the demo cameras (demo_data.VIDEO_CAMERAS): legal ones (a fire, an abandoned bag on
# the parvis, a person on the tracks), illegal or unmapped ones (a bare "person", a face, a plate), and some that
# carry a sub-label, a recognised plate and face attributes, which the platform must strip on arrival. The second
# camera has no legal basis: its events are refused and counted.

VIDEO_TOPIC = "{prefix}/events"
_VIDEO_SCENES = [  # label, zones, score
    ("fire", ["parvis"], 0.91), ("backpack", ["parvis"], 0.82), ("person", ["voies"], 0.88),
    ("person", ["parvis"], 0.95), ("face", ["parvis"], 0.97), ("license_plate", ["parking"], 0.93),
    ("car", ["sens_interdit"], 0.77), ("dog", ["parvis"], 0.7),
]
VIDEO_CHANCE = 0.5  # of one event per step


def video_messages(now: datetime) -> list[bytes]:
    """Zero or one Frigate event (its "new" and "end" messages), some with identities to strip; a function of the
    step's time (its own random generator), so two simulators send the same events, stored once."""
    rng = random.Random(int(now.timestamp()) // INTERVAL)
    if rng.random() > VIDEO_CHANCE:
        return []
    camera = VIDEO_CAMERAS[0][0] if rng.random() < 0.8 else VIDEO_CAMERAS[1][0]
    label, zones, score = rng.choice(_VIDEO_SCENES)
    identifier = f"{int(now.timestamp()) // INTERVAL * INTERVAL}.0-{rng.randrange(16 ** 6):06x}"
    after = {"id": identifier, "camera": camera, "label": label, "score": score, "top_score": score,
             "start_time": now.timestamp() - 2, "end_time": None, "false_positive": False,
             "current_zones": zones, "entered_zones": zones, "has_snapshot": True, "stationary": False,
             "sub_label": None, "attributes": {}, "current_attributes": []}
    if rng.random() < 0.4:  # what a face or plate recogniser adds: never stored
        after.update({"sub_label": ["Jean Démo", 0.92], "recognized_license_plate": "AB-123-CD",
                      "recognized_license_plate_score": 0.9, "attributes": {"face": 0.88},
                      "current_attributes": [{"label": "face", "score": 0.88, "box": [10, 10, 40, 40]}]})
    ended = dict(after, end_time=now.timestamp())
    return [json.dumps({"type": kind, "before": after, "after": body}).encode()
            for kind, body in (("new", after), ("end", ended))]


def video_step(*, rng: random.Random, stdout, now: datetime) -> None:
    messages = video_messages(now)
    if not messages:
        return
    url = getattr(settings, "CONFIANCE_MQTT_URL", "")
    prefix = getattr(settings, "CONFIANCE_FRIGATE_TOPIC_PREFIX", "")
    if url and prefix:
        _publish(url, [(VIDEO_TOPIC.format(prefix=prefix), message) for message in messages])
        return
    drafts = [draft for draft in (parse_event(message) for message in messages) if draft is not None]
    detections_store(drafts, source=DetectionSource.SIMULATION, now=now)
