"""Measurements and aggregates keep their device's key without a database constraint (ADR 0020): a batch locks its
devices once, a deletion locks its device before the cascade, and no value is ever left pointing to no device."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from confiance.core.testing import finished_later, held_transaction
from confiance.devices.choices import DeadLetterReason, MeasurementSource
from confiance.devices.models import DeadLetter, Device, Measurement, MeasurementAggregate
from confiance.devices.registry import current_registry
from confiance.devices.services import measurements as service
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import make_devices_world, readings

T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)


def _batch(device: str = "essonne-mennecy", count: int = 6):
    return readings(device, "water_level", [(T0 + timedelta(seconds=10 * i), 1.0 + i) for i in range(count)])


def _orphans() -> tuple[int, int]:
    devices = Device.objects.values("pk")
    return (Measurement.objects.exclude(device_id__in=devices).count(),
            MeasurementAggregate.objects.exclude(device_id__in=devices).count())


@pytest.mark.django_db
def test_deleting_a_device_still_deletes_its_measurements_and_aggregates():
    world = make_devices_world()
    assert measurements_store(_batch(), source=MeasurementSource.MQTT, now=NOW).stored == 6
    assert MeasurementAggregate.objects.filter(device=world.gauge).count() == 2
    world.gauge.delete()
    assert Measurement.objects.count() == 0 and MeasurementAggregate.objects.count() == 0


@pytest.mark.django_db
def test_a_batch_read_with_a_registry_from_before_a_deletion_refuses_the_deleted_devices_values(monkeypatch):
    world = make_devices_world()
    stale = current_registry()  # what a worker built before the deletion, and still holds at its next batch
    world.gauge.delete()
    monkeypatch.setattr(service, "current_registry", lambda: stale)
    parsed = _batch()
    parsed.extend(readings("essonne-ormoy", "water_level", [(T0, 2.0)]))
    result = measurements_store(parsed, source=MeasurementSource.MQTT, now=NOW)
    assert (result.stored, result.rejected) == (1, 6)
    letters = DeadLetter.objects.filter(device_identifier="essonne-mennecy")
    assert letters.count() == 6
    assert set(letters.values_list("reason", "device_id")) == {(DeadLetterReason.UNKNOWN_DEVICE, None)}
    assert Measurement.objects.filter(device=world.other_gauge).count() == 1
    assert _orphans() == (0, 0)


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: the two cannot interleave")




@pytest.mark.django_db(transaction=True)
def test_a_deletion_during_an_uncommitted_batch_waits_for_it_then_deletes_what_it_stored():
    _postgresql_only()
    world = make_devices_world()
    started, release, outcome = threading.Event(), threading.Event(), {}
    batch = held_transaction(lambda: measurements_store(_batch(), source=MeasurementSource.MQTT, now=NOW).stored,
                  started, release, outcome)
    try:
        assert started.wait(20) and "error" not in outcome, outcome
        deletion, done = finished_later(lambda: Device.objects.filter(pk=world.gauge.pk).delete()[0])
        deletion.join(1.5)
        assert not done, "the deletion went on while a batch writing to the device was uncommitted"
        release.set()
        batch.join(20)
        deletion.join(20)
    finally:
        release.set()
        batch.join(20)
    assert outcome.get("released") is True and outcome["result"] == 6
    assert done.get("ended") and "error" not in done, done
    assert not Device.objects.filter(pk=world.gauge.pk).exists()
    assert _orphans() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_batch_during_an_uncommitted_deletion_waits_for_it_then_refuses_the_deleted_devices_values():
    _postgresql_only()
    world = make_devices_world()
    current_registry()
    stale = current_registry()

    def store():
        service.current_registry = lambda: stale  # read before the deletion committed
        try:
            return measurements_store(_batch(), source=MeasurementSource.MQTT, now=NOW)
        finally:
            service.current_registry = current_registry

    started, release, outcome = threading.Event(), threading.Event(), {}
    deleting = held_transaction(lambda: world.gauge.delete(), started, release, outcome)
    try:
        assert started.wait(20) and "error" not in outcome, outcome
        batch, done = finished_later(store)
        batch.join(1.5)
        assert not done, "the batch wrote to a device an uncommitted deletion was removing"
        release.set()
        deleting.join(20)
        batch.join(20)
    finally:
        release.set()
        deleting.join(20)
    assert outcome.get("released") is True
    assert done.get("ended") and "error" not in done, done
    assert (done["result"].stored, done["result"].rejected) == (0, 6)
    assert _orphans() == (0, 0)
    assert DeadLetter.objects.filter(device_identifier="essonne-mennecy", device=None).count() == 6
