"""Intervention writes: opening one (checklist copied from its type), its steps, its closure."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.live import publish_on_commit
from confiance.operations.access import handles_intervention
from confiance.operations.choices import ClosureReason, InterventionOrigin, InterventionStatus, Priority
from confiance.operations.drafts import InterventionDraft
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.events import InterventionCreated, StepSkipped
from confiance.operations.models import ChecklistStep, Intervention, InterventionStep, InterventionType, LogEntry, Unit
from confiance.operations.services.common import (
    check_point,
    check_sensitive,
    check_text,
    intervention_changed,
    intervention_locked,
    next_number,
    now_utc,
)
from confiance.operations.services.units import assignment_engage, milestone_write, unit_publish
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record, audit_record
from confiance.reports.selectors import reports_exist_in_commune
from confiance.territory.models import Commune
from confiance.territory.selectors import locate_point

PHONE = re.compile(r"\+?[0-9 .()\-]{2,40}")


def _kind_and_priority(commune: Commune, draft: InterventionDraft) -> tuple[InterventionType, int]:
    kind = InterventionType.objects.filter(pk=draft.type_id, commune=commune, active=True).first()
    if kind is None:
        raise OperationsError(OperationsErrorCode.TYPE_UNKNOWN, _("Type d'intervention inconnu dans cette commune."),
                              details={"type_id": draft.type_id})
    if draft.origin not in InterventionOrigin.values:
        raise OperationsError(OperationsErrorCode.ORIGIN_UNKNOWN, _("Origine inconnue."),
                              details={"origin": draft.origin})
    priority = draft.priority if draft.priority is not None else kind.priority
    if priority not in Priority.values:
        raise OperationsError(OperationsErrorCode.PRIORITY_UNKNOWN, _("Priorité inconnue (1, 2 ou 3)."),
                              details={"priority": priority})
    return kind, priority


def _check_in_commune(commune: Commune, draft: InterventionDraft) -> None:
    check_point(draft.lat, draft.lon, required=True)
    located = locate_point(lat=draft.lat, lon=draft.lon).commune_id
    if located is not None and located != commune.pk:
        other = Commune.objects.get(pk=located)
        raise OperationsError(
            OperationsErrorCode.LOCATION_OUTSIDE_COMMUNE,
            _("Ce lieu est à %(other)s (%(code)s), pas à %(commune)s : choisissez la bonne commune.")
            % {"other": other.name, "code": other.insee_code, "commune": commune.name},
            details={"commune": other.insee_code})


def _links(commune: Commune, draft: InterventionDraft) -> tuple[list[int], LogEntry | None]:
    report_ids = sorted({int(pk) for pk in draft.report_ids})
    if report_ids and not reports_exist_in_commune(report_ids, commune.pk):
        raise OperationsError(OperationsErrorCode.LINK_INVALID, _("Signalement inconnu dans cette commune."),
                              details={"report_ids": report_ids})
    log_entry = None
    if draft.log_entry_id is not None:
        log_entry = LogEntry.objects.filter(pk=draft.log_entry_id, commune=commune).first()
        if log_entry is None:
            raise OperationsError(OperationsErrorCode.LINK_INVALID, _("Entrée de main courante inconnue."))
    return report_ids, log_entry


def _check_phone(phone: str) -> str:
    """A telephone number as people write it: digits, spaces, dots, dashes, parentheses, a leading +."""
    phone = check_text(phone, _("Téléphone du requérant"), limit=40)
    if phone and (not PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 2):
        raise OperationsError(OperationsErrorCode.PHONE_INVALID,
                              _("Téléphone du requérant : chiffres, espaces, points, tirets ou « + » seulement."),
                              details={"field": "caller_phone"})
    return phone


def _copy_checklist(intervention: Intervention, kind: InterventionType) -> None:
    InterventionStep.objects.bulk_create([
        InterventionStep(intervention=intervention, step=step, label=step.label, mandatory=step.mandatory)
        for step in ChecklistStep.objects.filter(intervention_type=kind).order_by("position", "id")])


def _auto_dispatch(actor: Actor, intervention: Intervention, now: datetime) -> None:
    """Opt-in: engage the first recommended unit at once (the operator can still reassign)."""
    from confiance.operations.dispatch import recommend

    result = recommend(intervention=intervention, limit=1, now=now, from_database=True)  # inside our transaction
    if result.candidates:
        assignment_engage(actor=actor, intervention=intervention, now=now, recommended_rank=1,
                          unit=Unit.objects.get(pk=result.candidates[0].unit_id))


@transaction.atomic
def intervention_create(*, actor: Actor, commune_id: int, draft: InterventionDraft,
                        now: datetime | None = None) -> Intervention:
    """Open an intervention in a commune, at a point inside it, with its type's checklist."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_LOG, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    kind, priority = _kind_and_priority(commune, draft)
    _check_in_commune(commune, draft)
    description = check_text(draft.description, _("Description"))
    address = check_text(draft.address, _("Adresse"), limit=300)
    found = check_sensitive([description, address], draft.acknowledge_sensitive)
    report_ids, log_entry = _links(commune, draft)
    intervention = Intervention.objects.create(
        commune=commune, number=next_number(commune, "intervention", "INT", now), intervention_type=kind,
        purpose=kind.purpose, origin=draft.origin, priority=priority, description=description, address=address,
        lat=draft.lat, lon=draft.lon, report_ids=report_ids,
        alarm_ref=check_text(draft.alarm_ref, _("Alarme"), limit=100), log_entry=log_entry, created_by=actor.agent,
        created_at=now, updated_at=now, caller_name=check_text(draft.caller_name, _("Nom du requérant"), limit=120),
        caller_phone=_check_phone(draft.caller_phone))
    if log_entry is not None and log_entry.intervention_id is None:
        LogEntry.objects.filter(pk=log_entry.pk).update(intervention=intervention)
    _copy_checklist(intervention, kind)
    audit_record(actor=actor, action="operations.intervention_create", target=intervention, commune_id=commune_id,
                 extra={"number": intervention.number, "priority": priority, "origin": draft.origin,
                        "reports": report_ids, "sensitive_confirmed": [m["category"] for m in found]})
    publish_on_commit(InterventionCreated(
        intervention_id=intervention.pk, number=intervention.number, type=kind.label, priority=priority,
        priority_label=str(Priority(priority).label), lat=intervention.lat, lon=intervention.lon,
        address=intervention.address, urgent=priority == Priority.URGENT), commune_id=commune_id)
    if settings.CONFIANCE_AUTO_DISPATCH and actor.can(Permission.OPERATIONS_DISPATCH, commune_id):
        _auto_dispatch(actor, intervention, now)
    return intervention


