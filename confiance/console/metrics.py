"""`/metrics`: Prometheus text format, for the machine that scrapes (a bearer token, or a client on this host).

Per process (summed over uvicorn workers by prometheus-client's multiprocess mode, confiance/core/metrics.py):
requests and latency per route name, live streams open. Read from the database at each scrape: tasks and e-mails
waiting (and the age of the oldest), dead letters per reason, measurements and positions stored, outbox depth.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from confiance.console.probes import oldest_waiting_mail_age, oldest_waiting_task_age
from confiance.core.models import OutboxEvent
from confiance.devices.models import DeadLetter, Measurement
from confiance.operations.models import UnitPosition
from confiance.reports.choices import NotificationStatus
from confiance.reports.models import Report, ReportNotification

LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


class DatabaseCollector:
    """Queue depths and stored volumes, read when scraped (the database is shared: any process answers the same)."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        yield GaugeMetricFamily("confiance_tasks_waiting", "Background tasks ready to run and not yet taken.",
                                value=DBTaskResult.objects.ready().count())
        yield GaugeMetricFamily("confiance_tasks_oldest_waiting_seconds", "Age of the oldest task waiting (0: none).",
                                value=oldest_waiting_task_age() or 0)
        mail = GaugeMetricFamily("confiance_mail_notifications", "Citizen e-mails per state.", labels=["status"])
        counted = dict(ReportNotification.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in NotificationStatus.values:
            mail.add_metric([status], counted.get(status, 0))
        yield mail
        yield GaugeMetricFamily("confiance_mail_oldest_waiting_seconds", "Age of the oldest e-mail waiting (0: none).",
                                value=oldest_waiting_mail_age() or 0)
        dead = GaugeMetricFamily("confiance_dead_letters", "Sensor messages refused and kept, per reason.",
                                 labels=["reason"])
        for reason, count in DeadLetter.objects.values_list("reason").annotate(n=Count("id")).order_by("reason"):
            dead.add_metric([reason], count)
        yield dead
        yield GaugeMetricFamily("confiance_measurements_stored", "Sensor measurements stored.",
                                value=Measurement.objects.count())
        yield GaugeMetricFamily("confiance_positions_stored", "Unit positions stored.",
                                value=UnitPosition.objects.count())
        yield GaugeMetricFamily("confiance_reports_stored", "Citizen reports stored.", value=Report.objects.count())
        yield GaugeMetricFamily("confiance_outbox_last_event_id", "Id of the newest live event.",
                                value=OutboxEvent.objects.aggregate(top=Max("id"))["top"] or 0)
        yield GaugeMetricFamily("confiance_scrape_timestamp_seconds", "When this answer was computed.",
                                value=timezone.now().timestamp())


def allowed(request) -> bool:
    token = settings.CONFIANCE_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES


def registry() -> CollectorRegistry:
    chosen = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(chosen)
    else:
        chosen.register(_ProcessCollector())
    chosen.register(DatabaseCollector())
    return chosen


class _ProcessCollector:
    """This process's metrics (no multiprocess folder: one server process, or tests)."""

    def collect(self):
        yield from REGISTRY.collect()


@never_cache
def metrics(request):
    if not allowed(request):
        return HttpResponseForbidden("Accès réservé : jeton (CONFIANCE_METRICS_TOKEN) ou client local.\n",
                                     content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
