"""The security sweep: each detection raises its event, once per kind and subject per window, counted."""

from datetime import UTC, datetime, timedelta

import pytest

from confiance.devices.choices import DeadLetterReason, DeviceKind, MeasurementSource, Quantity, SecurityEventKind
from confiance.devices.drafts import Parsed, Reading
from confiance.devices.models import DeadLetter, Device, Gateway, SecurityEvent
from confiance.devices.services.health import security_sweep
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import make_device

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("occurred_at", "pk"))


def _heard(*devices, at):
    Device.objects.filter(pk__in=[d.pk for d in devices]).update(last_seen_at=at)


def test_a_quiet_territory_raises_nothing(world):
    _heard(world.gauge, world.air, world.other_gauge, at=NOW - timedelta(seconds=30))
    assert security_sweep(now=NOW) == {}
    assert not SecurityEvent.objects.exists()


def test_many_devices_of_a_commune_silent_at_once(world):
    extra = [make_device(world.commune, f"bruit-{i}", kind=DeviceKind.NOISE, quantities=(Quantity.NOISE_LAEQ,))
             for i in range(4)]
    everyone = [world.gauge, world.air, *extra]
    _heard(*everyone, at=NOW - timedelta(seconds=30))
    _heard(world.other_gauge, at=NOW - timedelta(hours=3))  # one silent device in Ormoy: not a mass silence
    assert security_sweep(now=NOW) == {}
    _heard(*extra[:2], at=NOW - timedelta(minutes=20))  # 2 of 6: under the minimum of 3
    assert security_sweep(now=NOW) == {}
    _heard(*extra[:3], at=NOW - timedelta(minutes=20))  # 3 of 6, 50 %
    assert security_sweep(now=NOW) == {SecurityEventKind.MASS_SILENCE: 1}
    [event] = _events(SecurityEventKind.MASS_SILENCE)
    assert (event.commune, event.count) == (world.commune, 1)
    assert "3 capteurs muets sur 6" in event.detail and "bruit-0, bruit-1, bruit-2" in event.detail
    security_sweep(now=NOW + timedelta(minutes=1))  # still silent: the same event, counted again
    assert [e.count for e in _events(SecurityEventKind.MASS_SILENCE)] == [2]
    security_sweep(now=NOW + timedelta(minutes=61))  # the window has passed: a new event
    assert len(_events(SecurityEventKind.MASS_SILENCE)) == 2


def test_a_low_share_of_silent_devices_is_not_a_mass_silence(world, settings):
    settings.CONFIANCE_DEVICES_MASS_SILENCE_PERCENT = 60
    extra = [make_device(world.commune, f"bruit-{i}", kind=DeviceKind.NOISE, quantities=(Quantity.NOISE_LAEQ,))
             for i in range(4)]
    _heard(world.gauge, world.air, *extra, at=NOW - timedelta(seconds=30))
    _heard(*extra[:3], at=NOW - timedelta(minutes=20))  # 50 % < 60 %
    assert security_sweep(now=NOW) == {}


def _unknown(identifier, at, count=1):
    DeadLetter.objects.bulk_create([DeadLetter(received_at=at, source=MeasurementSource.MQTT,
                                               reason=DeadLetterReason.UNKNOWN_DEVICE, device_identifier=identifier)
                                    for _ in range(count)])


def test_messages_from_unknown_ids_are_counted_once_per_window(world):
    _heard(world.gauge, world.air, world.other_gauge, at=NOW)
    _unknown("intrus-1", NOW - timedelta(minutes=5), count=3)
    _unknown("intrus-2", NOW - timedelta(minutes=2))
    DeadLetter.objects.create(received_at=NOW, source="mqtt", reason=DeadLetterReason.MALFORMED,
                              device_identifier="essonne-mennecy")
    assert security_sweep(now=NOW) == {SecurityEventKind.UNKNOWN_DEVICE: 2}
    events = {e.subject: e for e in _events(SecurityEventKind.UNKNOWN_DEVICE)}
    assert {s: e.count for s, e in events.items()} == {"unknown:intrus-1": 3, "unknown:intrus-2": 1}
    assert events["unknown:intrus-1"].occurred_at == NOW - timedelta(minutes=5)
    assert security_sweep(now=NOW) == {}  # nothing new: nothing counted twice
    _unknown("intrus-1", NOW + timedelta(minutes=1), count=2)
    security_sweep(now=NOW + timedelta(minutes=2))
    assert {e.subject: e.count for e in _events(SecurityEventKind.UNKNOWN_DEVICE)} == {
        "unknown:intrus-1": 5, "unknown:intrus-2": 1}
    _unknown("intrus-1", NOW + timedelta(minutes=70), count=4)  # after intrus-1's window: a new event of 4
    security_sweep(now=NOW + timedelta(minutes=71))
    assert [e.count for e in _events(SecurityEventKind.UNKNOWN_DEVICE) if e.subject == "unknown:intrus-1"] == [5, 4]


