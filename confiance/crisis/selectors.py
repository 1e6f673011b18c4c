"""Reads of crisis mode, for an actor: the crises of their communes, one crisis's state over all its communes
(log, checklist, and, for those allowed, interventions, units and alarms), the suggestion of a flood crisis."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import ROLE_PERMISSIONS, Permission
from confiance.accounts.models import Membership
from confiance.crisis.access import crisis_commune_ids
from confiance.crisis.choices import CrisisLogKind
from confiance.crisis.models import CrisisLogEntry, CrisisStep
from confiance.devices.choices import Quantity
from confiance.devices.payloads import alarm_payload
from confiance.devices.selectors.alarms import alarms_for_actor
from confiance.operations.payloads import intervention_payload, unit_payload
from confiance.operations.selectors import intervention_list_for_actor, unit_list_for_actor
from confiance.territory.choices import CrisisKind
from confiance.territory.models import CrisisSharing
from confiance.territory.selectors import crisis_sharing_active_q

LIST_LIMIT = 300


def agent_name(agent) -> str:
    return (agent.get_full_name() or agent.username) if agent is not None else ""


def crisis_list_for_actor(*, actor: Actor, active_only: bool = False, now: datetime | None = None,
                          limit: int = 100) -> list[CrisisSharing]:
    """The crises touching a commune where the actor follows crises, newest first."""
    crises = CrisisSharing.objects.filter(communes__in=actor.commune_ids(Permission.CRISIS_VIEW)).distinct()
    if active_only:
        crises = crises.filter(crisis_sharing_active_q(now))
    return list(crises.prefetch_related("communes").order_by("-started_at", "-id")[:limit])


def crisis_banner_for_agent(agent, now: datetime | None = None, limit: int = 5) -> list[dict[str, Any]]:
    """The crises in force in the communes where a signed-in agent follows crises, for the banner of every agent
    page: one query (memberships joined, no grants computed), communes aggregated in Python."""
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if Permission.CRISIS_VIEW in permissions]
    followed = Membership.objects.filter(agent=agent, role__in=roles).values("commune_id")
    rows = (CrisisSharing.communes.through.objects
            .filter(crisissharing__in=CrisisSharing.objects.filter(crisis_sharing_active_q(now),
                                                                   communes__in=followed))
            .values_list("crisissharing_id", "crisissharing__name", "crisissharing__kind", "commune__name")
            .order_by("-crisissharing__started_at", "crisissharing_id", "commune__name"))
    banner: dict[int, dict[str, Any]] = {}
    for crisis_id, title, kind, commune in rows:
        entry = banner.setdefault(crisis_id, {"id": crisis_id, "title": title, "kind": str(CrisisKind(kind).label),
                                              "names": []})
        entry["names"].append(commune)
    return [{**entry, "communes": ", ".join(entry.pop("names"))} for entry in list(banner.values())[:limit]]


def crisis_steps(crisis: CrisisSharing) -> QuerySet[CrisisStep]:
    return (CrisisStep.objects.filter(crisis=crisis).select_related("commune", "tick", "tick__ticked_by")
            .order_by("commune__name", "position"))


def crisis_log(crisis: CrisisSharing, limit: int | None = None) -> list[CrisisLogEntry]:
    entries = CrisisLogEntry.objects.filter(crisis=crisis).select_related("commune", "written_by")
    if limit:
        return list(reversed(entries.order_by("-at", "-id")[:limit]))
    return list(entries.order_by("at", "id"))


def step_payload(step: CrisisStep) -> dict[str, Any]:
    tick = getattr(step, "tick", None)  # the reverse one-to-one raises an AttributeError when unticked
    return {"id": step.pk, "commune_id": step.commune_id, "commune": step.commune.name, "text": step.text,
            "ticked": tick is not None, "ticked_by": agent_name(tick.ticked_by) if tick else "",
            "ticked_at": tick.ticked_at.isoformat() if tick else None}


def log_payload(entry: CrisisLogEntry) -> dict[str, Any]:
    return {"id": entry.pk, "at": entry.at.isoformat(), "kind": entry.kind,
            "kind_label": str(CrisisLogKind(entry.kind).label), "text": entry.text,
            "commune": entry.commune.name if entry.commune is not None else "", "author": agent_name(entry.written_by)}


def crisis_payload(crisis: CrisisSharing, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {"id": crisis.pk, "title": crisis.name, "kind": crisis.kind,
            "kind_label": str(CrisisKind(crisis.kind).label), "started_at": crisis.started_at.isoformat(),
            "ended_at": crisis.ended_at.isoformat() if crisis.ended_at else None, "active": crisis.active_at(now),
            "communes": sorted(commune.name for commune in crisis.communes.all()), "zone": crisis.zone}


def crisis_state(*, actor: Actor, crisis: CrisisSharing, now: datetime | None = None) -> dict[str, Any]:
    """Everything the crisis view draws, in one read. Interventions and units only for the police and the
    supervision centre, alarms for those who see the devices; what is shared ends with the crisis (the access
    rules read the sharing in force now)."""
    now = now or timezone.now()
    communes = crisis_commune_ids(crisis)
    state: dict[str, Any] = {
        "crisis": crisis_payload(crisis, now), "now": now.isoformat(),
        "log": [log_payload(entry) for entry in crisis_log(crisis, limit=200)],
        "steps": [step_payload(step) for step in crisis_steps(crisis)],
        "interventions": None, "units": None, "alarms": None,
    }
    if actor.can_anywhere(Permission.OPERATIONS_VIEW):
        state["interventions"] = [intervention_payload(item) for item in
                                  intervention_list_for_actor(actor=actor, commune_ids=communes)[:LIST_LIMIT]]
        state["units"] = [unit_payload(unit, now) for unit in
                          unit_list_for_actor(actor=actor, commune_ids=communes)[:LIST_LIMIT]]
    if actor.can_anywhere(Permission.DEVICES_VIEW):
        state["alarms"] = [alarm_payload(alarm) for alarm in
                           alarms_for_actor(actor=actor, commune_ids=communes, limit=LIST_LIMIT)]
    return state


def flood_suggestion(*, actor: Actor) -> dict[str, Any] | None:
    """A crisis to declare from the open water-level alarms the actor sees (the demo flood of the Essonne): the
    communes where the actor may declare a crisis and an alarm is open, or None."""
    declarable = actor.commune_ids(Permission.CRISIS_DECLARE)
    if not declarable or not actor.can_anywhere(Permission.DEVICES_VIEW):
        return None
    alarms = [alarm for alarm in alarms_for_actor(actor=actor, limit=200)
              if alarm.commune_id in declarable and alarm.rule.quantity == Quantity.WATER_LEVEL]
    if not alarms:
        return None
    return {"kind": CrisisKind.FLOOD, "commune_ids": sorted({alarm.commune_id for alarm in alarms}),
            "title": str(CrisisKind.FLOOD.label)}


def steps_prefetch() -> Prefetch:
    return Prefetch("steps", queryset=CrisisStep.objects.select_related("commune", "tick", "tick__ticked_by"))
