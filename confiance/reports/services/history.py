"""What every write of a report shares: its appended history entry, its row lock, who is told of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from confiance.core.actors import SYSTEM_LABEL, Acting
from confiance.core.inserts import insert_row
from confiance.reports.models import Report, ReportUpdate


def history_append(report: Report, *, actor: Acting | None, kind: str, now: datetime, status: str = "",
                   status_from: str = "", public_message: str = "", internal_note: str = "",
                   data: dict[str, Any] | None = None) -> ReportUpdate:
    """Append one entry to the report's history (never edited afterwards)."""
    agent = actor.agent if actor is not None else None
    label = actor.label if actor is not None else None
    return insert_row(ReportUpdate(
        report=report, kind=kind, status=status, status_from=status_from, public_message=public_message.strip(),
        internal_note=internal_note.strip(), actor=agent, actor_label=label or SYSTEM_LABEL, data=data or {},
        created_at=now,
    ))


def report_locked(report: Report) -> Report:
    """The report read again under a row lock, for a change."""
    # Only the report's row: a lock on its category would block (and deadlock with) the foreign-key checks of
    # reports being submitted in that category.
    return (Report.objects.select_for_update(of=("self",), no_key=True).select_related("category", "commune")
            .get(pk=report.pk))


def follower_emails(report: Report) -> list[str]:
    """Addresses of the people following the report."""
    return list(report.followers.values_list("email", flat=True))


def destination_emails(report: Report) -> list[str]:
    """Addresses of the services the report was sent to by e-mail."""
    return list(report.dispatches.exclude(destination__email="").values_list("destination__email", flat=True))
