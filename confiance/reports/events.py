"""Live events published by the reports app (no personal data in them)."""

from dataclasses import dataclass

from confiance.core.live import LiveEvent


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
