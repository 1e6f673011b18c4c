"""Writes of police operations: main courante, interventions, unit statuses, positions, assignments, crisis mode."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.geo import valid_lat_lon
from confiance.core.live import publish_on_commit
from confiance.operations.choices import (
    ASSIGNMENT_STEP_LABELS,
    ASSIGNMENT_STEPS,
    STEP_MILESTONE,
    ClosureReason,
    EntrySource,
    InterventionOrigin,
    InterventionStatus,
    Milestone,
    PersonRole,
    PositionSource,
    Priority,
)
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.events import (
    InterventionChanged,
    InterventionCreated,
    LogEntryCreated,
    StepSkipped,
    UnitChanged,
    UnitsMoved,
)
from confiance.operations.models import (
    TEXT_MAX_LENGTH,
    Assignment,
    ChecklistStep,
    Counter,
    CrisisSharing,
    Intervention,
    InterventionStep,
    InterventionType,
    LogEntry,
    LogPerson,
    Nature,
    RejectedPosition,
    Unit,
    UnitStatus,
)
from confiance.operations.selectors import (
    require_visible,
    status_for_milestone,
    unit_as_dict,
    units_shareable,
    visible_commune_ids,
)
from confiance.operations.sensitive import sensitive_matches
from confiance.privacy.services import audit_record
from confiance.reports.selectors import reports_exist_in_commune
from confiance.territory.models import Commune
from confiance.territory.selectors import locate_point

CLOCK_SKEW = timedelta(minutes=2)


def _now() -> datetime:
    return timezone.now()


def _check_time(moment: datetime, *, now: datetime, label: str) -> None:
    if timezone.is_naive(moment):
        raise OperationsError(OperationsErrorCode.TIME_INVALID, f"{label} : fuseau horaire manquant.")
    if moment > now + CLOCK_SKEW:
        raise OperationsError(OperationsErrorCode.TIME_INVALID, f"{label} : l'heure est dans le futur.",
                              details={"at": moment.isoformat()})


def _check_point(lat: float | None, lon: float | None, *, required: bool) -> None:
    if lat is None and lon is None and not required:
        return
    if lat is None or lon is None or not valid_lat_lon(lat, lon):
        raise OperationsError(OperationsErrorCode.LOCATION_INVALID, "Position invalide (latitude, longitude).",
                              details={"lat": lat, "lon": lon})


def _check_text(text: str, label: str, *, limit: int = TEXT_MAX_LENGTH) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise OperationsError(OperationsErrorCode.TEXT_TOO_LONG, f"{label} : {limit} caractères au plus.",
                              details={"length": len(text), "max": limit})
    return text


def _check_sensitive(texts: Sequence[str], acknowledged: bool) -> list[dict[str, str]]:
    """Warn about forbidden data categories; the agent must confirm to save anyway (the confirmation is kept)."""
    found = [match.as_dict() for match in sensitive_matches(*texts)]
    if found and not acknowledged:
        labels = sorted({match["category_label"] for match in found})
        raise OperationsError(
            OperationsErrorCode.SENSITIVE_DATA,
            "Le texte semble contenir des données interdites dans ce fichier (" + ", ".join(labels) + "). "
            "Reformulez, ou confirmez si le mot est employé dans un autre sens.",
            details={"matches": found}, status_code=422)
    return found


def _next_number(commune: Commune, kind: str, prefix: str, now: datetime) -> str:
    """Per-commune, per-year sequence (MC-2026-000123); the row lock serialises concurrent writers."""
    year = timezone.localtime(now).year
    Counter.objects.get_or_create(commune=commune, kind=kind, year=year)
    Counter.objects.filter(commune=commune, kind=kind, year=year).update(value=F("value") + 1)
    value = Counter.objects.get(commune=commune, kind=kind, year=year).value
    return f"{prefix}-{year}-{value:06d}"


# --- Main courante ------------------------------------------------------------------------------


@dataclass
class PersonDraft:
    role: str
    last_name: str
    first_name: str = ""
    birth_date: date | None = None
    address: str = ""
    phone: str = ""


@dataclass
class EntryDraft:
    nature_id: int
    source: str
    text: str
    occurred_at: datetime | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    persons: list[PersonDraft] = field(default_factory=list)
    intervention_id: int | None = None
    report_id: int | None = None
    acknowledge_sensitive: bool = False


def _clean_persons(persons: Sequence[PersonDraft]) -> list[LogPerson]:
    rows = []
    for index, person in enumerate(persons):
        if person.role not in PersonRole.values:
            raise OperationsError(OperationsErrorCode.PERSON_INVALID, f"Personne {index + 1} : qualité inconnue.")
        last_name = _check_text(person.last_name, f"Personne {index + 1}, nom", limit=100)
        if not last_name:
            raise OperationsError(OperationsErrorCode.PERSON_INVALID, f"Personne {index + 1} : le nom est requis.")
        if person.birth_date and person.birth_date > timezone.localdate():
            raise OperationsError(OperationsErrorCode.PERSON_INVALID,
                                  f"Personne {index + 1} : date de naissance dans le futur.")
        rows.append(LogPerson(role=person.role, last_name=last_name,
                              first_name=_check_text(person.first_name, "Prénom", limit=100),
                              birth_date=person.birth_date,
                              address=_check_text(person.address, "Adresse", limit=300),
                              phone=_check_text(person.phone, "Téléphone", limit=40)))
    return rows


def _entry_fields(commune: Commune, draft: EntryDraft, now: datetime) -> dict[str, Any]:
    if draft.source not in EntrySource.values:
        raise OperationsError(OperationsErrorCode.NATURE_UNKNOWN, "Source inconnue.", details={"source": draft.source})
    nature = Nature.objects.filter(pk=draft.nature_id, commune=commune, active=True).first()
    if nature is None:
        raise OperationsError(OperationsErrorCode.NATURE_UNKNOWN, "Nature inconnue dans cette commune.",
                              details={"nature_id": draft.nature_id})
    occurred_at = draft.occurred_at or now
    _check_time(occurred_at, now=now, label="Heure des faits")
    _check_point(draft.lat, draft.lon, required=False)
    text = _check_text(draft.text, "Texte")
    if not text:
        raise OperationsError(OperationsErrorCode.TEXT_TOO_LONG, "Le texte de l'entrée est vide.")
    intervention = None
    if draft.intervention_id is not None:
        intervention = Intervention.objects.filter(pk=draft.intervention_id, commune=commune).first()
        if intervention is None:
            raise OperationsError(OperationsErrorCode.LINK_INVALID, "Intervention inconnue dans cette commune.")
    if draft.report_id is not None and not reports_exist_in_commune([draft.report_id], commune.pk):
        raise OperationsError(OperationsErrorCode.LINK_INVALID, "Signalement inconnu dans cette commune.")
    return {"nature": nature, "purpose": nature.purpose, "occurred_at": occurred_at, "source": draft.source,
            "address": _check_text(draft.address, "Lieu", limit=300), "lat": draft.lat, "lon": draft.lon,
            "text": text, "intervention": intervention, "report_id": draft.report_id}


@transaction.atomic
def log_entry_create(*, actor: Actor, commune_id: int, draft: EntryDraft, corrects: LogEntry | None = None,
                     now: datetime | None = None) -> LogEntry:
    """Add a main courante entry; free text is checked for forbidden data categories first."""
    now = now or _now()
    actor.require(Permission.OPERATIONS_LOG, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    fields = _entry_fields(commune, draft, now)
    persons = _clean_persons(draft.persons)
    person_texts = [f"{p.last_name} {p.first_name} {p.address}" for p in persons]
    found = _check_sensitive([fields["text"], fields["address"], *person_texts], draft.acknowledge_sensitive)
    entry = LogEntry.objects.create(commune=commune, number=_next_number(commune, "log", "MC", now),
                                    corrects=corrects, sensitive_acknowledged=found, author=actor.agent,
                                    created_at=now, updated_at=now, **fields)
    for person in persons:
        person.entry = entry
    LogPerson.objects.bulk_create(persons)
    audit_record(actor=actor, action="operations.log_entry_create", target=entry, commune_id=commune_id,
                 extra={"number": entry.number, "persons": len(persons),
                        "corrects": corrects.number if corrects else "",
                        "sensitive_confirmed": [m["category"] for m in found]})
    publish_on_commit(LogEntryCreated(
        entry_id=entry.pk, number=entry.number, nature=entry.nature.label, source=entry.source,
        occurred_at=entry.occurred_at.isoformat(), address=entry.address, lat=entry.lat, lon=entry.lon,
        corrects=corrects.number if corrects else ""), commune_id=commune_id)
    return entry


def grace_period_open(entry: LogEntry, now: datetime | None = None) -> bool:
    return (now or _now()) - entry.created_at <= timedelta(minutes=settings.CONFIANCE_LOGBOOK_GRACE_MINUTES)


@transaction.atomic
def log_entry_edit(*, actor: Actor, entry: LogEntry, draft: EntryDraft, now: datetime | None = None) -> LogEntry:
    """Its author may still fix an entry during the grace period; after it, only a correction entry may."""
    now = now or _now()
    actor.require(Permission.OPERATIONS_LOG, entry.commune_id)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.author_id != actor.agent.pk:
        raise OperationsError(OperationsErrorCode.NOT_AUTHOR, "Seul l'auteur peut modifier son entrée.",
                              status_code=403)
    if not grace_period_open(entry, now):
        raise OperationsError(OperationsErrorCode.GRACE_PERIOD_OVER,
                              "Le délai de modification est passé : saisissez une entrée rectificative.",
                              status_code=409)
    fields = _entry_fields(entry.commune, draft, now)
    persons = _clean_persons(draft.persons)
    found = _check_sensitive([fields["text"], fields["address"],
                              *[f"{p.last_name} {p.first_name} {p.address}" for p in persons]],
                             draft.acknowledge_sensitive)
    before = {"text": entry.text, "nature": entry.nature.code, "occurred_at": entry.occurred_at.isoformat()}
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.sensitive_acknowledged = found
    entry.updated_at = now
    entry.save()
    entry.persons.all().delete()
    for person in persons:
        person.entry = entry
    LogPerson.objects.bulk_create(persons)
    audit_record(actor=actor, action="operations.log_entry_edit", target=entry, commune_id=entry.commune_id,
                 extra={"before": before, "persons": len(persons)})
    return entry


def log_entry_correct(*, actor: Actor, entry: LogEntry, draft: EntryDraft, now: datetime | None = None) -> LogEntry:
    """A new entry that corrects an earlier one (which stays as it was)."""
    return log_entry_create(actor=actor, commune_id=entry.commune_id, draft=draft, corrects=entry, now=now)


# --- Interventions ------------------------------------------------------------------------------


@dataclass
class InterventionDraft:
    type_id: int
    lat: float
    lon: float
    origin: str = InterventionOrigin.CALL
    priority: int | None = None
    address: str = ""
    description: str = ""
    report_ids: list[int] = field(default_factory=list)
    log_entry_id: int | None = None
    alarm_ref: str = ""
    acknowledge_sensitive: bool = False


@transaction.atomic
def intervention_create(*, actor: Actor, commune_id: int, draft: InterventionDraft,
                        now: datetime | None = None) -> Intervention:
    now = now or _now()
    actor.require(Permission.OPERATIONS_LOG, commune_id)
    commune = Commune.objects.get(pk=commune_id)
    kind = InterventionType.objects.filter(pk=draft.type_id, commune=commune, active=True).first()
    if kind is None:
        raise OperationsError(OperationsErrorCode.TYPE_UNKNOWN, "Type d'intervention inconnu dans cette commune.",
                              details={"type_id": draft.type_id})
    if draft.origin not in InterventionOrigin.values:
        raise OperationsError(OperationsErrorCode.TYPE_UNKNOWN, "Origine inconnue.", details={"origin": draft.origin})
    priority = draft.priority if draft.priority is not None else kind.priority
    if priority not in Priority.values:
        raise OperationsError(OperationsErrorCode.TYPE_UNKNOWN, "Priorité inconnue (1, 2 ou 3).")
    _check_point(draft.lat, draft.lon, required=True)
    located = locate_point(lat=draft.lat, lon=draft.lon).commune_id
    if located is not None and located != commune_id:
        other = Commune.objects.get(pk=located)
        raise OperationsError(OperationsErrorCode.LOCATION_INVALID,
                              f"Ce lieu est à {other.name} ({other.insee_code}), pas à {commune.name} : "
                              "choisissez la bonne commune.", details={"commune": other.insee_code})
    description = _check_text(draft.description, "Description")
    address = _check_text(draft.address, "Adresse", limit=300)
    found = _check_sensitive([description, address], draft.acknowledge_sensitive)
    report_ids = sorted({int(pk) for pk in draft.report_ids})
    if report_ids and not reports_exist_in_commune(report_ids, commune_id):
        raise OperationsError(OperationsErrorCode.LINK_INVALID, "Signalement inconnu dans cette commune.",
                              details={"report_ids": report_ids})
    log_entry = None
    if draft.log_entry_id is not None:
        log_entry = LogEntry.objects.filter(pk=draft.log_entry_id, commune=commune).first()
        if log_entry is None:
            raise OperationsError(OperationsErrorCode.LINK_INVALID, "Entrée de main courante inconnue.")
    intervention = Intervention.objects.create(
        commune=commune, number=_next_number(commune, "intervention", "INT", now), intervention_type=kind,
        purpose=kind.purpose, origin=draft.origin, priority=priority, description=description, address=address,
        lat=draft.lat, lon=draft.lon, report_ids=report_ids,
        alarm_ref=_check_text(draft.alarm_ref, "Alarme", limit=100), log_entry=log_entry, created_by=actor.agent,
        created_at=now, updated_at=now)
    if log_entry is not None and log_entry.intervention_id is None:
        LogEntry.objects.filter(pk=log_entry.pk).update(intervention=intervention)
    InterventionStep.objects.bulk_create([
        InterventionStep(intervention=intervention, step=step, label=step.label, mandatory=step.mandatory)
        for step in ChecklistStep.objects.filter(intervention_type=kind).order_by("position", "id")])
    audit_record(actor=actor, action="operations.intervention_create", target=intervention, commune_id=commune_id,
                 extra={"number": intervention.number, "priority": priority, "origin": draft.origin,
                        "reports": report_ids, "sensitive_confirmed": [m["category"] for m in found]})
    publish_on_commit(InterventionCreated(
        intervention_id=intervention.pk, number=intervention.number, type=kind.label, priority=priority,
        priority_label=str(Priority(priority).label), lat=intervention.lat, lon=intervention.lon,
        address=intervention.address, urgent=priority == Priority.URGENT), commune_id=commune_id)
    if settings.CONFIANCE_AUTO_DISPATCH and actor.can(Permission.OPERATIONS_DISPATCH, commune_id):
        # Opt-in: engage the first recommended unit at once (the operator can still reassign).
        from confiance.operations.dispatch import recommend

        result = recommend(intervention=intervention, limit=1, now=now)
        if result.candidates:
            assignment_engage(actor=actor, intervention=intervention, now=now, recommended_rank=1,
                              unit=Unit.objects.get(pk=result.candidates[0].unit_id))
    return intervention


def _locked_intervention(intervention: Intervention) -> Intervention:
    locked = Intervention.objects.select_for_update().select_related("intervention_type").get(pk=intervention.pk)
    if locked.status == InterventionStatus.CLOSED:
        raise OperationsError(OperationsErrorCode.CLOSED, f"L'intervention {locked.number} est close.",
                              status_code=409)
    return locked


def _intervention_changed(intervention: Intervention) -> None:
    publish_on_commit(InterventionChanged(
        intervention_id=intervention.pk, number=intervention.number, status=intervention.status,
        status_label=str(InterventionStatus(intervention.status).label), priority=intervention.priority,
        closure_reason=intervention.closure_reason), commune_id=intervention.commune_id)


@transaction.atomic
def intervention_step_done(*, actor: Actor, intervention: Intervention, step_id: int,
                           now: datetime | None = None) -> InterventionStep:
    now = now or _now()
    actor.require(Permission.OPERATIONS_LOG, intervention.commune_id)
    intervention = _locked_intervention(intervention)
    step = InterventionStep.objects.filter(pk=step_id, intervention=intervention).first()
    if step is None:
        raise NotFoundError()
    if step.done_at is None:
        step.done_at, step.skipped, step.skip_reason, step.by = now, False, "", actor.agent
        step.save(update_fields=["done_at", "skipped", "skip_reason", "by"])
        audit_record(actor=actor, action="operations.step_done", target=intervention,
                     commune_id=intervention.commune_id, extra={"step": step.label})
    return step


@transaction.atomic
def intervention_step_skip(*, actor: Actor, intervention: Intervention, step_id: int, reason: str,
                           now: datetime | None = None) -> InterventionStep:
    """Skip a step; skipping a mandatory one notifies the chefs de poste (live event, audit)."""
    now = now or _now()
    actor.require(Permission.OPERATIONS_LOG, intervention.commune_id)
    intervention = _locked_intervention(intervention)
    step = InterventionStep.objects.filter(pk=step_id, intervention=intervention).first()
    if step is None:
        raise NotFoundError()
    reason = _check_text(reason, "Raison", limit=300)
    if step.mandatory and not reason:
        raise OperationsError(OperationsErrorCode.STEPS_PENDING,
                              "Indiquez pourquoi cette étape obligatoire est sautée.")
    step.done_at, step.skipped, step.skip_reason, step.by = None, True, reason, actor.agent
    step.save(update_fields=["done_at", "skipped", "skip_reason", "by"])
    audit_record(actor=actor, action="operations.step_skip", target=intervention, commune_id=intervention.commune_id,
                 extra={"step": step.label, "mandatory": step.mandatory, "reason": reason})
    if step.mandatory:
        publish_on_commit(StepSkipped(intervention_id=intervention.pk, number=intervention.number, step=step.label,
                                      reason=reason, agent=actor.label), commune_id=intervention.commune_id)
    return step


@transaction.atomic
def intervention_close(*, actor: Actor, intervention: Intervention, reason: str, note: str = "",
                       now: datetime | None = None) -> Intervention:
    """Close with a reason; mandatory steps must be done or skipped; current assignments end now."""
    now = now or _now()
    actor.require(Permission.OPERATIONS_LOG, intervention.commune_id)
    intervention = _locked_intervention(intervention)
    if reason not in ClosureReason.values:
        raise OperationsError(OperationsErrorCode.CLOSURE_INVALID, "Motif de clôture inconnu.",
                              details={"reason": reason, "allowed": list(ClosureReason.values)})
    pending = list(intervention.steps.filter(mandatory=True, done_at__isnull=True, skipped=False)
                   .values_list("label", flat=True))
    if pending:
        raise OperationsError(OperationsErrorCode.STEPS_PENDING,
                              "Étapes obligatoires à faire ou à sauter (avec la raison) : " + ", ".join(pending) + ".",
                              details={"steps": pending}, status_code=409)
    for assignment in intervention.assignments.filter(finished_at__isnull=True).select_related("unit"):
        _write_milestone(actor, assignment, "finished_at", now, now=now)
    intervention.status = InterventionStatus.CLOSED
    intervention.closure_reason = reason
    intervention.closure_note = _check_text(note, "Note de clôture")
    intervention.closed_at = now
    intervention.updated_at = now
    intervention.save(update_fields=["status", "closure_reason", "closure_note", "closed_at", "updated_at"])
    audit_record(actor=actor, action="operations.intervention_close", target=intervention,
                 commune_id=intervention.commune_id, extra={"reason": reason})
    _intervention_changed(intervention)
    return intervention


# --- Units: statuses --------------------------------------------------------------------------


def _unit_changed(unit: Unit) -> None:
    unit = Unit.objects.select_related("status", "commune").get(pk=unit.pk)
    publish_on_commit(UnitChanged(**unit_as_dict(unit)), commune_id=unit.commune_id)


def _set_milestone(unit: Unit, milestone: str, now: datetime) -> None:
    status = status_for_milestone(unit.commune_id, milestone)
    if status is None:
        label = Milestone(milestone).label
        raise OperationsError(OperationsErrorCode.STATUS_UNKNOWN,
                              f"Aucun code de statut de {unit.commune} ne correspond à « {label} ».")
    Unit.objects.filter(pk=unit.pk).update(status=status, milestone=milestone, status_at=now)
    unit.status, unit.milestone, unit.status_at = status, milestone, now


def _may_drive(actor: Actor, unit: Unit) -> bool:
    """Dispatchers of a commune that sees the unit, or a member of the crew with the field permission."""
    if unit.commune_id in visible_commune_ids(actor, Permission.OPERATIONS_DISPATCH):
        return True
    return actor.can(Permission.OPERATIONS_FIELD, unit.commune_id) and unit.agents.filter(pk=actor.agent.pk).exists()


@transaction.atomic
def unit_set_status(*, actor: Actor, unit: Unit, status_code: str, now: datetime | None = None) -> Unit:
    """Set a unit's status code. The assignment milestones (engagé, en route, sur place) follow their own path."""
    now = now or _now()
    if not _may_drive(actor, unit):
        require_visible(actor, unit.commune_id, Permission.OPERATIONS_DISPATCH)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    status = UnitStatus.objects.filter(commune_id=unit.commune_id, code=status_code).first()
    if status is None:
        raise OperationsError(OperationsErrorCode.STATUS_UNKNOWN, f"Code de statut inconnu : {status_code}.")
    current = Assignment.objects.filter(unit=unit, finished_at__isnull=True).select_related("intervention").first()
    step = {Milestone.EN_ROUTE: "en_route_at", Milestone.ON_SCENE: "on_scene_at"}.get(status.milestone)
    if current is not None and step is not None:
        _write_milestone(actor, current, step, now, now=now)
    elif current is not None and status.milestone == Milestone.AVAILABLE:
        _write_milestone(actor, current, "finished_at", now, now=now)
    elif status.milestone in (Milestone.ENGAGED, Milestone.EN_ROUTE, Milestone.ON_SCENE):
        raise OperationsError(OperationsErrorCode.MILESTONE_ORDER,
                              "Ce statut suppose un engagement : engagez l'unité sur une intervention.",
                              status_code=409)
    Unit.objects.filter(pk=unit.pk).update(status=status, milestone=status.milestone, status_at=now)
    audit_record(actor=actor, action="operations.unit_status", target=unit, commune_id=unit.commune_id,
                 extra={"status": status.code, "milestone": status.milestone})
    _unit_changed(unit)
    return Unit.objects.select_related("status", "commune").get(pk=unit.pk)


