"""Alarms and rules under /api/v1/devices: list, one alarm with its steps, acknowledge, resolve, open an
intervention; the rules of the communes one may see."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from confiance.core.errors import NotFoundError
from confiance.core.parsing import DbId
from confiance.devices.access import visible_commune_ids
from confiance.devices.choices import AlarmState, AlarmStepKind, Severity
from confiance.devices.models import Alarm, Rule
from confiance.devices.selectors.alarms import alarm_detail_for_actor, alarms_for_actor, rules_for_actor
from confiance.devices.services import alarms as alarm_services
from confiance.territory.models import Commune

router = Router(tags=["Hypervision"])


class AlarmOut(Schema):
    id: int
    commune_id: int
    commune: str
    rule_id: int
    rule: str
    device_id: int | None
    device_name: str
    subject: str
    severity: int
    severity_label: str
    state: str
    state_label: str
    message: str
    value: float | None
    raised_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    lat: float | None
    lon: float | None
    intervention_id: int | None
    intervention_number: str


class AlarmStepOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    by: str | None
    note: str


class AlarmDetailOut(AlarmOut):
    steps: list[AlarmStepOut]


class NoteIn(Schema):
    note: str = Field("", max_length=500, description="Note libre (500 caractères au plus)")


class RuleOut(Schema):
    id: int
    commune_id: int
    name: str
    kind: str
    kind_label: str
    quantity: str
    device_id: int | None
    zone_id: int | None
    comparison: str
    threshold: float | None
    clear_threshold: float | None
    min_duration_s: int
    silence_intervals: int
    combination: str
    severity: int
    severity_label: str
    escalate_after_min: int | None
    opens_intervention: bool
    intervention_type_code: str
    active: bool


def alarm_out(alarm: Alarm) -> dict:
    device, intervention = alarm.device, alarm.intervention
    return {
        "id": alarm.pk, "commune_id": alarm.commune_id, "commune": alarm.commune.name, "rule_id": alarm.rule_id,
        "rule": alarm.rule.name, "device_id": alarm.device_id, "device_name": device.name if device else "",
        "subject": alarm.subject, "severity": alarm.severity, "severity_label": str(Severity(alarm.severity).label),
        "state": alarm.state, "state_label": str(AlarmState(alarm.state).label), "message": alarm.message,
        "value": alarm.value, "raised_at": alarm.raised_at, "cleared_at": alarm.cleared_at,
        "acknowledged_at": alarm.acknowledged_at,
        "acknowledged_by": alarm.acknowledged_by.username if alarm.acknowledged_by else None,
        "escalated_at": alarm.escalated_at, "resolved_at": alarm.resolved_at,
        "lat": device.lat if device else None, "lon": device.lon if device else None,
        "intervention_id": alarm.intervention_id, "intervention_number": intervention.number if intervention else "",
    }


def _detail(request: HttpRequest, alarm_id: DbId) -> dict:
    alarm = alarm_detail_for_actor(actor=request.auth, alarm_id=alarm_id)
    steps = [{"kind": step.kind, "kind_label": str(AlarmStepKind(step.kind).label), "at": step.at,
              "by": step.by.username if step.by else None, "note": step.note} for step in alarm.steps.all()]
    return {**alarm_out(alarm), "steps": steps}


def _communes(request: HttpRequest, insee_code: str | None) -> set[int] | None:
    if not insee_code:
        return None
    commune_id = Commune.objects.filter(insee_code=insee_code[:10]).values_list("id", flat=True).first()
    if commune_id is None or commune_id not in visible_commune_ids(request.auth):
        raise NotFoundError(message=_("Commune inconnue ou hors de vos droits : %(code)s.")
                            % {"code": insee_code[:10]})
    return {commune_id}


@router.get("/alarms", response=list[AlarmOut], summary="Alarmes des capteurs (ouvertes par défaut)")
def alarms(request, commune: str | None = None, closed: bool = False, limit: int = 100):
    rows = alarms_for_actor(actor=request.auth, open_only=not closed, limit=max(1, min(limit, 1000)),
                            commune_ids=_communes(request, commune))
    return [alarm_out(alarm) for alarm in rows]


@router.get("/alarms/{alarm_id}", response=AlarmDetailOut, summary="Une alarme et ses étapes")
def alarm_detail(request, alarm_id: DbId):
    return _detail(request, alarm_id)


@router.post("/alarms/{alarm_id}/acknowledge", response=AlarmDetailOut, summary="Prendre une alarme en compte")
def alarm_acknowledge(request, alarm_id: DbId, payload: NoteIn):
    alarm_services.alarm_acknowledge(actor=request.auth, alarm_id=alarm_id, note=payload.note)
    return _detail(request, alarm_id)


@router.post("/alarms/{alarm_id}/resolve", response=AlarmDetailOut, summary="Résoudre une alarme")
def alarm_resolve(request, alarm_id: DbId, payload: NoteIn):
    alarm_services.alarm_resolve(actor=request.auth, alarm_id=alarm_id, note=payload.note)
    return _detail(request, alarm_id)


@router.post("/alarms/{alarm_id}/intervention", response={201: AlarmDetailOut},
             summary="Ouvrir une intervention pour une alarme")
def alarm_open_intervention(request, alarm_id: DbId):
    alarm_services.alarm_open_intervention(actor=request.auth, alarm_id=alarm_id)
    return Status(201, _detail(request, alarm_id))


def rule_out(rule: Rule) -> dict:
    return {
        "id": rule.pk, "commune_id": rule.commune_id, "name": rule.name, "kind": rule.kind,
        "kind_label": str(rule.get_kind_display()), "quantity": rule.quantity, "device_id": rule.device_id,
        "zone_id": rule.zone_id, "comparison": rule.comparison, "threshold": rule.threshold,
        "clear_threshold": rule.clear_threshold, "min_duration_s": rule.min_duration_s,
        "silence_intervals": rule.silence_intervals, "combination": rule.combination, "severity": rule.severity,
        "severity_label": str(Severity(rule.severity).label), "escalate_after_min": rule.escalate_after_min,
        "opens_intervention": rule.opens_intervention, "intervention_type_code": rule.intervention_type_code,
        "active": rule.active,
    }


@router.get("/rules", response=list[RuleOut], summary="Règles d'alarme des communes visibles")
def rules(request, commune: str | None = None):
    return [rule_out(rule) for rule in rules_for_actor(actor=request.auth, commune_ids=_communes(request, commune))]