def test_a_device_flooding_is_seen_from_the_minute_aggregates(world):
    _heard(world.gauge, world.air, world.other_gauge, at=NOW)
    start = NOW - timedelta(minutes=3)
    flood = [Reading("essonne-mennecy", "water_level", start + timedelta(seconds=i), 1.0) for i in range(120)]
    normal = [Reading("air-mennecy", "pm10", start + timedelta(seconds=60 * i), 10.0) for i in range(3)]
    measurements_store(Parsed(readings=flood + normal), source=MeasurementSource.MQTT, now=NOW)
    Device.objects.filter(pk=world.gauge.pk).update(clock_offset_s=0)
    assert security_sweep(now=NOW) == {SecurityEventKind.FLOODING: 1}
    [event] = _events(SecurityEventKind.FLOODING)
    assert (event.device, event.subject) == (world.gauge, "device:essonne-mennecy")
    assert event.detail.startswith("120 valeurs en 5 min")


def test_a_fast_device_is_not_flooding_at_its_own_pace(world):
    fast = make_device(world.commune, "rapide", interval_s=1, quantities=(Quantity.WATER_LEVEL,))
    start = NOW - timedelta(minutes=2)
    measurements_store(Parsed(readings=[Reading("rapide", "water_level", start + timedelta(seconds=i), 1.0)
                                        for i in range(120)]), source=MeasurementSource.MQTT, now=NOW)
    Device.objects.filter(pk=fast.pk).update(clock_offset_s=0)
    assert SecurityEventKind.FLOODING not in security_sweep(now=NOW)


def test_clocks_far_off_are_flagged_when_recently_heard(world):
    Device.objects.filter(pk=world.gauge.pk).update(clock_offset_s=900, last_seen_at=NOW)
    Device.objects.filter(pk=world.air.pk).update(clock_offset_s=-400, last_seen_at=NOW)
    Device.objects.filter(pk=world.other_gauge.pk).update(clock_offset_s=30, last_seen_at=NOW)
    assert security_sweep(now=NOW) == {SecurityEventKind.CLOCK_SKEW: 2}
    assert {e.subject for e in _events(SecurityEventKind.CLOCK_SKEW)} == {"device:essonne-mennecy",
                                                                          "device:air-mennecy"}
    Device.objects.filter(pk=world.gauge.pk).update(last_seen_at=NOW - timedelta(days=2))  # an old reading
    SecurityEvent.objects.all().delete()
    assert security_sweep(now=NOW) == {SecurityEventKind.CLOCK_SKEW: 1}


def test_default_credentials_and_outdated_firmware_of_devices_and_gateways(world):
    _heard(world.gauge, world.air, world.other_gauge, at=NOW)
    Device.objects.filter(pk=world.gauge.pk).update(default_credentials=True)
    Device.objects.filter(pk=world.air.pk).update(firmware_version="1.2.0", expected_firmware_version="1.4.2")
    Device.objects.filter(pk=world.other_gauge.pk).update(firmware_version="2.0", expected_firmware_version="2.0")
    Gateway.objects.filter(pk=world.gateway.pk).update(default_credentials=True, firmware_version="3",
                                                       expected_firmware_version="4")
    assert security_sweep(now=NOW) == {SecurityEventKind.DEFAULT_CREDENTIALS: 2, SecurityEventKind.FIRMWARE_OUTDATED: 2}
    outdated = {e.subject: e for e in _events(SecurityEventKind.FIRMWARE_OUTDATED)}
    assert set(outdated) == {"device:air-mennecy", "gateway:gw-mennecy"}
    assert outdated["device:air-mennecy"].detail == "micrologiciel 1.2.0, attendu 1.4.2"
    assert outdated["gateway:gw-mennecy"].gateway == world.gateway
    security_sweep(now=NOW + timedelta(minutes=5))
    assert {e.count for e in SecurityEvent.objects.all()} == {2}
    assert SecurityEvent.objects.count() == 4
    Device.objects.filter(pk=world.air.pk).update(firmware_version="1.4.2")  # updated: no more event
    security_sweep(now=NOW + timedelta(minutes=6))
    assert SecurityEvent.objects.get(subject="device:air-mennecy").count == 2


def test_disabled_devices_are_left_alone(world):
    Device.objects.filter(pk=world.gauge.pk).update(default_credentials=True, active=False, clock_offset_s=900,
                                                    last_seen_at=NOW)
    assert security_sweep(now=NOW) == {}
