"""The delivery report of an alert: targeted, and per channel queued/sending/sent/failed, and sent per minute."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import TruncMinute

from confiance.accounts.choices import Permission
from confiance.alerts.delivery_choices import Channel, DeliveryStatus
from confiance.alerts.models import Alert, AlertDispatch, Delivery
from confiance.core.errors import NotFoundError

PARIS = ZoneInfo("Europe/Paris")
MAX_MINUTES = 24 * 60


def delivery_report(*, alert: Alert) -> dict[str, Any]:
    """Counts of one alert's deliveries (the caller checked the actor may see the alert): no personal data."""
    dispatch = AlertDispatch.objects.filter(alert=alert).first()
    channels = {channel: dict.fromkeys(DeliveryStatus.values, 0) | {"total": 0} for channel in Channel.values}
    rows = Delivery.objects.filter(alert=alert).values("channel", "status").annotate(count=Count("id"))
    for row in rows:
        channels[row["channel"]][row["status"]] = row["count"]
        channels[row["channel"]]["total"] += row["count"]
    minutes_rows = (Delivery.objects.filter(alert=alert, sent_at__isnull=False)
                    .annotate(minute=TruncMinute("sent_at")).values("minute", "channel")
                    .annotate(count=Count("id")).order_by("minute")[:MAX_MINUTES * 3])
    minutes: dict[Any, dict[str, Any]] = {}
    for row in minutes_rows:
        entry = minutes.setdefault(row["minute"], {"minute": row["minute"].astimezone(PARIS).isoformat(),
                                                   "sent": 0, **dict.fromkeys(Channel.values, 0)})
        entry[row["channel"]] += row["count"]
        entry["sent"] += row["count"]
    return {
        "alert_id": alert.pk,
        "targeted": dispatch.targeted if dispatch else 0,
        "queued_at": dispatch.enqueued_at.astimezone(PARIS).isoformat() if dispatch else None,
        "targeting_seconds": dispatch.seconds if dispatch else None,
        "channels": channels,
        "sent": sum(channel["sent"] for channel in channels.values()),
        "failed": sum(channel["failed"] for channel in channels.values()),
        "minutes": list(minutes.values()),
    }


def alert_for_report(*, actor, alert_id: int) -> Alert:
    """The alert whose report the agent asks for: ALERTS_VIEW in its commune, else "not found"."""
    alert = Alert.objects.select_related("commune").filter(pk=alert_id).first()
    if alert is None or not actor.can(Permission.ALERTS_VIEW, alert.commune_id):
        raise NotFoundError()
    return alert