# --- Assignments ------------------------------------------------------------------------------


@transaction.atomic
def assignment_engage(*, actor: Actor, intervention: Intervention, unit: Unit, override_reason: str = "",
                      recommended_rank: int | None = None, now: datetime | None = None) -> Assignment:
    """Engage a unit. A unit already engaged needs an explicit override (with its reason); the database
    refuses a second current engagement, so two operators engaging the same unit at once cannot both win."""
    now = now or _now()
    require_visible(actor, intervention.commune_id, Permission.OPERATIONS_DISPATCH)
    intervention = _locked_intervention(intervention)
    unit = Unit.objects.select_for_update().select_related("commune").get(pk=unit.pk)
    if not unit.active or not units_shareable(unit.commune_id, intervention.commune_id):
        raise OperationsError(OperationsErrorCode.UNIT_OUT_OF_REACH,
                              f"L'unité {unit.name} n'intervient pas à {intervention.commune.name} "
                              "(hors mode crise).", status_code=409)
    if unit.milestone in (Milestone.OFF_DUTY, Milestone.UNAVAILABLE) and not override_reason.strip():
        raise OperationsError(OperationsErrorCode.UNIT_UNAVAILABLE,
                              f"L'unité {unit.name} est « {Milestone(unit.milestone).label} ».", status_code=409)
    current = Assignment.objects.filter(unit=unit, finished_at__isnull=True).select_related("intervention").first()
    override_reason = _check_text(override_reason, "Motif de réaffectation", limit=300)
    if current is not None:
        if current.intervention_id == intervention.pk:
            raise OperationsError(OperationsErrorCode.UNIT_ENGAGED,
                                  f"L'unité {unit.name} est déjà engagée sur cette intervention.", status_code=409)
        if not override_reason:
            raise OperationsError(OperationsErrorCode.UNIT_ENGAGED,
                                  f"L'unité {unit.name} est déjà engagée sur {current.intervention.number}. "
                                  "Réaffectez-la en indiquant le motif.",
                                  details={"current_intervention": current.intervention.number}, status_code=409)
        Assignment.objects.filter(pk=current.pk).update(finished_at=now, ended_by_override=True)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(intervention=intervention, unit=unit, engaged_at=now,
                                                   engaged_by=actor.agent, override_reason=override_reason,
                                                   recommended_rank=recommended_rank)
    except IntegrityError:
        raise OperationsError(OperationsErrorCode.UNIT_ENGAGED,
                              f"L'unité {unit.name} vient d'être engagée par un autre opérateur.",
                              status_code=409) from None
    _set_milestone(unit, Milestone.ENGAGED, now)
    if intervention.status == InterventionStatus.OPEN:
        intervention.status = InterventionStatus.IN_PROGRESS
        intervention.updated_at = now
        intervention.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="operations.engage", target=intervention, commune_id=intervention.commune_id,
                 extra={"unit": unit.name, "override": override_reason, "recommended_rank": recommended_rank,
                        "replaced": current.intervention.number if current else ""})
    _intervention_changed(intervention)
    _unit_changed(unit)
    return assignment


