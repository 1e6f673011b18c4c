"""What runs periodically over reports: flagging overdue ones, then sending pending e-mails."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from confiance.core.live import publish_on_commit
from confiance.reports.choices import UpdateKind
from confiance.reports.events import ReportOverdue
from confiance.reports.models import Report
from confiance.reports.notifications import notification_queue, notification_send
from confiance.reports.services.history import destination_emails, history_append


def _overdue_flag(report: Report, due: datetime, now: datetime) -> bool:
    """Claim one overdue report with a conditional update, then tell; False when another sweep claimed it."""
    with transaction.atomic():
        if not Report.objects.filter(pk=report.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now):
            return False
        history_append(report, actor=None, kind=UpdateKind.OVERDUE, now=now, data={"expected_at": due.isoformat()})
        notification_queue(report=report, recipients=destination_emails(report), template="overdue")
        publish_on_commit(ReportOverdue(report_id=report.pk, category=report.category.name,
                                        commune=report.commune.name, expected_at=due.isoformat()),
                          commune_id=report.commune_id)
    return True


def overdue_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Flag open reports past their target once, tell their services, and publish a live event."""
    now = now or timezone.now()
    due = (Report.objects.filter(is_open=True, expected_at__lt=now, overdue_notified_at__isnull=True)
           .select_related("category", "commune").order_by("expected_at")[:limit])
    return sum(1 for report in due if report.expected_at is not None and _overdue_flag(report, report.expected_at, now))


def reports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """What runs periodically: overdue reports, then e-mails still pending."""
    flagged = overdue_sweep(now=now)
    sent, failed = notification_send()
    return {"overdue": flagged, "sent": sent, "failed": failed}
