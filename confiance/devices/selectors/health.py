"""Reads of the devices' state and health: the sensors page and the console layer (DEVICES_VIEW), and the health
and cyber page of the RSSI and the chef de poste (DEVICES_HEALTH): last seen, battery, signal, firmware, default
credentials, dead letters per device and reason, security events. Each read takes the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Max, QuerySet
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.devices.access import device_get_for_actor, visible_commune_ids
from confiance.devices.choices import DeadLetterReason
from confiance.devices.models import Alarm, DeadLetter, Device, Gateway, SecurityEvent

DEAD_LETTER_WINDOW = timedelta(days=7)
SECURITY_EVENTS_SHOWN = 200


def device_status_list_for_actor(*, actor: Actor, commune_id: int | None = None, state: str = "",
                                 permission: Permission = Permission.DEVICES_VIEW) -> QuerySet[Device]:
    """The devices the actor may see (crisis sharing included), with their commune and gateway; optionally one
    commune (ignored when not visible: an empty list, never another commune's devices) and one state."""
    communes = visible_commune_ids(actor, permission)
    if commune_id is not None:
        communes = communes & {commune_id}
    devices = Device.objects.filter(commune_id__in=communes).select_related("commune", "gateway")
    if state:
        devices = devices.filter(state=state)
    return devices.order_by("commune__name", "name", "pk")


def gateway_health_list_for_actor(*, actor: Actor) -> QuerySet[Gateway]:
    """The gateways of the communes where the actor watches device health, with their number of devices."""
    return (Gateway.objects.filter(commune_id__in=visible_commune_ids(actor, Permission.DEVICES_HEALTH))
            .select_related("commune").annotate(device_count=Count("devices")).order_by("commune__name", "name"))


@dataclass(frozen=True)
class DeadLetterCount:
    device_identifier: str
    device_id: int | None
    reason: str
    count: int
    last_at: datetime

    @property
    def reason_label(self) -> str:
        return str(DeadLetterReason(self.reason).label) if self.reason in DeadLetterReason.values else self.reason


def dead_letter_counts_for_actor(*, actor: Actor, since: datetime | None = None) -> list[DeadLetterCount]:
    """Rejected messages of the actor's communes counted per announced device and reason since a date (7 days by
    default), most frequent first: one grouped query."""
    since = since or timezone.now() - DEAD_LETTER_WINDOW
    rows = (DeadLetter.objects
            .filter(commune_id__in=visible_commune_ids(actor, Permission.DEVICES_HEALTH), received_at__gte=since)
            .values("device_identifier", "device_id", "reason")
            .annotate(count=Count("id"), last_at=Max("received_at"))
            .order_by("-count", "device_identifier", "reason"))
    return [DeadLetterCount(row["device_identifier"], row["device_id"], row["reason"], row["count"], row["last_at"])
            for row in rows]


def dead_letter_totals_by_device(counts: list[DeadLetterCount]) -> dict[int, int]:
    """Rejected messages per registered device, from the grouped counts."""
    totals: dict[int, int] = {}
    for row in counts:
        if row.device_id is not None:
            totals[row.device_id] = totals.get(row.device_id, 0) + row.count
    return totals


def security_event_list_for_actor(*, actor: Actor, limit: int = SECURITY_EVENTS_SHOWN) -> QuerySet[SecurityEvent]:
    """The newest security events of the actor's communes, with their device and gateway."""
    return (SecurityEvent.objects
            .filter(commune_id__in=visible_commune_ids(actor, Permission.DEVICES_HEALTH))
            .select_related("commune", "device", "gateway").order_by("-occurred_at", "-pk")[:limit])


def firmware_outdated(item: Device | Gateway) -> bool:
    """A firmware differs from the version expected for it (nothing expected: nothing to say)."""
    return bool(item.expected_firmware_version) and item.firmware_version != item.expected_firmware_version


def silent_for(device: Device, now: datetime) -> timedelta | None:
    """How long past its expected interval a device has said nothing (None when on time or never seen)."""
    if device.last_seen_at is None:
        return None
    late = now - device.last_seen_at - timedelta(seconds=device.reporting_interval_s)
    return late if late > timedelta(0) else None


def device_alarm_history(*, actor: Actor, device_id: int, limit: int = 20) -> list[Alarm]:
    """The newest alarms of one device the actor may see (open ones first), with their rule and intervention."""
    device = device_get_for_actor(actor=actor, device_id=device_id)
    alarms = (Alarm.objects.filter(device_id=device.pk)
              .select_related("commune", "rule", "device", "intervention")
              .order_by(F("resolved_at").desc(nulls_first=True), "-raised_at", "-pk")[:limit])
    return list(alarms)
