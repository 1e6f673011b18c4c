"""Failed HTTP credentials of gateways and devices, kept as security events for the RSSI.

Not journaled (ADR 0007: like failed logins, they are counted technical rows). One row per source address and
target (the gateway or device whose prefix was named, if any) and per window: a burst of attempts increments the
row's count instead of adding rows, so a brute force cannot flood the table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from confiance.devices.choices import SecurityEventKind
from confiance.devices.models import SecurityEvent

FAILED_CREDENTIALS_WINDOW = timedelta(minutes=10)


def failed_credentials_record(*, source: str, detail: str, now: datetime, commune_id: int | None = None,
                              gateway_id: int | None = None, device_id: int | None = None) -> SecurityEvent:
    """Count one refused credential from `source` (the client address); returns the (coalesced) event."""
    subject = (source or "?")[:120]
    with transaction.atomic():
        same_target = Q(gateway__isnull=True) if gateway_id is None else Q(gateway_id=gateway_id)
        same_target &= Q(device__isnull=True) if device_id is None else Q(device_id=device_id)
        event = (SecurityEvent.objects.select_for_update(no_key=True)
                 .filter(same_target, kind=SecurityEventKind.FAILED_CREDENTIALS, subject=subject,
                         occurred_at__gte=now - FAILED_CREDENTIALS_WINDOW)
                 .order_by("-occurred_at").first())
        if event is not None:
            SecurityEvent.objects.filter(pk=event.pk).update(count=F("count") + 1, detail=detail[:300])
            event.count, event.detail = event.count + 1, detail[:300]
            return event
        return SecurityEvent.objects.create(kind=SecurityEventKind.FAILED_CREDENTIALS, subject=subject,
                                            detail=detail[:300], occurred_at=now, commune_id=commune_id,
                                            gateway_id=gateway_id, device_id=device_id)
