"""Alarms: raised and cleared by the rules, acknowledged and resolved by operators, escalated by the sweep, turned
into interventions.

Life of an alarm (every step an `AlarmStep` row with who and when):
- **raised** by the rule engine (`alarm_raise`). There is exactly one open alarm per rule and subject: the insert
  runs in a savepoint and the partial unique index `alarm_one_open_per_rule_subject` refuses a second one, whatever
  the number of workers; the loser finds the open alarm and leaves it (or re-raises it if its condition had gone).
- **cleared** when the condition disappears (`alarm_clear`): `cleared_at` is set, the alarm stays open. Like
  ThingsBoard and Genetec, an alarm nobody has seen is not closed by the sensor: a river that rose for ten minutes
  at night must still be on the list in the morning. An alarm closes once both are true: the condition has gone,
  and a person has taken it in account. So clearing an acknowledged alarm resolves it (by the system), and
  acknowledging a cleared alarm resolves it (by that person). An operator may also resolve an alarm at any time
  (`alarm_resolve`, a false alarm for instance); the rule raises again only once its condition has gone and come
  back.
- **escalated** by the sweep to the chefs de poste when nobody acknowledged it after the rule's delay.
- **intervention**: one click (`alarm_open_intervention`), or automatically when the rule says so.

Human steps (acknowledge, resolve, open an intervention) are journaled in the audit chain (ADR 0007); steps of the
machine (raise, clear, escalate, resolve on clearing) are rows of `AlarmStep` only, as measurements are rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError, PermissionDeniedError
from confiance.core.live import publish_on_commit
from confiance.devices.access import alarm_get_for_actor, require_visible
from confiance.devices.choices import AlarmState, AlarmStepKind, DeviceState, RuleKind, Severity
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.events import AlarmChanged, AlarmEscalated, DeviceStateChanged
from confiance.devices.models import Alarm, AlarmStep, Device, Rule
from confiance.operations.choices import InterventionOrigin
from confiance.operations.drafts import InterventionDraft
from confiance.operations.models import InterventionType
from confiance.operations.services.interventions import intervention_create
from confiance.privacy.services import audit_record

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 500
# Intervention types tried, after the rule's own, when an alarm opens an intervention.
DEFAULT_INTERVENTION_TYPE_CODES = ("capteur", "alarme-capteur", "alarme")


@dataclass(frozen=True)
class Verdict:
    """What the rule engine (or the silence sweep) concluded for one rule and subject."""

    rule_id: int
    commune_id: int
    subject: str
    device_id: int | None
    value: float | None
    message: str
    severity: int = Severity.WARNING
    opens_intervention: bool = False


@dataclass(frozen=True)
class RuleActor:
    """The platform acting for the commune when a rule opens an intervention by itself: it may write the
    commune's main courante and interventions, nothing else, and the journal names the rule."""

    rule_name: str
    commune_id: int
    agent: None = None

    @property
    def label(self) -> str:
        return _("système (règle « %(name)s »)") % {"name": self.rule_name}

    def commune_ids(self, permission: str) -> frozenset[int]:
        return frozenset({self.commune_id}) if permission == Permission.OPERATIONS_LOG else frozenset()

    def can(self, permission: str, commune_id: int | None) -> bool:
        return permission == Permission.OPERATIONS_LOG and commune_id == self.commune_id

    def require(self, permission: str, commune_id: int | None) -> None:
        if not self.can(permission, commune_id):
            raise PermissionDeniedError()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def alarm_event(alarm: Alarm) -> AlarmChanged:
    """The live event of an alarm's current state (its rule and device loaded)."""
    device = alarm.device
    return AlarmChanged(
        id=alarm.pk, commune_id=alarm.commune_id, rule=alarm.rule.name, rule_id=alarm.rule_id,
        device_id=alarm.device_id, device_name=device.name if device else "", severity=alarm.severity,
        severity_label=str(Severity(alarm.severity).label), state=alarm.state,
        state_label=str(AlarmState(alarm.state).label), message=alarm.message, value=alarm.value,
        raised_at=alarm.raised_at.isoformat(), acknowledged_at=_iso(alarm.acknowledged_at),
        cleared_at=_iso(alarm.cleared_at), resolved_at=_iso(alarm.resolved_at),
        lat=device.lat if device else None, lon=device.lon if device else None, intervention_id=alarm.intervention_id)


def _reload(alarm_id: int, *, lock: bool = False) -> Alarm:
    rows = Alarm.objects.select_related("rule", "device", "commune")
    if lock:
        rows = rows.select_for_update(of=("self",), no_key=True)
    return rows.get(pk=alarm_id)