def _step_of(intervention: Intervention, step_id: int) -> InterventionStep:
    step = InterventionStep.objects.filter(pk=step_id, intervention=intervention).first()
    if step is None:
        raise NotFoundError()
    return step


@transaction.atomic
def intervention_step_done(*, actor: Actor, intervention: Intervention, step_id: int,
                           now: datetime | None = None) -> InterventionStep:
    """Tick a checklist step (once)."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_LOG, intervention.commune_id)
    intervention = intervention_locked(intervention)
    step = _step_of(intervention, step_id)
    if step.done_at is None:
        step.done_at, step.skipped, step.skip_reason, step.by = now, False, "", actor.agent
        step.skipped_at = None
        step.save(update_fields=["done_at", "skipped", "skipped_at", "skip_reason", "by"])
        audit_record(actor=actor, action="operations.step_done", target=intervention,
                     commune_id=intervention.commune_id, extra={"step": step.label})
    return step


@transaction.atomic
def intervention_step_skip(*, actor: Actor, intervention: Intervention, step_id: int, reason: str,
                           now: datetime | None = None) -> InterventionStep:
    """Skip a step; skipping a mandatory one notifies the chefs de poste (live event, audit)."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_LOG, intervention.commune_id)
    intervention = intervention_locked(intervention)
    step = _step_of(intervention, step_id)
    reason = check_text(reason, _("Raison"), limit=300)
    if step.mandatory and not reason:
        raise OperationsError(OperationsErrorCode.SKIP_REASON_MISSING,
                              _("Indiquez pourquoi cette étape obligatoire est sautée."))
    step.done_at, step.skipped, step.skip_reason, step.by = None, True, reason, actor.agent
    step.skipped_at = now
    step.save(update_fields=["done_at", "skipped", "skipped_at", "skip_reason", "by"])
    audit_record(actor=actor, action="operations.step_skip", target=intervention, commune_id=intervention.commune_id,
                 extra={"step": step.label, "mandatory": step.mandatory, "reason": reason})
    if step.mandatory:
        publish_on_commit(StepSkipped(intervention_id=intervention.pk, number=intervention.number, step=step.label,
                                      reason=reason, agent=actor.label), commune_id=intervention.commune_id)
    return step


