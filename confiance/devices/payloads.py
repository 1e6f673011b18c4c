"""The JSON shapes of the hypervision pages: a device on the map and in lists, an alarm in the console list. The
alarm shape carries the fields of the `devices.alarm` live event, so the console draws both the same way."""

from __future__ import annotations

from typing import Any

from confiance.devices.choices import AlarmState, DeviceState, Quantity, Severity
from confiance.devices.models import Alarm, Device
from confiance.devices.selectors.measurements import LatestValue

# Battery and signal say how the device is, not what it measures: the health page shows them.
HEALTH_QUANTITIES = frozenset({Quantity.BATTERY.value, Quantity.SIGNAL.value})


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def value_text(value: float, unit: str) -> str:
    """A value as a French reader writes it: at most two decimals, no trailing zero, decimal comma, its unit."""
    number = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",").replace("-", "\u2212")
    return f"{number} {unit}" if unit else number


def latest_payload(latest: LatestValue) -> dict[str, Any]:
    return {"quantity": latest.quantity, "label": latest.label, "value": latest.value, "unit": latest.unit,
            "text": value_text(latest.value, latest.unit), "at": latest.at.isoformat()}


def device_payload(device: Device, latest: list[LatestValue] | None = None) -> dict[str, Any]:
    """A device as the map and the lists show it (no credentials, no client id)."""
    state = device.state if device.active else DeviceState.DISABLED
    return {
        "id": device.pk, "identifier": device.identifier, "name": device.name, "kind": device.kind,
        "kind_label": str(device.get_kind_display()), "commune_id": device.commune_id,
        "commune": device.commune.name, "lat": device.lat, "lon": device.lon, "address": device.address,
        "state": state, "state_label": str(DeviceState(state).label), "last_seen_at": _iso(device.last_seen_at),
        "values": [latest_payload(item) for item in latest or [] if item.quantity not in HEALTH_QUANTITIES],
    }


def alarm_payload(alarm: Alarm, *, can_handle: bool = False) -> dict[str, Any]:
    """An alarm as the console lists it; `can_handle` says whether the reader may acknowledge and resolve it."""
    device = alarm.device
    intervention = alarm.intervention
    return {
        "id": alarm.pk, "commune_id": alarm.commune_id, "commune": alarm.commune.name,
        "rule": alarm.rule.name, "rule_id": alarm.rule_id,
        "device_id": alarm.device_id, "device_name": device.name if device else "",
        "severity": alarm.severity, "severity_label": str(Severity(alarm.severity).label),
        "state": alarm.state, "state_label": str(AlarmState(alarm.state).label),
        "message": alarm.message, "value": alarm.value, "raised_at": alarm.raised_at.isoformat(),
        "acknowledged_at": _iso(alarm.acknowledged_at), "cleared_at": _iso(alarm.cleared_at),
        "resolved_at": _iso(alarm.resolved_at),
        "lat": device.lat if device else None, "lon": device.lon if device else None,
        "intervention_id": alarm.intervention_id,
        "intervention_number": intervention.number if intervention else "",
        "can_handle": can_handle,
    }