def _write_milestone(actor: Actor, assignment: Assignment, step: str, at: datetime, *, now: datetime) -> None:
    if step not in ASSIGNMENT_STEPS or step == "engaged_at":
        raise OperationsError(OperationsErrorCode.MILESTONE_ORDER, "Jalon inconnu.", details={"step": step})
    if getattr(assignment, step) is not None:
        raise OperationsError(OperationsErrorCode.MILESTONE_WRITTEN,
                              f"Le jalon « {ASSIGNMENT_STEP_LABELS[step]} » est déjà enregistré.", status_code=409)
    _check_time(at, now=now, label=str(ASSIGNMENT_STEP_LABELS[step]))
    index = ASSIGNMENT_STEPS.index(step)
    previous = [getattr(assignment, name) for name in ASSIGNMENT_STEPS[:index] if getattr(assignment, name)]
    later = [name for name in ASSIGNMENT_STEPS[index + 1:] if getattr(assignment, name)]
    if later or (previous and at < max(previous)):
        raise OperationsError(OperationsErrorCode.MILESTONE_ORDER,
                              f"« {ASSIGNMENT_STEP_LABELS[step]} » ne peut pas précéder un jalon déjà enregistré.",
                              status_code=409)
    setattr(assignment, step, at)
    # Write once: the update only applies while the column is still empty.
    written = Assignment.objects.filter(pk=assignment.pk, **{f"{step}__isnull": True}).update(**{step: at})
    if not written:
        raise OperationsError(OperationsErrorCode.MILESTONE_WRITTEN, "Jalon déjà enregistré.", status_code=409)
    _set_milestone(assignment.unit, STEP_MILESTONE[step], now)
    audit_record(actor=actor, action="operations.milestone", target=assignment.intervention,
                 commune_id=assignment.intervention.commune_id,
                 extra={"unit": assignment.unit.name, "step": step, "at": at.isoformat()})


