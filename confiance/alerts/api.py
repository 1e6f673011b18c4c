"""Population alerts under /api/v1/alerts: the alerts of the communes one may see, one alert, its CAP message."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from confiance.accounts.access import Actor
from confiance.alerts.access import alert_get_for_actor
from confiance.alerts.choices import AlertStatus
from confiance.alerts.models import Alert
from confiance.alerts.schemas import AlertOut
from confiance.alerts.selectors import alert_list_for_actor, cap_of
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.parsing import DbId
from confiance.territory.models import Commune

router = Router(tags=["Alertes à la population"])
MAX_LIMIT = 500


def _actor(request: HttpRequest) -> Actor:
    return request.auth


def alert_out(alert: Alert) -> dict:
    return {
        "id": alert.pk, "commune_id": alert.commune_id, "commune": alert.commune.name,
        "identifier": alert.identifier, "sender": alert.sender, "msg_type": alert.msg_type,
        "msg_type_label": alert.get_msg_type_display(), "status": alert.status,
        "status_label": alert.get_status_display(), "cap_status": alert.cap_status, "event": alert.event,
        "category": alert.category, "urgency": alert.urgency, "severity": alert.severity,
        "severity_label": alert.get_severity_display(), "certainty": alert.certainty,
        "response_type": alert.response_type, "headline": alert.headline, "description": alert.description,
        "instruction": alert.instruction, "headline_en": alert.headline_en, "instruction_en": alert.instruction_en,
        "onset": alert.onset, "expires": alert.expires, "area_description": alert.area_description,
        "area": alert.area or {}, "sector_ids": [sector.pk for sector in alert.target_sectors.all()],
        "references": [item.identifier for item in alert.references.all()], "created_at": alert.created_at,
        "submitted_at": alert.submitted_at, "approved_at": alert.approved_at, "published_at": alert.published_at,
        "cap_url": reverse("alerts:cap", args=[alert.identifier]) if alert.cap_xml else None,
    }


@router.get("/alerts", response=list[AlertOut], summary="Alertes des communes visibles, les plus récentes d'abord")
def alerts(request, commune: str | None = None, status: str | None = None, limit: int = 100):
    actor = _actor(request)
    commune_id = None
    if commune:
        found = Commune.objects.filter(insee_code=commune[:5]).values_list("pk", flat=True).first()
        if found is None:
            raise NotFoundError()
        commune_id = found
    if status and status not in AlertStatus.values:
        raise ApplicationError(message="État d'alerte inconnu.", details={"field": "status"})
    rows = alert_list_for_actor(actor=actor, commune_id=commune_id, status=status or "") \
        .prefetch_related("target_sectors", "references")
    return [alert_out(alert) for alert in rows[:max(1, min(limit, MAX_LIMIT))]]


@router.get("/alerts/{alert_id}", response=AlertOut, summary="Une alerte")
def alert_detail(request, alert_id: DbId):
    return alert_out(alert_get_for_actor(actor=_actor(request), alert_id=alert_id))


@router.get("/alerts/{alert_id}/cap", summary="Le message CAP 1.2 d'une alerte (aperçu avant publication)")
def alert_cap(request, alert_id: DbId):
    alert = alert_get_for_actor(actor=_actor(request), alert_id=alert_id)
    return HttpResponse(cap_of(alert), content_type="application/cap+xml; charset=utf-8")
