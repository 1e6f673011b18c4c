"""Reads of police operations: lists filtered by what the actor may see (access.py), interval figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.accounts.models import Agent
from confiance.core.figures import percentile, rounded
from confiance.operations.access import visible_commune_ids
from confiance.operations.choices import ClosureReason, InterventionOrigin, InterventionStatus, Priority
from confiance.operations.models import (
    Assignment,
    Intervention,
    InterventionStep,
    InterventionType,
    LogEntry,
    Nature,
    PoolingAgreement,
    Unit,
    UnitMessage,
    UnitStatus,
)

# --- Configuration ------------------------------------------------------------------------------


def nature_list(*, commune_ids: set[int]) -> QuerySet[Nature]:
    return Nature.objects.filter(commune_id__in=commune_ids, active=True).order_by("commune_id", "position", "label")


def intervention_type_list(*, commune_ids: set[int]) -> QuerySet[InterventionType]:
    return (InterventionType.objects.filter(commune_id__in=commune_ids, active=True)
            .prefetch_related("steps").order_by("commune_id", "label"))


def unit_status_list(*, commune_ids: set[int]) -> QuerySet[UnitStatus]:
    return UnitStatus.objects.filter(commune_id__in=commune_ids).order_by("commune_id", "position", "code")


def status_for_milestone(commune_id: int, milestone: str) -> UnitStatus | None:
    return (UnitStatus.objects.filter(commune_id=commune_id, milestone=milestone)
            .order_by("position", "id").first())


# --- Pooling agreements -------------------------------------------------------------------------


def pooling_agreement_list(*, on: date | None = None) -> QuerySet[PoolingAgreement]:
    """Agreements in force on this day (today by default), with their communes."""
    on = on or timezone.localdate()
    return (PoolingAgreement.objects.filter(starts_on__lte=on).exclude(ends_on__lt=on)
            .prefetch_related("communes").order_by("reference"))


# --- Units --------------------------------------------------------------------------------------


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.CONFIANCE_POSITION_STALE_SECONDS)


def unit_list_for_actor(*, actor: Actor, commune_ids: set[int] | None = None) -> QuerySet[Unit]:
    visible = visible_commune_ids(actor)
    if commune_ids is not None:
        visible &= set(commune_ids)
    current = Prefetch("assignments", queryset=Assignment.objects.filter(finished_at__isnull=True)
                       .select_related("intervention"), to_attr="current_assignments")
    return (Unit.objects.filter(commune_id__in=visible, active=True)
            .select_related("status", "commune").prefetch_related("agents", current).order_by("commune_id", "name"))


def unit_for_agent(agent: Agent) -> Unit | None:
    """The unit a field agent belongs to (the most recently updated, if several)."""
    return (Unit.objects.filter(agents=agent, active=True).select_related("status", "commune")
            .order_by("-status_at").first())


def current_assignment(unit: Unit) -> Assignment | None:
    return (Assignment.objects.filter(unit=unit, finished_at__isnull=True)
            .select_related("intervention", "intervention__intervention_type").first())


# --- Interventions ------------------------------------------------------------------------------


def intervention_list_for_actor(*, actor: Actor, commune_ids: set[int] | None = None,
                                open_only: bool = True) -> QuerySet[Intervention]:
    visible = visible_commune_ids(actor)
    if commune_ids is not None:
        visible &= set(commune_ids)
    queryset = Intervention.objects.filter(commune_id__in=visible)
    if open_only:
        queryset = queryset.exclude(status=InterventionStatus.CLOSED)
    return queryset.select_related("intervention_type", "commune").order_by("priority", "-created_at")


def _agent_name(agent: Agent | None) -> str:
    return (agent.get_full_name() or agent.username) if agent is not None else str(_("le système"))


def _assignment_events(assignment: Assignment) -> list[dict[str, Any]]:
    unit = assignment.unit.name
    engaged = str(_("%(unit)s engagée par %(agent)s") % {"unit": unit, "agent": _agent_name(assignment.engaged_by)})
    if assignment.override_reason:
        engaged += str(_(" (réaffectation : %(reason)s)") % {"reason": assignment.override_reason})
    finished = (_("%(unit)s réaffectée sur une autre intervention") if assignment.ended_by_override
                else _("%(unit)s a terminé"))
    return [event for event in (
        {"at": assignment.engaged_at, "kind": "engagement", "label": _("Engagement"), "text": engaged},
        {"at": assignment.en_route_at, "kind": "milestone", "label": _("En route"),
         "text": _("%(unit)s en route") % {"unit": unit}},
        {"at": assignment.on_scene_at, "kind": "milestone", "label": _("Sur place"),
         "text": _("%(unit)s sur place") % {"unit": unit}},
        {"at": assignment.finished_at, "kind": "milestone", "label": _("Fin d'engagement"),
         "text": finished % {"unit": unit}},
    ) if event["at"] is not None]


def _step_events(steps: list[InterventionStep]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for step in steps:
        if step.done_at is not None:
            events.append({"at": step.done_at, "kind": "step", "label": _("Étape faite"),
                           "text": f"{step.label} ({_agent_name(step.by)})"})
        elif step.skipped:
            text = str(_("%(step)s, sautée : %(reason)s") % {"step": step.label, "reason": step.skip_reason or "-"})
            events.append({"at": step.skipped_at, "kind": "step", "label": _("Étape sautée"), "text": text})
    return events


def intervention_chronology(intervention: Intervention) -> list[dict[str, Any]]:
    """Everything that happened on an intervention, oldest first: the call, engagements and milestones, checklist
    steps, main courante entries (the notes), closure. Each event: time (None for a step skipped before times were
    kept, listed last), kind, label and text, all in words. The caller checked that the actor may see it."""
    origin = InterventionOrigin(intervention.origin).label
    events: list[dict[str, Any]] = [{
        "at": intervention.created_at, "kind": "call", "label": _("Ouverture"),
        "text": _("Origine : %(origin)s ; priorité %(priority)s ; saisie par %(agent)s")
        % {"origin": origin, "priority": Priority(intervention.priority).label,
           "agent": _agent_name(intervention.created_by)}}]
    assignments = (Assignment.objects.filter(intervention=intervention).select_related("unit", "engaged_by")
                   .order_by("engaged_at", "id"))
    for assignment in assignments:
        events += _assignment_events(assignment)
    events += _step_events(list(InterventionStep.objects.filter(intervention=intervention).select_related("by")))
    entries = (LogEntry.objects.filter(intervention=intervention).select_related("nature")
               .order_by("occurred_at", "id"))
    for entry in entries:
        events.append({"at": entry.occurred_at, "kind": "note", "label": _("Main courante"),
                       "text": f"{entry.number} - {entry.nature.label} : {entry.text}"})
    if intervention.closed_at is not None:
        text = str(ClosureReason(intervention.closure_reason).label) if intervention.closure_reason else ""
        if intervention.closure_note:
            text += f" - {intervention.closure_note}"
        events.append({"at": intervention.closed_at, "kind": "closure", "label": _("Clôture"), "text": text})
    timed = sorted((event for event in events if event["at"] is not None), key=lambda event: event["at"])
    return [{**event, "label": str(event["label"]), "text": str(event["text"])}
            for event in timed + [event for event in events if event["at"] is None]]


# --- Main courante ------------------------------------------------------------------------------


def log_entry_list_for_actor(*, actor: Actor, commune_ids: set[int] | None = None, day: date | None = None,
                             limit: int | None = 50) -> QuerySet[LogEntry]:
    visible = actor.commune_ids(Permission.OPERATIONS_VIEW)  # the logbook is not shared in crisis mode
    if commune_ids is not None:
        visible = visible & set(commune_ids)
    queryset = (LogEntry.objects.filter(commune_id__in=visible)
                .select_related("nature", "commune", "author", "corrects").prefetch_related("persons"))
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        queryset = queryset.filter(occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1))
        return queryset.order_by("occurred_at", "id")
    queryset = queryset.order_by("-created_at", "-id")
    return queryset[:limit] if limit else queryset


# --- Interval figures ---------------------------------------------------------------------------

INTERVALS = {
    "prise_en_compte": _("Délai de prise en compte (appel → engagement)"),
    "route": _("Délai de route (départ → sur place)"),
    "intervention": _("Délai d'intervention (appel → sur place)"),
    "sur_place": _("Durée sur place (sur place → fin)"),
}


def intervals_of(intervention: Intervention, assignments: list[Assignment]) -> dict[str, float | None]:
    """The four delays of one intervention, in seconds (None when a milestone is missing)."""
    def first(field: str) -> datetime | None:
        values = [getattr(a, field) for a in assignments if getattr(a, field)]
        return min(values) if values else None

    engaged, en_route, on_scene = first("engaged_at"), first("en_route_at"), first("on_scene_at")
    finished = [a.finished_at for a in assignments if a.finished_at and not a.ended_by_override]
    end = max(finished) if finished else None
    departure = en_route or engaged

    def seconds(start: datetime | None, stop: datetime | None) -> float | None:
        return (stop - start).total_seconds() if start and stop and stop >= start else None

    return {
        "prise_en_compte": seconds(intervention.created_at, engaged),
        "route": seconds(departure, on_scene),
        "intervention": seconds(intervention.created_at, on_scene),
        "sur_place": seconds(on_scene, end),
    }


def month_label(month: str) -> str:
    """"2026-10" as a reader says it, in the active language ("octobre 2026")."""
    year, number = (int(part) for part in month.split("-"))
    return str(formats.date_format(date(year, number, 1), "F Y"))


def minutes_text(value: float | None) -> str:
    """A figure in minutes as a French reader writes it: "11" for a whole number, else one decimal after a comma
    ("4,5"); "" when there is none."""
    if value is None:
        return ""
    value = round(value, 1)
    if value == int(value):
        return str(int(value))
    return formats.number_format(value, decimal_pos=1)


def interval_report(*, actor: Actor, start: date, end: date, commune_ids: set[int] | None = None
                    ) -> list[dict[str, Any]]:
    """Percentiles (50, 90) and counts of the delays, per commune, month and priority."""
    visible = actor.commune_ids(Permission.OPERATIONS_VIEW)
    if commune_ids is not None:
        visible &= set(commune_ids)
    since = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    interventions = (Intervention.objects.filter(commune_id__in=visible, created_at__gte=since, created_at__lt=until)
                     .select_related("commune").prefetch_related("assignments"))
    groups: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for intervention in interventions:
        month = timezone.localtime(intervention.created_at).strftime("%Y-%m")
        key = (intervention.commune.name, month, intervention.priority)
        groups[key]["_count"].append(1)
        for name, value in intervals_of(intervention, list(intervention.assignments.all())).items():
            if value is not None:
                groups[key][name].append(value)
    rows = []
    for (commune, month, priority), values in sorted(groups.items()):
        row: dict[str, Any] = {"commune": commune, "month": month, "month_label": month_label(month),
                               "priority": priority,
                               "priority_label": str(Priority(priority).label),
                               "interventions": len(values["_count"])}
        for name in INTERVALS:
            minutes = [seconds / 60 for seconds in values.get(name, [])]
            row[f"{name}_n"] = len(minutes)
            row[f"{name}_p50_min"] = rounded(percentile(minutes, 0.5))
            row[f"{name}_p90_min"] = rounded(percentile(minutes, 0.9))
        rows.append(row)
    return rows


# --- For analytics (aggregates only) ------------------------------------------------------------

def intervention_analysis_rows(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime
                               ) -> list[tuple]:
    """(id, created at, lat, lon, type, commune id) of the interventions created in [since, until)."""
    return list(Intervention.objects.filter(commune_id__in=commune_ids, created_at__gte=since, created_at__lt=until)
                .values_list("id", "created_at", "lat", "lon", "intervention_type__label", "commune_id"))


def log_entry_analysis_rows(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime
                            ) -> list[tuple]:
    """(id, time of the facts, lat, lon, nature, commune id) of located main courante entries in
    [since, until), corrections left out (the corrected entry already counts)."""
    return list(LogEntry.objects.filter(commune_id__in=commune_ids, occurred_at__gte=since, occurred_at__lt=until,
                                        lat__isnull=False, lon__isnull=False, corrects__isnull=True)
                .values_list("id", "occurred_at", "lat", "lon", "nature__label", "commune_id"))


def response_delay_figures(*, commune_ids: set[int] | frozenset[int], since: datetime, until: datetime
                           ) -> dict[str, Any]:
    """Interventions created in [since, until): count, and median / 90th percentile (minutes) of the
    delay from call to arrival on scene and of the time to engage a unit."""
    interventions = (Intervention.objects.filter(commune_id__in=commune_ids, created_at__gte=since,
                                                 created_at__lt=until).prefetch_related("assignments"))
    values: dict[str, list[float]] = defaultdict(list)
    count = 0
    for intervention in interventions:
        count += 1
        for name, value in intervals_of(intervention, list(intervention.assignments.all())).items():
            if value is not None:
                values[name].append(value / 60)
    figures: dict[str, Any] = {"interventions": count}
    for name in ("intervention", "prise_en_compte"):
        minutes = values.get(name, [])
        figures[f"{name}_n"] = len(minutes)
        figures[f"{name}_p50_min"] = rounded(percentile(minutes, 0.5))
        figures[f"{name}_p90_min"] = rounded(percentile(minutes, 0.9))
    return figures


# --- Unit messages (field page) -----------------------------------------------------------------


def unit_message_list(*, unit: Unit, limit: int = 20) -> QuerySet[UnitMessage]:
    """A unit's latest messages, newest first (the caller has checked the unit is visible)."""
    return (UnitMessage.objects.filter(unit=unit).select_related("unit", "sent_by", "acknowledged_by")
            .order_by("-sent_at", "-id")[:limit])
