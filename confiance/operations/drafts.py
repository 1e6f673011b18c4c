"""Inputs of the operations services, as the API, the pages and the simulator hand them over."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from confiance.operations.choices import InterventionOrigin


@dataclass
class PersonDraft:
    """A person named in a main courante entry."""

    role: str
    last_name: str
    first_name: str = ""
    birth_date: date | None = None
    address: str = ""
    phone: str = ""


@dataclass
class EntryDraft:
    """A main courante entry to write (or the new text of one during its grace period)."""

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


@dataclass
class InterventionDraft:
    """An intervention to open."""

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
    caller_name: str = ""
    caller_phone: str = ""


@dataclass(frozen=True)
class PositionFix:
    """One position of a unit, from a tracker or a crew member's phone."""

    lat: float
    lon: float
    recorded_at: datetime
    accuracy_m: float | None = None
    speed_kmh: float | None = None
