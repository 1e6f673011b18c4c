"""Live events published by the reports app (no personal data in them)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily


@dataclass(frozen=True)
class ReportCreated(LiveEvent):
    event_type = "reports.created"
    report_id: int
    service_code: str
    category: str
    commune: str
    status: str
    status_label: str
    lat: float
    lon: float
    address: str
    created_at: str


@dataclass(frozen=True)
class ReportStatusChanged(LiveEvent):
    event_type = "reports.status_changed"
    report_id: int
    status: str
    status_label: str


@dataclass(frozen=True)
class ReportOverdue(LiveEvent):
    event_type = "reports.overdue"
    report_id: int
    category: str
    commune: str
    expected_at: str


@dataclass(frozen=True)
class ReportReopenRequested(LiveEvent):
    event_type = "reports.reopen_requested"
    report_id: int


LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="reports.", permission=Permission.LIVE_VIEW, labels={
        ReportCreated.event_type: _("Nouveau signalement"),
        ReportStatusChanged.event_type: _("Signalement mis à jour"),
        ReportOverdue.event_type: _("Signalement en retard"),
        ReportReopenRequested.event_type: _("Réouverture demandée"),
    }),
)