def _step(alarm: Alarm, kind: str, *, at: datetime, by=None, note: str = "") -> None:
    AlarmStep.objects.create(alarm=alarm, kind=kind, at=at, by=by, note=note[:NOTE_MAX_LENGTH])


def _publish(alarm: Alarm) -> None:
    publish_on_commit(alarm_event(alarm), commune_id=alarm.commune_id)


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ApplicationError(message=_("Note : %(limit)s caractères au plus.") % {"limit": NOTE_MAX_LENGTH},
                               details={"field": "note", "length": len(note), "max": NOTE_MAX_LENGTH})
    return note


# --- Device state -------------------------------------------------------------------------------


def device_states_refresh(device_ids: Iterable[int]) -> None:
    """Colour the devices by their open alarms whose condition holds: silent first, then in alarm, else normal."""
    ids = sorted(set(device_ids))
    if not ids:
        return
    wanted: dict[int, str] = {}
    for device_id, kind in (Alarm.objects.filter(device_id__in=ids, resolved_at__isnull=True, cleared_at__isnull=True)
                            .values_list("device_id", "rule__kind")):
        if kind == RuleKind.SILENCE:
            wanted[device_id] = DeviceState.OFFLINE
        else:
            wanted.setdefault(device_id, DeviceState.ALARM)
    for device_id, commune_id, name, state in (Device.objects.filter(pk__in=ids).exclude(state=DeviceState.DISABLED)
                                               .values_list("id", "commune_id", "name", "state")):
        target = wanted.get(device_id, DeviceState.OK if state != DeviceState.UNKNOWN else DeviceState.UNKNOWN)
        if target != state:
            Device.objects.filter(pk=device_id).update(state=target)  # health fields: never save()
            publish_on_commit(DeviceStateChanged(device_id=device_id, commune_id=commune_id, name=name, state=target,
                                                 state_label=str(DeviceState(target).label)), commune_id=commune_id)


# --- Machine steps ------------------------------------------------------------------------------


def alarm_raise(*, verdict: Verdict, now: datetime) -> Alarm | None:
    """Raise the alarm of a rule and subject, inside the caller's transaction; None when it was open already
    (raised by another worker, or still raised). Opens an intervention when the rule says so."""
    try:
        with transaction.atomic():  # a savepoint: the unique index may refuse the row
            created = Alarm.objects.create(
                commune_id=verdict.commune_id, rule_id=verdict.rule_id, device_id=verdict.device_id,
                subject=verdict.subject, severity=verdict.severity, state=AlarmState.RAISED,
                message=verdict.message[:300], value=verdict.value, raised_at=now)
    except IntegrityError:
        return _raise_again(verdict, now)
    _step(created, AlarmStepKind.RAISED, at=now, note=verdict.message)
    alarm = _reload(created.pk)
    if verdict.device_id is not None:
        device_states_refresh([verdict.device_id])
    if verdict.opens_intervention:
        _open_automatically(alarm, now)
    _publish(alarm)
    return alarm


def _raise_again(verdict: Verdict, now: datetime) -> Alarm | None:
    """The open alarm exists: raise it again when its condition had gone, else leave it."""
    open_alarm = (Alarm.objects.select_for_update(no_key=True).filter(rule_id=verdict.rule_id, subject=verdict.subject,
                                                          resolved_at__isnull=True).first())
    if open_alarm is None or open_alarm.cleared_at is None:
        return None
    Alarm.objects.filter(pk=open_alarm.pk).update(cleared_at=None, value=verdict.value,
                                                  message=verdict.message[:300])
    _step(open_alarm, AlarmStepKind.RAISED, at=now, note=_("La condition est revenue. %(message)s")
          % {"message": verdict.message})
    alarm = _reload(open_alarm.pk)
    if alarm.device_id is not None:
        device_states_refresh([alarm.device_id])
    _publish(alarm)
    return alarm


def alarm_clear(*, rule_id: int, subject: str, value: float | None, now: datetime, note: str = "") -> Alarm | None:
    """The condition of the open alarm of a rule and subject has gone: mark it, and resolve it when someone had
    acknowledged it already. None when no open alarm waits for this (resolved by hand, or cleared already)."""
    alarm = (Alarm.objects.select_for_update(no_key=True)
             .filter(rule_id=rule_id, subject=subject, resolved_at__isnull=True, cleared_at__isnull=True).first())
    if alarm is None:
        return None
    changes: dict[str, object] = {"cleared_at": now}
    _step(alarm, AlarmStepKind.CLEARED, at=now, note=note)
    if alarm.acknowledged_at is not None:
        changes.update(resolved_at=now, state=AlarmState.RESOLVED)
        _step(alarm, AlarmStepKind.RESOLVED, at=now,
              note=_("Condition disparue après la prise en compte : alarme résolue automatiquement."))
    Alarm.objects.filter(pk=alarm.pk).update(**changes)
    alarm = _reload(alarm.pk)
    if alarm.device_id is not None:
        device_states_refresh([alarm.device_id])
    _publish(alarm)
    return alarm


