"""What the agent's home shows, one block per role the agent holds (a person with several roles sees each)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission, Role
from confiance.accounts.models import Membership
from confiance.operations.models import Assignment, Unit
from confiance.operations.selectors import current_assignment, unit_for_agent
from confiance.privacy.choices import ACTION_LABELS, JournalKind
from confiance.privacy.models import AuditEntry
from confiance.privacy.selectors import audit_list_for_actor
from confiance.reports.choices import DestinationKind
from confiance.reports.models import Report
from confiance.reports.selectors import ReportFilters, report_list_for_actor

HOME_LIST_LENGTH = 8
# Objects whose name is a label safe to show the DPO at a glance (no personal data of third parties, no code).
NAMED_TARGETS = frozenset({"operations.Intervention", "operations.LogEntry", "operations.Unit", "accounts.Agent",
                           "accounts.Membership", "territory.Commune", "territory.Zone", "territory.Sector",
                           "analytics.Dataset", "devices.Device", "reports.Category", "reports.Destination"})


def roles_held(*, actor: Actor) -> set[str]:
    """Every role the agent holds in at least one commune (all of them for a superuser)."""
    if actor.agent.is_superuser:
        return set(Role.values)
    return set(Membership.objects.filter(agent=actor.agent).values_list("role", flat=True))


def current_mission(*, actor: Actor) -> tuple[Unit | None, Assignment | None]:
    """The field agent's unit and what it is engaged on now."""
    unit = unit_for_agent(actor.agent)
    return unit, (current_assignment(unit) if unit else None)


def service_queue(*, actor: Actor) -> QuerySet[Report]:
    """Open reports routed to a municipal service of the agent's communes, or assigned to the agent."""
    reports = report_list_for_actor(actor=actor, filters=ReportFilters(status="open"))
    routed = reports.filter(dispatches__destination__kind=DestinationKind.MUNICIPAL_SERVICE)
    return (routed | reports.filter(assigned_to=actor.agent)).distinct()


def _target_labels(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """What each entry's object is called ("INT-2026-000003", "Paul Martin — Agent de police municipale —
    Mennecy"), one query per kind of object; an object gone since reads as its kind and number."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.target_id:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    labels: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        try:
            model = apps.get_model(target_type)
        except (LookupError, ValueError):
            continue
        name = str(model._meta.verbose_name)
        kind = f"{name[:1].upper()}{name[1:]}"
        named = model._meta.label in NAMED_TARGETS
        found = model._default_manager.in_bulk([int(i) for i in ids if i.isdigit()]) if named else {}
        for target_id in ids:
            target = found.get(int(target_id)) if target_id.isdigit() else None
            labels[(target_type, target_id)] = f"{kind} {target}" if target is not None else f"{kind} n° {target_id}"
    return labels


def journal_rows(*, actor: Actor, kind: str) -> list[dict[str, Any]]:
    """The latest journal entries of a kind (changes or consultations), in words."""
    if not actor.can_anywhere(Permission.AUDIT_VIEW):
        return []
    entries = list(audit_list_for_actor(actor=actor, kind=kind).select_related("actor")[:HOME_LIST_LENGTH])
    fallback = JournalKind(kind).label
    targets = _target_labels(entries)
    return [{"at": entry.created_at, "action": ACTION_LABELS.get(entry.action, fallback),
             "who": (entry.actor.get_full_name() or entry.actor_label) if entry.actor else entry.actor_label,
             "target": targets.get((entry.target_type, entry.target_id), ""), "motive": entry.motive}
            for entry in entries]
