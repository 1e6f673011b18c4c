"""Platform-wide readings for operations (/healthz, /metrics): queue ages and recent refusals, no personal data."""

from __future__ import annotations

import datetime

from django.utils import timezone

from confiance.devices.models import DeadLetter, Measurement
from confiance.reports.choices import NotificationStatus
from confiance.reports.models import ReportNotification


def oldest_waiting_task_age() -> float | None:
    """Seconds the oldest task ready to run has waited (django-tasks database backend), None when none waits."""
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return (timezone.now() - oldest).total_seconds() if oldest else None


def oldest_waiting_mail_age() -> float | None:
    oldest = (ReportNotification.objects.filter(status=NotificationStatus.PENDING)
              .order_by("created_at").values_list("created_at", flat=True).first())
    return (timezone.now() - oldest).total_seconds() if oldest else None


def recent_dead_letter_share(minutes: int) -> tuple[int, int]:
    """Dead letters and stored measurements received in the last `minutes`."""
    since = timezone.now() - datetime.timedelta(minutes=minutes)
    return (DeadLetter.objects.filter(received_at__gte=since).count(),
            Measurement.objects.filter(observed_at__gte=since).count())
