"""Reads of population alerts: the agents' lists, the public page of a commune, CAP messages and feeds."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.alerts.choices import AlertStatus, MessageType
from confiance.alerts.models import Alert, AlertTemplate, IncomingAlert
from confiance.territory.models import Commune

PUBLIC_STATUSES = (AlertStatus.PUBLISHED, AlertStatus.SUPERSEDED, AlertStatus.CANCELLED)


def alert_list_for_actor(*, actor: Actor, commune_id: int | None = None, status: str = "") -> QuerySet[Alert]:
    """Every alert of the communes where the actor holds alerts.view, newest first."""
    communes = actor.commune_ids(Permission.ALERTS_VIEW)
    if commune_id is not None:
        communes = communes & {commune_id}
    rows = Alert.objects.filter(commune_id__in=communes).select_related("commune", "author", "approver")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def awaiting_approval_for_actor(*, actor: Actor) -> QuerySet[Alert]:
    """Alerts waiting for a second person, in the communes where the actor may approve (its own drafts excluded)."""
    communes = actor.commune_ids(Permission.ALERTS_APPROVE)
    return (Alert.objects.filter(commune_id__in=communes, status=AlertStatus.AWAITING_APPROVAL)
            .exclude(author_id=actor.agent.pk).select_related("commune", "author").order_by("submitted_at"))


def in_force_filter(now=None) -> Q:
    now = now or timezone.now()
    return (Q(status=AlertStatus.PUBLISHED) & ~Q(msg_type=MessageType.CANCEL)
            & (Q(expires__isnull=True) | Q(expires__gt=now)))


def public_alerts(*, commune: Commune, now=None) -> tuple[list[Alert], list[Alert]]:
    """A commune's alerts for the public: those in force (gravest first), then the archive (newest first)."""
    now = now or timezone.now()
    rows = Alert.objects.filter(commune=commune, status__in=PUBLIC_STATUSES).select_related("commune")
    current = sorted(rows.filter(in_force_filter(now)), key=lambda item: (
        _severity_rank(item.severity), -(item.published_at or now).timestamp()))
    archive = list(rows.exclude(pk__in=[item.pk for item in current]).order_by("-published_at")[:100])
    return current, archive


def public_incoming(*, commune: Commune, now=None) -> list[IncomingAlert]:
    """Alerts of other authorities covering the commune, still in force."""
    now = now or timezone.now()
    return list(IncomingAlert.objects.filter(communes=commune).filter(Q(expires__isnull=True) | Q(expires__gt=now))
                .exclude(msg_type="Cancel").exclude(cap_status__in=["Test", "Draft", "System"])
                .order_by("-sent")[:50])


def incoming_current_for_actor(*, actor: Actor, now=None, limit: int = 20) -> list[IncomingAlert]:
    """The console's panel: alerts of other authorities still in force over the communes where the actor holds
    alerts.view (no cancellations, no tests nor drafts), gravest first, then newest."""
    now = now or timezone.now()
    communes = actor.commune_ids(Permission.ALERTS_VIEW)
    if not communes:
        return []
    rows = list(IncomingAlert.objects.filter(communes__in=communes)
                .filter(Q(expires__isnull=True) | Q(expires__gt=now)).exclude(msg_type="Cancel")
                .exclude(cap_status__in=["Test", "Draft", "System"]).distinct().prefetch_related("communes")
                .order_by("-sent")[:200])
    rows.sort(key=lambda item: (_severity_rank(item.severity), -item.sent.timestamp()))
    return rows[:limit]


def incoming_for_actor(*, actor: Actor, limit: int = 50) -> list[IncomingAlert]:
    communes = actor.commune_ids(Permission.ALERTS_VIEW)
    return list(IncomingAlert.objects.filter(communes__in=communes).distinct().order_by("-sent")[:limit])


def published_by_identifier(identifier: str) -> Alert | None:
    """A published message by its CAP identifier (the public address), whatever became of it since."""
    return (Alert.objects.filter(identifier=identifier, status__in=PUBLISHED_OR_ENDED)
            .exclude(cap_xml="").select_related("commune").first())


PUBLISHED_OR_ENDED = PUBLIC_STATUSES


def feed_alerts(*, commune: Commune, limit: int = 50) -> list[Alert]:
    return list(Alert.objects.filter(commune=commune, status__in=PUBLIC_STATUSES).exclude(cap_xml="")
                .order_by("-published_at")[:limit])


def templates_for(commune_id: int) -> QuerySet[AlertTemplate]:
    return AlertTemplate.objects.filter(Q(commune_id=commune_id) | Q(commune__isnull=True), active=True) \
        .order_by("risk", "name")


_SEVERITY_ORDER = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"]


def _severity_rank(severity: str) -> int:
    return _SEVERITY_ORDER.index(severity) if severity in _SEVERITY_ORDER else len(_SEVERITY_ORDER)


def cap_of(alert: Alert) -> bytes:
    """The published CAP message, or for an unpublished alert a preview as if sent now (nothing saved)."""
    from django.conf import settings

    from confiance.alerts.cap.build import cap_build

    if alert.cap_xml:
        return alert.cap_xml.encode("utf-8")
    published_at = alert.published_at
    alert.published_at = timezone.now()
    try:
        return cap_build(alert, base_url=settings.CONFIANCE_PUBLIC_URL.rstrip("/"))
    finally:
        alert.published_at = published_at


def home_summary(*, actor: Actor, limit: int = 5) -> dict | None:
    """The agents' home: alerts waiting for my approval, alerts in force, alerts received from other authorities."""
    if not actor.can_anywhere(Permission.ALERTS_VIEW):
        return None
    communes = actor.commune_ids(Permission.ALERTS_VIEW)
    now = timezone.now()
    return {"awaiting": list(awaiting_approval_for_actor(actor=actor)[:limit]),
            "in_force": list(Alert.objects.filter(in_force_filter(now), commune_id__in=communes)
                             .select_related("commune").order_by("-published_at")[:limit]),
            "incoming": list(IncomingAlert.objects.filter(communes__in=communes)
                             .filter(Q(expires__isnull=True) | Q(expires__gt=now)).exclude(msg_type="Cancel")
                             .distinct().order_by("-sent")[:limit])}
