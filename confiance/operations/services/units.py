"""Unit writes: status codes, engagements on interventions (assignments) and their write-once milestones."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.live import publish_on_commit
from confiance.operations.access import may_drive, require_visible, units_shareable
from confiance.operations.choices import (
    ASSIGNMENT_STEP_LABELS,
    ASSIGNMENT_STEPS,
    STEP_MILESTONE,
    InterventionStatus,
    Milestone,
)
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.events import UnitChanged
from confiance.operations.models import Assignment, Intervention, Unit, UnitStatus
from confiance.operations.payloads import unit_payload
from confiance.operations.push import push_notify_assignment
from confiance.operations.selectors import status_for_milestone
from confiance.operations.services.common import (
    check_text,
    check_time,
    intervention_changed,
    intervention_locked,
    now_utc,
)
from confiance.privacy.services import audit_record

ENGAGED_MILESTONES = (Milestone.ENGAGED, Milestone.EN_ROUTE, Milestone.ON_SCENE)


def unit_publish(unit: Unit) -> None:
    """Publish a unit's current state after commit (consoles and the dispatch index follow it)."""
    unit = Unit.objects.select_related("status", "commune").get(pk=unit.pk)
    publish_on_commit(UnitChanged(**unit_payload(unit)), commune_id=unit.commune_id)


def _set_milestone(unit: Unit, milestone: str, now: datetime) -> None:
    status = status_for_milestone(unit.commune_id, milestone)
    if status is None:
        raise OperationsError(
            OperationsErrorCode.STATUS_NOT_CONFIGURED,
            _("Aucun code de statut de %(commune)s ne correspond à « %(milestone)s ».")
            % {"commune": unit.commune, "milestone": Milestone(milestone).label})
    Unit.objects.filter(pk=unit.pk).update(status=status, milestone=milestone, status_at=now)
    unit.status, unit.milestone, unit.status_at = status, milestone, now


def _status_of(unit: Unit, status_code: str) -> UnitStatus:
    status = UnitStatus.objects.filter(commune_id=unit.commune_id, code=status_code).first()
    if status is None:
        raise OperationsError(OperationsErrorCode.STATUS_UNKNOWN,
                              _("Code de statut inconnu : %(code)s.") % {"code": status_code})
    return status


def _follow_status(actor: Actor, unit: Unit, status: UnitStatus, now: datetime) -> None:
    """A status code that is also a milestone writes it on the current engagement."""
    current = Assignment.objects.filter(unit=unit, finished_at__isnull=True).select_related("intervention").first()
    step = {Milestone.EN_ROUTE.value: "en_route_at", Milestone.ON_SCENE.value: "on_scene_at"}.get(status.milestone)
    if current is not None and step is not None:
        milestone_write(actor, current, step, now, now=now)
    elif current is not None and status.milestone == Milestone.AVAILABLE:
        milestone_write(actor, current, "finished_at", now, now=now)
    elif status.milestone in ENGAGED_MILESTONES:
        raise OperationsError(OperationsErrorCode.UNIT_NOT_ENGAGED,
                              _("Ce statut suppose un engagement : engagez l'unité sur une intervention."),
                              status_code=409)


@transaction.atomic
def unit_set_status(*, actor: Actor, unit: Unit, status_code: str, now: datetime | None = None) -> Unit:
    """Set a unit's status code. The assignment milestones (engagé, en route, sur place) follow their own path."""
    now = now or now_utc()
    if not may_drive(actor, unit):
        require_visible(actor, unit.commune_id, Permission.OPERATIONS_DISPATCH)
    unit = Unit.objects.select_for_update(no_key=True).get(pk=unit.pk)
    status = _status_of(unit, status_code)
    _follow_status(actor, unit, status, now)
    Unit.objects.filter(pk=unit.pk).update(status=status, milestone=status.milestone, status_at=now)
    audit_record(actor=actor, action="operations.unit_status", target=unit, commune_id=unit.commune_id,
                 extra={"status": status.code, "milestone": status.milestone})
    unit_publish(unit)
    return Unit.objects.select_related("status", "commune").get(pk=unit.pk)


# --- Assignments ------------------------------------------------------------------------------