def _check_closable(intervention: Intervention, reason: str) -> None:
    if reason not in ClosureReason.values:
        raise OperationsError(OperationsErrorCode.CLOSURE_INVALID, _("Motif de clôture inconnu."),
                              details={"reason": reason, "allowed": list(ClosureReason.values)})
    pending = list(intervention.steps.filter(mandatory=True, done_at__isnull=True, skipped=False)
                   .values_list("label", flat=True))
    if pending:
        raise OperationsError(
            OperationsErrorCode.STEPS_PENDING,
            _("Étapes obligatoires à faire ou à sauter (avec la raison) : %(steps)s.") % {"steps": ", ".join(pending)},
            details={"steps": pending}, status_code=409)


@transaction.atomic
def intervention_close(*, actor: Actor, intervention: Intervention, reason: str, note: str = "",
                       now: datetime | None = None) -> Intervention:
    """Close with a reason; mandatory steps must be done or skipped; current assignments end now."""
    now = now or now_utc()
    actor.require(Permission.OPERATIONS_LOG, intervention.commune_id)
    intervention = intervention_locked(intervention)
    _check_closable(intervention, reason)
    ended = list(intervention.assignments.filter(finished_at__isnull=True).select_related("unit"))
    for assignment in ended:
        milestone_write(actor, assignment, "finished_at", now, now=now, follow=False)
    intervention.status = InterventionStatus.CLOSED
    intervention.closure_reason = reason
    intervention.closure_note = check_text(note, _("Note de clôture"))
    intervention.closed_at = now
    intervention.updated_at = now
    intervention.save(update_fields=["status", "closure_reason", "closure_note", "closed_at", "updated_at"])
    audit_record(actor=actor, action="operations.intervention_close", target=intervention,
                 commune_id=intervention.commune_id, extra={"reason": reason})
    intervention_changed(intervention)
    for assignment in ended:  # the units are free again: consoles and the dispatch index learn it
        unit_publish(assignment.unit)
    return intervention


def intervention_caller_read(*, actor: Actor, intervention: Intervention) -> dict[str, str] | None:
    """The caller's name and phone for those who handle the intervention, each reading access-logged; None for
    anyone else (and when no caller was recorded, with nothing logged)."""
    if not handles_intervention(actor, intervention):
        return None
    if not (intervention.caller_name or intervention.caller_phone):
        return {"name": "", "phone": ""}
    access_log_record(actor=actor, target=intervention,
                      motive=_("Traitement de l'intervention %(number)s") % {"number": intervention.number},
                      extra={"fields": "caller", "intervention": intervention.number},
                      motive_code=AccessMotive.INTERVENTION)
    return {"name": intervention.caller_name, "phone": intervention.caller_phone}