def alarm_escalate(*, alarm_id: int, now: datetime) -> bool:
    """Call the chefs de poste about an alarm nobody acknowledged; claimed with a conditional update, so two
    sweepers never escalate it twice. True when this call escalated it."""
    with transaction.atomic():
        claimed = Alarm.objects.filter(pk=alarm_id, escalated_at__isnull=True, acknowledged_at__isnull=True,
                                       resolved_at__isnull=True).update(escalated_at=now)
        if not claimed:
            return False
        alarm = _reload(alarm_id)
        minutes = alarm.rule.escalate_after_min or 0
        _step(alarm, AlarmStepKind.ESCALATED, at=now,
              note=_("Non prise en compte après %(minutes)s min : chefs de poste prévenus.") % {"minutes": minutes})
        device = alarm.device
        publish_on_commit(AlarmEscalated(
            id=alarm.pk, commune_id=alarm.commune_id, rule=alarm.rule.name, device_id=alarm.device_id,
            device_name=device.name if device else "", severity=alarm.severity,
            severity_label=str(Severity(alarm.severity).label), message=alarm.message,
            raised_at=alarm.raised_at.isoformat(), escalated_at=now.isoformat(), minutes=minutes),
            commune_id=alarm.commune_id)
        _publish(alarm)
    return True


# --- Operators' steps ---------------------------------------------------------------------------


def _for_handling(actor: Actor, alarm_id: int) -> Alarm:
    """The alarm, locked, if the actor sees it (else "not found") and may handle it (else "permission denied")."""
    seen = alarm_get_for_actor(actor=actor, alarm_id=alarm_id)
    require_visible(actor, seen.commune_id, Permission.DEVICES_HANDLE)
    alarm = _reload(alarm_id, lock=True)
    if alarm.resolved_at is not None:
        raise DevicesError(DevicesErrorCode.ALARM_RESOLVED, _("Cette alarme est déjà résolue."), status_code=409,
                           details={"alarm_id": alarm_id})
    return alarm


def _resolve(alarm: Alarm, *, by, now: datetime, note: str) -> None:
    Alarm.objects.filter(pk=alarm.pk).update(resolved_at=now, state=AlarmState.RESOLVED)
    _step(alarm, AlarmStepKind.RESOLVED, at=now, by=by, note=note)


@transaction.atomic
def alarm_acknowledge(*, actor: Actor, alarm_id: int, note: str = "", now: datetime | None = None) -> Alarm:
    """An operator takes the alarm in account (who, when, a note); an alarm whose condition has gone is resolved
    at the same time."""
    now = now or timezone.now()
    note = _check_note(note)
    alarm = _for_handling(actor, alarm_id)
    if alarm.acknowledged_at is not None:
        raise DevicesError(DevicesErrorCode.ALARM_ALREADY_ACKNOWLEDGED,
                           _("Cette alarme a déjà été prise en compte."), status_code=409,
                           details={"alarm_id": alarm_id})
    Alarm.objects.filter(pk=alarm.pk).update(state=AlarmState.ACKNOWLEDGED, acknowledged_at=now,
                                             acknowledged_by=actor.agent)
    _step(alarm, AlarmStepKind.ACKNOWLEDGED, at=now, by=actor.agent, note=note)
    resolved = alarm.cleared_at is not None
    if resolved:
        _resolve(alarm, by=actor.agent, now=now, note=_("Condition déjà disparue : alarme résolue."))
    audit_record(actor=actor, action="devices.alarm_acknowledge", target=alarm, commune_id=alarm.commune_id,
                 extra={"rule": alarm.rule.name, "subject": alarm.subject, "note": note, "resolved": resolved})
    alarm = _reload(alarm.pk)
    _publish(alarm)
    return alarm