@transaction.atomic
def assignment_milestone(*, actor: Actor, assignment: Assignment, step: str, at: datetime | None = None,
                         now: datetime | None = None) -> Assignment:
    """Record en route / sur place / terminé, once each and in order, never in the future."""
    now = now or _now()
    assignment = (Assignment.objects.select_for_update().select_related("unit", "intervention")
                  .get(pk=assignment.pk))
    if not _may_drive(actor, assignment.unit):
        require_visible(actor, assignment.intervention.commune_id, Permission.OPERATIONS_DISPATCH)
    _write_milestone(actor, assignment, step, at or now, now=now)
    _unit_changed(assignment.unit)
    return assignment


# --- Positions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionFix:
    lat: float
    lon: float
    recorded_at: datetime
    accuracy_m: float | None = None
    speed_kmh: float | None = None


def position_problem(fix: PositionFix, now: datetime) -> str:
    """Why a position is refused ("" when it is acceptable)."""
    if not valid_lat_lon(fix.lat, fix.lon) or (fix.lat == 0 and fix.lon == 0):
        return "coordonnees_invalides"
    if timezone.is_naive(fix.recorded_at):
        return "horodatage_invalide"
    if fix.recorded_at > now + CLOCK_SKEW:
        return "horodatage_futur"
    if fix.recorded_at < now - timedelta(hours=settings.CONFIANCE_POSITION_MAX_AGE_HOURS):
        return "horodatage_trop_ancien"
    if fix.accuracy_m is not None and not (0 <= fix.accuracy_m < 100_000):
        return "precision_invalide"
    if fix.speed_kmh is not None and not (0 <= fix.speed_kmh < 400):
        return "vitesse_invalide"
    return ""


