"""An alarm of hypervision starts a draft alert: the risk from the device's kind, the template of that risk, the
area from the rule's zone (or a circle around the device), the validity from now."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.alerts.choices import Risk
from confiance.alerts.drafts import AlertDraft
from confiance.alerts.models import Alert, AlertTemplate
from confiance.alerts.services.authoring import alert_draft, draft_from_template
from confiance.devices.access import alarm_get_for_actor

AROUND_DEVICE_M = 500
RISK_OF_DEVICE_KIND = {"water_level": Risk.FLOOD, "rain": Risk.FLOOD, "smoke": Risk.FIRE,
                       "temperature": Risk.HEATWAVE, "air_quality": Risk.POLLUTION, "weather": Risk.STORM}


def _area(alarm) -> tuple[dict, str]:
    zone = getattr(alarm.rule, "zone", None)
    if zone is not None:
        outline = shape(zone.geometry)
        polygon = outline if outline.geom_type == "Polygon" else max(outline.geoms, key=lambda part: part.area)
        if len(polygon.exterior.coords) > 500:
            polygon = polygon.simplify(0.0001, preserve_topology=True)
        ring = [[lon, lat] for lon, lat in polygon.exterior.coords]
        feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        return {"type": "FeatureCollection", "features": [feature]}, zone.name
    device = alarm.device
    if device is None or device.lat is None:
        return {}, ""
    circle = {"type": "Feature", "properties": {"radius_m": AROUND_DEVICE_M},
              "geometry": {"type": "Point", "coordinates": [device.lon, device.lat]}}
    return {"type": "FeatureCollection", "features": [circle]}, _("Environs de %(name)s") % {"name": device.name}


def draft_for_alarm(alarm) -> AlertDraft:
    """What an alarm says of the alert to write (nothing saved)."""
    risk = RISK_OF_DEVICE_KIND.get(alarm.device.kind if alarm.device else "", Risk.OTHER)
    template = (AlertTemplate.objects.filter(risk=risk, active=True, commune_id=alarm.commune_id).first()
                or AlertTemplate.objects.filter(risk=risk, active=True, commune__isnull=True).first())
    now = timezone.now()
    if template is not None:
        draft = draft_from_template(template, now=now)
    else:
        draft = AlertDraft(event=str(Risk(risk).label), headline=alarm.message[:160], risk=risk, onset=now,
                           expires=now + timedelta(hours=6))
    area, description = _area(alarm)
    note = _("Alarme : %(message)s") % {"message": alarm.message}
    return replace(draft, area=area, area_description=description[:300],
                   description=f"{draft.description}\n\n{note}".strip()[:4000])


@transaction.atomic
def alert_draft_from_alarm(*, actor: Actor, alarm_id: int) -> Alert:
    """A draft alert prefilled from an alarm the actor can see, in the alarm's commune."""
    alarm = alarm_get_for_actor(actor=actor, alarm_id=alarm_id)
    actor.require(Permission.ALERTS_DRAFT, alarm.commune_id)
    return alert_draft(actor=actor, commune_id=alarm.commune_id, draft=draft_for_alarm(alarm),
                       source_alarm_id=alarm.pk)