def _check_engageable(unit: Unit, intervention: Intervention, override_reason: str) -> None:
    if not unit.active or not units_shareable(unit.commune_id, intervention.commune_id):
        raise OperationsError(OperationsErrorCode.UNIT_OUT_OF_REACH,
                              _("L'unité %(unit)s n'intervient pas à %(commune)s (ni convention de mise en commun "
                                "en vigueur, ni mode crise).")
                              % {"unit": unit.name, "commune": intervention.commune.name}, status_code=409)
    if unit.milestone in (Milestone.OFF_DUTY, Milestone.UNAVAILABLE) and not override_reason.strip():
        raise OperationsError(OperationsErrorCode.UNIT_UNAVAILABLE,
                              _("L'unité %(unit)s est « %(milestone)s ».")
                              % {"unit": unit.name, "milestone": Milestone(unit.milestone).label}, status_code=409)


def _end_current(unit: Unit, intervention: Intervention, override_reason: str, now: datetime) -> Assignment | None:
    """End the unit's current engagement elsewhere (an override with its reason), or refuse."""
    current = Assignment.objects.filter(unit=unit, finished_at__isnull=True).select_related("intervention").first()
    if current is None:
        return None
    if current.intervention_id == intervention.pk:
        raise OperationsError(OperationsErrorCode.UNIT_ENGAGED,
                              _("L'unité %(unit)s est déjà engagée sur cette intervention.") % {"unit": unit.name},
                              status_code=409)
    if not override_reason:
        raise OperationsError(OperationsErrorCode.UNIT_ENGAGED,
                              _("L'unité %(unit)s est déjà engagée sur %(number)s. Réaffectez-la en indiquant le "
                                "motif.") % {"unit": unit.name, "number": current.intervention.number},
                              details={"current_intervention": current.intervention.number}, status_code=409)
    Assignment.objects.filter(pk=current.pk).update(finished_at=now, ended_by_override=True)
    return current


def _create_assignment(actor: Actor, intervention: Intervention, unit: Unit, override_reason: str,
                       recommended_rank: int | None, now: datetime) -> Assignment:
    try:
        with transaction.atomic():
            return Assignment.objects.create(intervention=intervention, unit=unit, engaged_at=now,
                                             engaged_by=actor.agent, override_reason=override_reason,
                                             recommended_rank=recommended_rank)
    except IntegrityError:
        raise OperationsError(OperationsErrorCode.UNIT_ENGAGED,
                              _("L'unité %(unit)s vient d'être engagée par un autre opérateur.") % {"unit": unit.name},
                              status_code=409) from None


@transaction.atomic
def assignment_engage(*, actor: Actor, intervention: Intervention, unit: Unit, override_reason: str = "",
                      recommended_rank: int | None = None, now: datetime | None = None) -> Assignment:
    """Engage a unit. A unit already engaged needs an explicit override (with its reason); the database
    refuses a second current engagement, so two operators engaging the same unit at once cannot both win."""
    now = now or now_utc()
    require_visible(actor, intervention.commune_id, Permission.OPERATIONS_DISPATCH)
    intervention = intervention_locked(intervention)
    unit = Unit.objects.select_for_update(of=("self",), no_key=True).select_related("commune").get(pk=unit.pk)
    _check_engageable(unit, intervention, override_reason)
    override_reason = check_text(override_reason, _("Motif de réaffectation"), limit=300)
    current = _end_current(unit, intervention, override_reason, now)
    assignment = _create_assignment(actor, intervention, unit, override_reason, recommended_rank, now)
    _set_milestone(unit, Milestone.ENGAGED, now)
    intervention_follow_assignments(intervention, now)
    # Audit before publishing (lock order, core/transactions.py).
    audit_record(actor=actor, action="operations.engage", target=intervention, commune_id=intervention.commune_id,
                 extra={"unit": unit.name, "override": override_reason, "recommended_rank": recommended_rank,
                        "replaced": current.intervention.number if current else ""})
    if current is not None:  # the intervention the unit left may have no unit left
        intervention_follow_assignments(current.intervention, now, publish=True)
    intervention_changed(intervention)
    unit_publish(unit)
    push_notify_assignment(unit=unit, number=intervention.number, label=intervention.intervention_type.label,
                           address=intervention.address)  # the field page's Web Push when it is closed
    return assignment