def position_reject(tracker: str, reason: str, now: datetime | None = None) -> None:
    """Count a refused position (per tracker and reason): the console shows these counters."""
    now = now or _now()
    tracker = (tracker or "?")[:100]
    updated = RejectedPosition.objects.filter(tracker=tracker, reason=reason).update(count=F("count") + 1, last_at=now)
    if not updated:
        try:
            with transaction.atomic():
                RejectedPosition.objects.create(tracker=tracker, reason=reason, count=1, last_at=now)
        except IntegrityError:
            RejectedPosition.objects.filter(tracker=tracker, reason=reason).update(count=F("count") + 1, last_at=now)


def positions_store(batch: Sequence[tuple[int, PositionFix, str]], now: datetime | None = None) -> int:
    """Store accepted positions (unit id, fix, source) in one transaction; units move to their newest fix.

    One live event carries every unit that moved, so the outbox grows by one row per batch, not per position.
    """
    now = now or _now()
    if not batch:
        return 0
    ops = connection.ops
    newest: dict[int, PositionFix] = {}
    for unit_id, fix, _source in batch:
        if unit_id not in newest or fix.recorded_at > newest[unit_id].recorded_at:
            newest[unit_id] = fix
    # Plain statements, executed many at once: trackers send many small batches, the ORM's per-row work would
    # dominate (bench/operations.py).
    with transaction.atomic(), connection.cursor() as cursor:
        received = ops.adapt_datetimefield_value(now)
        cursor.executemany(
            "INSERT INTO operations_unitposition (unit_id, lat, lon, accuracy_m, speed_kmh, recorded_at, received_at, "
            "source) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(unit_id, fix.lat, fix.lon, fix.accuracy_m, fix.speed_kmh, ops.adapt_datetimefield_value(fix.recorded_at),
              received, source) for unit_id, fix, source in batch])
        known = {unit_id: (commune_id, position_at) for unit_id, commune_id, position_at in
                 Unit.objects.filter(pk__in=list(newest)).values_list("id", "commune_id", "position_at")}
        # Only a newer fix moves the unit (trackers resend old points after a network loss); the row lock taken
        # by the update keeps concurrent writers in order.
        moving = [(unit_id, fix) for unit_id, fix in newest.items()
                  if unit_id in known and (known[unit_id][1] is None or fix.recorded_at > known[unit_id][1])]
        cursor.executemany(
            "UPDATE operations_unit SET lat = %s, lon = %s, position_at = %s "
            "WHERE id = %s AND (position_at IS NULL OR position_at < %s)",
            [(fix.lat, fix.lon, ops.adapt_datetimefield_value(fix.recorded_at), unit_id,
              ops.adapt_datetimefield_value(fix.recorded_at)) for unit_id, fix in moving])
        moved: dict[int | None, list[dict[str, Any]]] = {}
        for unit_id, fix in moving:
            moved.setdefault(known[unit_id][0], []).append(
                {"id": unit_id, "lat": fix.lat, "lon": fix.lon, "at": fix.recorded_at.isoformat()})
        for commune_id, units in moved.items():
            publish_on_commit(UnitsMoved(units=units), commune_id=commune_id)
    return len(batch)


