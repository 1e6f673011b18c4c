"""Retention per sensor kind: raw values, minute aggregates (shorter) and hour aggregates, dead letters."""

from datetime import UTC, datetime, timedelta

import pytest

from confiance.devices.choices import DeadLetterReason, DeviceKind, MeasurementSource, Resolution
from confiance.devices.models import DeadLetter, Measurement, MeasurementAggregate
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import readings
from confiance.privacy.retention_engine import registered_rules, run_all

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def durations(settings):
    table = {kind: dict(row) for kind, row in settings.CONFIANCE_DEVICES_RETENTION.items()}
    table["water_level"].update(measurement=100, minute=10, hour=1000, dead_letter=5)
    table["air_quality"].update(measurement=20, minute=10, hour=30, dead_letter=5)
    table["other"].update(dead_letter=2)
    settings.CONFIANCE_DEVICES_RETENTION = table
    return table


def _store(device, quantity, at):
    measurements_store(readings(device, quantity, [(at, 1.0)]), source=MeasurementSource.MQTT, now=at)


def test_each_kind_keeps_its_own_durations(world, durations):
    for days in (5, 15, 25, 50, 200, 2000):
        _store("essonne-mennecy", "water_level", NOW - timedelta(days=days))
        _store("air-mennecy", "pm10", NOW - timedelta(days=days))
    run_all(now=NOW)
    def ages(device, **filters):
        rows = (Measurement.objects.filter(device=device) if not filters
                else MeasurementAggregate.objects.filter(device=device, **filters))
        field = "observed_at" if not filters else "bucket"
        return sorted((NOW - value).days for value in rows.values_list(field, flat=True))
    assert ages(world.gauge) == [5, 15, 25, 50]
    assert ages(world.gauge, resolution=Resolution.MINUTE) == [5]
    assert ages(world.gauge, resolution=Resolution.HOUR) == [5, 15, 25, 50, 200]
    assert ages(world.air) == [5, 15]
    assert ages(world.air, resolution=Resolution.MINUTE) == [5]
    assert ages(world.air, resolution=Resolution.HOUR) == [5, 15, 25]
    run_all(now=NOW)  # a second run removes nothing more
    assert ages(world.gauge) == [5, 15, 25, 50]


def test_dead_letters_follow_their_device_kind_and_unknown_ids_the_default(world, durations):
    for device, identifier in ((world.gauge, "essonne-mennecy"), (None, "inconnu")):
        for days in (1, 3, 10):
            DeadLetter.objects.create(received_at=NOW - timedelta(days=days), source="mqtt", device=device,
                                      reason=DeadLetterReason.MALFORMED, device_identifier=identifier)
    run_all(now=NOW)
    kept = sorted((letter.device_identifier, (NOW - letter.received_at).days) for letter in DeadLetter.objects.all())
    assert kept == [("essonne-mennecy", 1), ("essonne-mennecy", 3), ("inconnu", 1)]


def test_one_rule_per_kind_and_table_is_registered():
    names = {rule.name for rule in registered_rules() if rule.name.startswith("devices.")}
    assert {"devices.measurements.water_level", "devices.aggregates_minute.noise", "devices.aggregates_hour.rain",
            "devices.dead_letters.other"} <= names
    per_kind = {name for name in names if name.split(".")[1] in {"measurements", "aggregates_minute",
                                                                   "aggregates_hour", "dead_letters"}}
    assert len(per_kind) == 4 * len(DeviceKind)


def test_minute_aggregates_may_not_outlive_hour_aggregates(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings as module
    monkeypatch.setenv("CONFIANCE_DEVICES_MINUTE_DAYS_NOISE", "900")
    with pytest.raises(ImproperlyConfigured, match="minute aggregates"):
        module._device_retention()
    monkeypatch.delenv("CONFIANCE_DEVICES_MINUTE_DAYS_NOISE")
    assert importlib.import_module("config.settings")._device_retention()["noise"]["minute"] == 30