@transaction.atomic
def alarm_resolve(*, actor: Actor, alarm_id: int, note: str = "", now: datetime | None = None) -> Alarm:
    """An operator closes the alarm (handled, or a false alarm); the device goes back to normal."""
    now = now or timezone.now()
    note = _check_note(note)
    alarm = _for_handling(actor, alarm_id)
    _resolve(alarm, by=actor.agent, now=now, note=note)
    audit_record(actor=actor, action="devices.alarm_resolve", target=alarm, commune_id=alarm.commune_id,
                 extra={"rule": alarm.rule.name, "subject": alarm.subject, "note": note,
                        "condition_present": alarm.cleared_at is None})
    if alarm.device_id is not None:
        device_states_refresh([alarm.device_id])
    alarm = _reload(alarm.pk)
    _publish(alarm)
    return alarm


# --- Interventions ------------------------------------------------------------------------------


def _intervention_type(alarm: Alarm) -> InterventionType | None:
    codes = [code for code in (alarm.rule.intervention_type_code, *DEFAULT_INTERVENTION_TYPE_CODES) if code]
    types = {kind.code: kind for kind in InterventionType.objects.filter(commune_id=alarm.commune_id, code__in=codes,
                                                                         active=True)}
    return next((types[code] for code in codes if code in types), None)


def _open(alarm: Alarm, *, actor, kind: InterventionType, now: datetime) -> Alarm:
    """Open the intervention at the sensor, with a text naming the alarm; link it and append the step."""
    device = alarm.device
    if device is None:
        raise DevicesError(DevicesErrorCode.DEVICE_UNKNOWN, _("Le capteur de cette alarme n'existe plus."))
    description = _("Alarme capteur n° %(id)s (règle « %(rule)s ») : %(message)s") % {
        "id": alarm.pk, "rule": alarm.rule.name, "message": alarm.message}
    intervention = intervention_create(actor=actor, commune_id=alarm.commune_id, now=now, draft=InterventionDraft(
        type_id=kind.pk, lat=device.lat, lon=device.lon, origin=InterventionOrigin.ALARM,
        address=device.address or device.name, description=description,
        alarm_ref=_("alarme capteur n° %(id)s") % {"id": alarm.pk}))
    Alarm.objects.filter(pk=alarm.pk).update(intervention=intervention)
    _step(alarm, AlarmStepKind.INTERVENTION, at=now, by=getattr(actor, "agent", None),
          note=_("Intervention %(number)s ouverte.") % {"number": intervention.number})
    return _reload(alarm.pk)


def _open_automatically(alarm: Alarm, now: datetime) -> None:
    """The rule opens an intervention by itself; whatever goes wrong (no intervention type, a sensor placed
    outside its commune) is logged and leaves the alarm, and the measurements that raised it, stored."""
    kind = _intervention_type(alarm)
    if kind is None:
        logger.warning("alarm %s: no intervention type in commune %s", alarm.pk, alarm.commune_id)
        return
    try:
        with transaction.atomic():
            _open(alarm, actor=RuleActor(rule_name=alarm.rule.name, commune_id=alarm.commune_id), kind=kind, now=now)
    except ApplicationError as error:
        logger.warning("alarm %s: automatic intervention refused: %s", alarm.pk, error)
    alarm.refresh_from_db(fields=["intervention"])


@transaction.atomic
def alarm_open_intervention(*, actor: Actor, alarm_id: int, now: datetime | None = None) -> Alarm:
    """One click: an intervention at the sensor, of the rule's type (or the commune's sensor/alarm type)."""
    now = now or timezone.now()
    alarm = _for_handling(actor, alarm_id)
    if alarm.intervention_id is not None:
        raise DevicesError(DevicesErrorCode.ALARM_HAS_INTERVENTION,
                           _("Une intervention est déjà ouverte pour cette alarme."), status_code=409,
                           details={"alarm_id": alarm_id, "intervention_id": alarm.intervention_id})
    kind = _intervention_type(alarm)
    if kind is None:
        raise DevicesError(DevicesErrorCode.RULE_INVALID,
                           _("Aucun type d'intervention pour les alarmes dans cette commune : créez le type "
                             "« %(code)s » ou indiquez-en un dans la règle.")
                           % {"code": DEFAULT_INTERVENTION_TYPE_CODES[0]})
    alarm = _open(alarm, actor=actor, kind=kind, now=now)
    audit_record(actor=actor, action="devices.alarm_open_intervention", target=alarm, commune_id=alarm.commune_id,
                 extra={"rule": alarm.rule.name, "intervention_id": alarm.intervention_id})
    _publish(alarm)
    return alarm


def rules_with_escalation() -> list[Rule]:
    """The active rules that escalate, for the sweep."""
    return list(Rule.objects.filter(active=True, escalate_after_min__isnull=False))