def position_record_for_agent(*, actor: Actor, unit: Unit, fix: PositionFix, source: str = PositionSource.FIELD_PAGE,
                              now: datetime | None = None) -> None:
    """A crew member shares their position from the field page."""
    now = now or _now()
    if not (actor.can(Permission.OPERATIONS_FIELD, unit.commune_id) and unit.agents.filter(pk=actor.agent.pk).exists()):
        raise NotFoundError()
    problem = position_problem(fix, now)
    if problem:
        position_reject(f"unite-{unit.pk}", problem, now)
        raise OperationsError(OperationsErrorCode.POSITION_INVALID,
                              "Position refusée : " + problem.replace("_", " ") + ".", details={"reason": problem})
    positions_store([(unit.pk, fix, source)], now)


# --- Trackers ---------------------------------------------------------------------------------


def tracker_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def unit_tracker_set(*, actor: Actor | None, unit: Unit, tracker_id: str) -> str:
    """Give a unit's GPS tracker an identifier and a new key; the key is shown once (actor None: a command)."""
    if actor is not None:
        actor.require(Permission.OPERATIONS_MANAGE, unit.commune_id)
    tracker_id = _check_text(tracker_id, "Identifiant du traceur", limit=100)
    if not tracker_id:
        raise OperationsError(OperationsErrorCode.TRACKER_INVALID, "Identifiant du traceur requis.")
    key = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            Unit.objects.filter(pk=unit.pk).update(tracker_id=tracker_id, tracker_key_hash=tracker_key_hash(key))
    except IntegrityError:
        raise OperationsError(OperationsErrorCode.TRACKER_INVALID, "Cet identifiant est déjà pris.") from None
    audit_record(actor=actor, action="operations.tracker_set", target=unit, commune_id=unit.commune_id,
                 extra={"tracker_id": tracker_id})
    return key