def intervention_follow_assignments(intervention: Intervention, now: datetime, *, publish: bool = False) -> bool:
    """The state of an intervention that is not closed follows its engagements: "en cours" while a unit is
    engaged on it, "ouverte" (waiting for a unit) once none is, its first engagement included. Returns whether it
    changed; `publish` sends the change to the consoles (callers that publish it themselves leave it off)."""
    if intervention.status == InterventionStatus.CLOSED:
        return False
    engaged = Assignment.objects.filter(intervention_id=intervention.pk, finished_at__isnull=True).exists()
    wanted = InterventionStatus.IN_PROGRESS if engaged else InterventionStatus.OPEN
    if intervention.status == wanted:
        return False
    intervention.status, intervention.updated_at = wanted, now
    Intervention.objects.filter(pk=intervention.pk).exclude(status=InterventionStatus.CLOSED).update(
        status=wanted, updated_at=now)
    if publish:
        intervention_changed(intervention)
    return True


def _check_milestone(assignment: Assignment, step: str, at: datetime, now: datetime) -> None:
    if step not in ASSIGNMENT_STEPS or step == "engaged_at":
        raise OperationsError(OperationsErrorCode.MILESTONE_UNKNOWN, _("Jalon inconnu."), details={"step": step})
    label = str(ASSIGNMENT_STEP_LABELS[step])
    if getattr(assignment, step) is not None:
        raise OperationsError(OperationsErrorCode.MILESTONE_WRITTEN,
                              _("Le jalon « %(step)s » est déjà enregistré.") % {"step": label}, status_code=409)
    check_time(at, now=now, label=label)
    index = ASSIGNMENT_STEPS.index(step)
    previous = [getattr(assignment, name) for name in ASSIGNMENT_STEPS[:index] if getattr(assignment, name)]
    later = [name for name in ASSIGNMENT_STEPS[index + 1:] if getattr(assignment, name)]
    if later or (previous and at < max(previous)):
        raise OperationsError(OperationsErrorCode.MILESTONE_ORDER,
                              _("« %(step)s » ne peut pas précéder un jalon déjà enregistré.") % {"step": label},
                              status_code=409)


def milestone_write(actor: Actor, assignment: Assignment, step: str, at: datetime, *, now: datetime,
                    follow: bool = True) -> None:
    """Write one milestone of an engagement (once, in order) and move the unit to the matching status; `follow`
    off leaves the intervention's state to the caller (closing it)."""
    _check_milestone(assignment, step, at, now)
    setattr(assignment, step, at)
    # Write once: the update only applies while the column is still empty.
    written = Assignment.objects.filter(pk=assignment.pk, **{f"{step}__isnull": True}).update(**{step: at})
    if not written:
        raise OperationsError(OperationsErrorCode.MILESTONE_WRITTEN, _("Jalon déjà enregistré."), status_code=409)
    _set_milestone(assignment.unit, STEP_MILESTONE[step], now)
    audit_record(actor=actor, action="operations.milestone", target=assignment.intervention,
                 commune_id=assignment.intervention.commune_id,
                 extra={"unit": assignment.unit.name, "step": step, "at": at.isoformat()})
    if step == "finished_at" and follow:  # the last unit leaving puts the intervention back to waiting
        intervention_follow_assignments(assignment.intervention, now, publish=True)


@transaction.atomic
def assignment_milestone(*, actor: Actor, assignment: Assignment, step: str, at: datetime | None = None,
                         now: datetime | None = None) -> Assignment:
    """Record en route / sur place / terminé, once each and in order, never in the future."""
    now = now or now_utc()
    assignment = (Assignment.objects.select_for_update(of=("self", "unit", "intervention"), no_key=True)
                  .select_related("unit", "intervention").get(pk=assignment.pk))
    if not may_drive(actor, assignment.unit):
        require_visible(actor, assignment.intervention.commune_id, Permission.OPERATIONS_DISPATCH)
    milestone_write(actor, assignment, step, at or now, now=now)
    unit_publish(assignment.unit)
    return assignment
