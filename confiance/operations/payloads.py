"""The one JSON shape of each operations object, shared by the API, the console state and the live events."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from confiance.operations.choices import EntrySource, InterventionStatus, Milestone, Priority
from confiance.operations.events import LogEntryCreated
from confiance.operations.models import Intervention, LogEntry, Unit
from confiance.operations.selectors import stale_before


def unit_payload(unit: Unit, now: datetime | None = None) -> dict[str, Any]:
    """A unit as the console draws it (API `UnitOut`, console state, `operations.unit` event)."""
    current = getattr(unit, "current_assignments", None)
    if current is None:
        current = list(unit.assignments.filter(finished_at__isnull=True).select_related("intervention"))
    assignment = current[0] if current else None
    return {
        "id": unit.pk, "name": unit.name, "commune_id": unit.commune_id, "commune": unit.commune.name,
        "active": unit.active, "status_code": unit.status.code, "status_label": unit.status.label,
        "milestone": unit.milestone,
        "milestone_label": str(Milestone(unit.milestone).label), "color": unit.status.color,
        "status_at": unit.status_at.isoformat(),
        "lat": unit.lat, "lon": unit.lon, "position_at": unit.position_at.isoformat() if unit.position_at else None,
        "stale": unit.position_at is None or unit.position_at < stale_before(now),
        "assignment": {"id": assignment.pk, "intervention_id": assignment.intervention_id,
                       "intervention_number": assignment.intervention.number} if assignment else None,
    }


def unit_moved_payload(unit_id: int, lat: float, lon: float, at: datetime) -> dict[str, Any]:
    """One unit of an `operations.units_moved` event."""
    return {"id": unit_id, "lat": lat, "lon": lon, "at": at.isoformat()}


def intervention_payload(intervention: Intervention) -> dict[str, Any]:
    """An intervention (API `InterventionOut`, console state)."""
    return {
        "id": intervention.pk, "number": intervention.number, "commune_id": intervention.commune_id,
        "commune": intervention.commune.name, "type": intervention.intervention_type.label,
        "type_code": intervention.intervention_type.code, "priority": intervention.priority,
        "priority_label": str(Priority(intervention.priority).label), "status": intervention.status,
        "status_label": str(InterventionStatus(intervention.status).label), "origin": intervention.origin,
        "address": intervention.address, "lat": intervention.lat, "lon": intervention.lon,
        "description": intervention.description, "created_at": intervention.created_at.isoformat(),
        "closure_reason": intervention.closure_reason, "report_ids": intervention.report_ids,
    }


def log_entry_payload(entry: LogEntry) -> dict[str, Any]:
    """A main courante entry (API `LogEntryOut`, console state); persons are never part of it."""
    editable_until = entry.created_at + timedelta(minutes=settings.CONFIANCE_LOGBOOK_GRACE_MINUTES)
    corrected = entry.corrects if entry.corrects_id else None  # no read for the usual entry that corrects nothing
    author = entry.author if entry.author_id else None
    return {
        "id": entry.pk, "number": entry.number, "commune_id": entry.commune_id,
        "occurred_at": entry.occurred_at.isoformat(), "source": entry.source,
        "source_label": str(EntrySource(entry.source).label), "nature": entry.nature.label,
        "purpose": entry.purpose, "address": entry.address, "lat": entry.lat, "lon": entry.lon, "text": entry.text,
        "corrects": corrected.number if corrected is not None else None,
        "author": author.username if author is not None else None, "created_at": entry.created_at.isoformat(),
        "editable_until": editable_until.isoformat(),
    }


def log_entry_created(entry: LogEntry) -> LogEntryCreated:
    """The `operations.log_entry` event of a new entry: the payload above without its text or author."""
    payload = log_entry_payload(entry)
    return LogEntryCreated(entry_id=payload["id"], number=payload["number"], nature=payload["nature"],
                           source=payload["source"], occurred_at=payload["occurred_at"], address=payload["address"],
                           lat=payload["lat"], lon=payload["lon"], corrects=payload["corrects"] or "")
