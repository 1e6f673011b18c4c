"""Helpers of the rules and alarms tests: rules, a zone, storing values at given times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from confiance.devices.choices import MeasurementSource, RuleKind
from confiance.devices.models import Rule
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import readings
from confiance.territory.models import Commune, Zone
from confiance.territory.services import area_fields
from confiance.territory.tests.factories import square

T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def make_rule(commune: Commune, *, name: str = "Crue de l'Essonne", kind: str = RuleKind.THRESHOLD,
              quantity: str = "water_level", threshold: float | None = 2.0, **fields) -> Rule:
    return Rule.objects.create(commune=commune, name=name, kind=kind, quantity=quantity, threshold=threshold,
                               **fields)


def make_zone(commune: Commune, name: str = "Bords de l'Essonne") -> Zone:
    return Zone.objects.create(commune=commune, name=name, **area_fields(square(commune.centroid_lon - 0.005,
                                                                                commune.centroid_lat - 0.005, 0.01)))


def store(device: str, values: list[tuple[float, float]], *, quantity: str = "water_level",
          now: datetime | None = None):
    """Store `(seconds after T0, value)` pairs for one device, received a little after the newest one."""
    at = [(T0 + timedelta(seconds=seconds), value) for seconds, value in values]
    newest = max(moment for moment, _ in at)
    return measurements_store(readings(device, quantity, at), source=MeasurementSource.MQTT,
                              now=now or newest + timedelta(seconds=1))
