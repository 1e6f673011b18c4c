"""Storing measurements: once per identity, aggregated as they arrive, refused values dead-lettered with a reason."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from confiance.devices.choices import DeadLetterReason, DeviceState, MeasurementSource, Resolution
from confiance.devices.drafts import Parsed, Reading, Rejected
from confiance.devices.models import DeadLetter, Device, Measurement, MeasurementAggregate
from confiance.devices.registry import current_registry
from confiance.devices.services.measurements import aggregate_rows, measurements_store
from confiance.devices.tests.factories import readings

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def _store(parsed, **kwargs):
    return measurements_store(parsed, source=MeasurementSource.MQTT, now=kwargs.pop("now", T0 + timedelta(hours=2)),
                              **kwargs)


def test_a_redelivered_batch_is_stored_once_and_counted_once(world):
    batch = readings("essonne-mennecy", "water_level", [(T0 + timedelta(seconds=10 * i), 1.0 + i / 10)
                                                        for i in range(12)])
    first = _store(batch)
    again = _store(batch)
    assert (first.stored, first.duplicates) == (12, 0)
    assert (again.stored, again.duplicates) == (0, 12)
    assert Measurement.objects.filter(device=world.gauge).count() == 12
    minutes = MeasurementAggregate.objects.filter(device=world.gauge, resolution=Resolution.MINUTE).order_by("bucket")
    assert [(m.count, round(m.total, 6), m.minimum, m.maximum, m.last_value) for m in minutes] == [
        (6, round(sum(1.0 + i / 10 for i in range(6)), 6), 1.0, 1.5, 1.5),
        (6, round(sum(1.0 + i / 10 for i in range(6, 12)), 6), 1.6, 2.1, 2.1),
    ]
    hour = MeasurementAggregate.objects.get(device=world.gauge, resolution=Resolution.HOUR)
    assert hour.count == 12 and hour.bucket == T0 and hour.last_at == T0 + timedelta(seconds=110)


def test_duplicates_inside_one_batch_count_once(world):
    batch = readings("essonne-mennecy", "water_level", [(T0, 1.0), (T0, 1.0), (T0, 2.0)])
    result = _store(batch)
    assert (result.stored, result.duplicates) == (1, 2)
    assert MeasurementAggregate.objects.get(device=world.gauge, resolution=Resolution.MINUTE).count == 1


def test_an_older_value_arriving_late_does_not_replace_the_newest(world):
    _store(readings("essonne-mennecy", "water_level", [(T0 + timedelta(seconds=30), 2.0)]))
    _store(readings("essonne-mennecy", "water_level", [(T0 + timedelta(seconds=5), 9.0)]))
    minute = MeasurementAggregate.objects.get(device=world.gauge, resolution=Resolution.MINUTE)
    assert (minute.count, minute.last_value, minute.maximum, minute.minimum) == (2, 2.0, 9.0, 2.0)


@pytest.mark.parametrize(("reading", "reason"), [
    (Reading("nobody", "water_level", T0, 1.0), DeadLetterReason.UNKNOWN_DEVICE),
    (Reading("essonne-mennecy", "pm10", T0, 1.0), DeadLetterReason.UNKNOWN_QUANTITY),
    (Reading("essonne-mennecy", "water_level", T0 + timedelta(hours=3), 1.0), DeadLetterReason.FUTURE_TIME),
    (Reading("essonne-mennecy", "water_level", datetime(1999, 12, 31, tzinfo=UTC), 1.0),
     DeadLetterReason.TIME_INVALID),
    (Reading("essonne-mennecy", "water_level", T0, float("nan")), DeadLetterReason.WRONG_TYPE),
])
def test_each_refusal_is_dead_lettered_with_its_reason_and_the_rest_goes_on(world, reading, reason):
    good = Reading("essonne-mennecy", "water_level", T0, 1.5)
    result = _store(Parsed(readings=[reading, good]))
    assert (result.stored, result.rejected) == (1, 1)
    letter = DeadLetter.objects.get()
    assert letter.reason == reason and letter.device_identifier == reading.device


def test_a_gateway_cannot_write_another_communes_device(world):
    gateway = current_registry().gateways_by_prefix[world.gateway.token_prefix]
    parsed = Parsed(readings=[Reading("essonne-ormoy", "water_level", T0, 3.0),
                              Reading("essonne-mennecy", "water_level", T0, 1.0)])
    result = measurements_store(parsed, source=MeasurementSource.HTTP, gateway=gateway, now=T0)
    assert (result.stored, result.rejected) == (1, 1)
    assert not Measurement.objects.filter(device=world.other_gauge).exists()
    assert DeadLetter.objects.get().reason == DeadLetterReason.FORBIDDEN


def test_rejections_from_the_adapter_are_kept(world):
    parsed = Parsed(rejected=[Rejected(reason=DeadLetterReason.MALFORMED, detail="x", payload="{oops",
                                       topic="confiance/v1/essonne-mennecy/up", device="essonne-mennecy")])
    _store(parsed)
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.device_id, letter.commune_id) == (DeadLetterReason.MALFORMED, world.gauge.pk,
                                                                    world.commune.pk)


def test_health_is_read_from_the_values_heard(world):
    now = T0 + timedelta(seconds=40)
    _store(Parsed(readings=[Reading("essonne-mennecy", "water_level", T0, 1.0),
                            Reading("essonne-mennecy", "battery", T0, 71.0),
                            Reading("essonne-mennecy", "battery", T0 - timedelta(minutes=1), 75.0)]), now=now)
    gauge = Device.objects.get(pk=world.gauge.pk)
    assert (gauge.last_seen_at, gauge.battery_pct, gauge.clock_offset_s, gauge.state) == (now, 71.0, 40.0,
                                                                                         DeviceState.OK)


def test_a_registry_change_is_seen_by_the_next_batch(world):
    assert _store(readings("essonne-mennecy", "pm10", [(T0, 1.0)])).rejected == 1
    world.gauge.quantities.create(quantity="pm10", unit="µg/m³")
    assert _store(readings("essonne-mennecy", "pm10", [(T0, 1.0)])).stored == 1


def test_aggregate_rows_buckets_in_utc():
    paris = timezone.get_fixed_timezone(60)
    rows = aggregate_rows([(1, "q", datetime(2026, 12, 1, 11, 59, 30, tzinfo=paris), 2.0)])
    assert {(row[2], row[3]) for row in rows} == {("minute", datetime(2026, 12, 1, 10, 59, tzinfo=UTC)),
                                                  ("hour", datetime(2026, 12, 1, 10, tzinfo=UTC))}
