"""Where a report goes: the commune's routing rules, the service-level target, the dispatches to destinations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from confiance.core.inserts import insert_rows
from confiance.reports.choices import DestinationKind, DispatchStatus
from confiance.reports.models import Category, Destination, Report, ReportDispatch, ReportNotification
from confiance.reports.notifications import notification_render, notifications_store
from confiance.reports.reference import CommuneSetup, reference_cache
from confiance.reports.sla import add_working_days


def routing_destinations(*, commune_id: int, category_id: int, sector_id: int | None) -> list[Destination]:
    """Destinations of a report, from the commune's ordered rules (first final match stops)."""
    return destinations_for(reference_cache.current().commune(commune_id), category_id=category_id,
                            sector_id=sector_id)


def destinations_for(setup: CommuneSetup | None, *, category_id: int, sector_id: int | None) -> list[Destination]:
    """Destinations from a commune's reference data already in hand."""
    chosen: dict[int, Destination] = {}
    for rule in setup.rules if setup is not None else ():
        if rule.category_id not in (None, category_id) or rule.sector_id not in (None, sector_id):
            continue
        for destination in rule.destinations.all():
            if destination.active:
                chosen.setdefault(destination.pk, destination)
        if rule.final:
            break
    return list(chosen.values())


def expected_at(category: Category, start: datetime) -> datetime | None:
    """When a report of this category received at `start` is due, in working days; None without a target."""
    if category.sla_working_days is None:
        return None
    return add_working_days(start, category.sla_working_days)


def dispatch_row(report: Report, destination: Destination, now: datetime, mails: list[ReportNotification],
                 tokens: dict[str, str] | None = None) -> ReportDispatch:
    """The dispatch of a report to a destination; an e-mail to the service joins `mails`."""
    row = ReportDispatch(report=report, destination=destination, created_at=now, sent_at=now)
    if destination.kind == DestinationKind.POLICE or not destination.email:
        # Handled inside Confiance: the report is on the service's list as soon as it is committed.
        row.status = DispatchStatus.DELIVERED
    else:
        mails += notification_render(report=report, recipients=[destination.email], template="new_for_service",
                                     context={"destination": destination}, tokens=tokens)
        row.status = DispatchStatus.SENT
        row.attempts = 1
    return row


def dispatch_to(report: Report, destinations: Iterable[Destination], now: datetime) -> list[ReportDispatch]:
    """Send the report to destinations it was not sent to yet; agency_responsible lists all of them."""
    already = set(report.dispatches.values_list("destination_id", flat=True))
    mails: list[ReportNotification] = []
    rows = [dispatch_row(report, destination, now, mails) for destination in destinations
            if destination.pk not in already]
    if rows:
        insert_rows(rows)
        notifications_store(mails)
        names = report.dispatches.order_by("id").values_list("destination__name", flat=True)
        report.agency_responsible = ", ".join(names)[:300]
        Report.objects.filter(pk=report.pk).update(agency_responsible=report.agency_responsible)
    return rows