def tracker_authenticate(tracker_id: str, key: str) -> int | None:
    """The unit id of a tracker whose key matches (None otherwise)."""
    row = (Unit.objects.filter(tracker_id=tracker_id, active=True).exclude(tracker_key_hash="")
           .values_list("id", "tracker_key_hash").first())
    if row is None or not key or not hmac.compare_digest(row[1], tracker_key_hash(key)):
        return None
    return row[0]


# --- Crisis mode ------------------------------------------------------------------------------


@transaction.atomic
def crisis_start(*, actor: Actor, name: str, commune_ids: Sequence[int], now: datetime | None = None) -> CrisisSharing:
    """Pool the units of several communes; the actor must manage operations in each of them."""
    now = now or _now()
    commune_ids = sorted(set(commune_ids))
    if len(commune_ids) < 2:
        raise OperationsError(OperationsErrorCode.LINK_INVALID, "Le mode crise réunit au moins deux communes.")
    for commune_id in commune_ids:
        actor.require(Permission.OPERATIONS_MANAGE, commune_id)
    sharing = CrisisSharing.objects.create(name=_check_text(name, "Nom", limit=200) or "Mode crise",
                                           started_at=now, started_by=actor.agent)
    sharing.communes.set(commune_ids)
    audit_record(actor=actor, action="operations.crisis_start", target=sharing, extra={"communes": commune_ids})
    return sharing


@transaction.atomic
def crisis_end(*, actor: Actor, sharing: CrisisSharing, now: datetime | None = None) -> CrisisSharing:
    now = now or _now()
    for commune_id in sharing.communes.values_list("id", flat=True):
        actor.require(Permission.OPERATIONS_MANAGE, commune_id)
    if sharing.ended_at is None:
        sharing.ended_at = now
        sharing.save(update_fields=["ended_at"])
        audit_record(actor=actor, action="operations.crisis_end", target=sharing)
    return sharing
