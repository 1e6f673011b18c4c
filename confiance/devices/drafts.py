"""Inputs of the hypervision services: readings parsed from any adapter, and what could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Reading:
    """One value as a device announced it: its identifier, the quantity, the observation time (aware), the value."""

    device: str
    quantity: str
    observed_at: datetime
    value: float


@dataclass(frozen=True, slots=True)
class Rejected:
    """Something an adapter could not turn into readings, and why (a `DeadLetterReason`)."""

    reason: str
    detail: str = ""
    device: str = ""
    payload: str = ""
    topic: str = ""


@dataclass(slots=True)
class Parsed:
    """What an adapter made of one message or one batch."""

    readings: list[Reading] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def extend(self, other: Parsed) -> None:
        self.readings.extend(other.readings)
        self.rejected.extend(other.rejected)
