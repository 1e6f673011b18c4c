"""Inputs and results of the reports' services, as plain data: forms and protocols build them, services check them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from confiance.reports.choices import ReportSource
from confiance.reports.models import Report

MAX_PHOTOS = 3


@dataclass
class Reporter:
    """What the citizen chose to tell about themselves (all optional)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    consent: bool = False

    def is_empty(self) -> bool:
        return not (self.name or self.email or self.phone)


@dataclass
class ReportDraft:
    """A report as submitted, before validation."""

    lat: float
    lon: float
    service_code: str
    description: str = ""
    address: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    reporter: Reporter = field(default_factory=Reporter)
    photos: Sequence[tuple[str, bytes]] = ()
    jurisdiction: str = ""
    source: str = ReportSource.WEB


@dataclass(frozen=True)
class Submission:
    """The report a submission stored, or found again when the submission was replayed.

    A replay recognised by its content alone (no idempotency key) proves nothing about who sends it: anyone who
    read a public report can send it again. Its answer names the report but never discloses the tracking token."""

    report: Report
    created: bool
    by_content: bool = False

    @property
    def tracking_token(self) -> str:
        """The reporter's tracking token, or "" when this answer may not disclose it."""
        return "" if self.by_content else self.report.tracking_token


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: the reports it changed and, for the others, why not."""

    done: list[int]
    refused: dict[int, str]
