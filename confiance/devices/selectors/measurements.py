"""Reads of measurements for charts and lists: from the per-minute and per-hour aggregates only, never the raw
measurement table (aggregates are kept as values arrive, so a chart costs one index range scan whatever the rate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from confiance.accounts.access import Actor
from confiance.core.errors import ApplicationError, ErrorCode
from confiance.devices.access import device_get_for_actor
from confiance.devices.choices import QUANTITY_UNITS, Quantity, Resolution
from confiance.devices.models import DeviceQuantity, MeasurementAggregate

if TYPE_CHECKING:  # the stubs' helper is a development dependency
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Period:
    resolution: str
    span: timedelta
    label: StrOrPromise


# The chart periods a page may ask for: minute buckets for the last hours, hour buckets for days.
PERIODS: dict[str, Period] = {
    "heures": Period(Resolution.MINUTE, timedelta(hours=6), gettext_lazy("6 dernières heures (par minute)")),
    "jour": Period(Resolution.MINUTE, timedelta(hours=24), gettext_lazy("24 dernières heures (par minute)")),
    "jours": Period(Resolution.HOUR, timedelta(days=7), gettext_lazy("7 derniers jours (par heure)")),
    "mois": Period(Resolution.HOUR, timedelta(days=30), gettext_lazy("30 derniers jours (par heure)")),
}
DEFAULT_PERIOD = "heures"


@dataclass(frozen=True)
class LatestValue:
    device_id: int
    quantity: str
    value: float
    at: datetime

    @property
    def label(self) -> str:
        return str(Quantity(self.quantity).label)

    @property
    def unit(self) -> str:
        return QUANTITY_UNITS.get(self.quantity, "")


def measurement_series(*, actor: Actor, device_id: int, quantity: str, period: str = DEFAULT_PERIOD,
                       now: datetime | None = None) -> dict:
    """One device's quantity over a period, bucket by bucket: mean, minimum, maximum (NotFoundError for a device
    the actor may not see; a clear error for a quantity the device does not measure or an unknown period)."""
    device = device_get_for_actor(actor=actor, device_id=device_id)
    chosen = PERIODS.get(period)
    if chosen is None:
        raise ApplicationError(ErrorCode.INVALID_INPUT, _("Période inconnue."), details={"choices": list(PERIODS)})
    if not DeviceQuantity.objects.filter(device_id=device.pk, quantity=quantity).exists():
        raise ApplicationError(ErrorCode.INVALID_INPUT, _("Ce capteur ne mesure pas cette grandeur."))
    now = now or timezone.now()
    rows = (MeasurementAggregate.objects
            .filter(device_id=device.pk, quantity=quantity, resolution=chosen.resolution,
                    bucket__gte=now - chosen.span, bucket__lte=now)
            .order_by("bucket").values_list("bucket", "count", "total", "minimum", "maximum"))
    points = [{"at": bucket.isoformat(), "mean": round(total / count, 4) if count else None,
               "min": minimum, "max": maximum} for bucket, count, total, minimum, maximum in rows]
    return {"device_id": device.pk, "quantity": quantity, "quantity_label": str(Quantity(quantity).label),
            "unit": QUANTITY_UNITS.get(quantity, ""), "period": period, "period_label": str(chosen.label),
            "resolution": chosen.resolution, "since": (now - chosen.span).isoformat(), "until": now.isoformat(),
            "points": points}


def latest_values(*, device_ids: list[int]) -> dict[int, list[LatestValue]]:
    """The last value of each quantity of these devices (callers pass ids they already checked), in one query:
    the newest hour bucket of each device and quantity carries the last value seen."""
    if not device_ids:
        return {}
    newest = (MeasurementAggregate.objects
              .filter(device_id=OuterRef("device_id"), quantity=OuterRef("quantity"), resolution=Resolution.HOUR)
              .order_by("-bucket").values("bucket")[:1])
    rows = (MeasurementAggregate.objects
            .filter(device_id__in=device_ids, resolution=Resolution.HOUR, bucket=Subquery(newest))
            .values_list("device_id", "quantity", "last_value", "last_at"))
    found: dict[int, list[LatestValue]] = {}
    for device_id, quantity, value, at in rows:
        found.setdefault(device_id, []).append(LatestValue(device_id, quantity, value, at))
    for values in found.values():
        values.sort(key=lambda latest: _QUANTITY_ORDER.get(latest.quantity, 99))
    return found


_QUANTITY_ORDER = {value: index for index, value in enumerate(Quantity.values)}
