"""Inputs of the hypervision services: readings parsed from any adapter, and what could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


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


@dataclass(frozen=True, slots=True)
class DetectionDraft:
    """A video-analytics event as an adapter read it, already stripped: only what can be stored or matched.

    No face, plate, sub-label, identity or raw payload reaches this far: adapters copy the whitelisted fields
    (camera, labels, zones, score, time) and turn the detector's event id into a digest (`key`) at once."""

    camera: str  # the camera's device identifier
    key: str  # digest of the detector's event id (or of camera, label and time)
    observed_at: datetime
    labels: tuple[str, ...] = ()  # detector labels, slugs only, matched against the camera's mappings
    zones: tuple[str, ...] = ()  # detector zones, slugs only
    event_type: str = ""  # a legal type given directly (webhook), checked against the closed list
    score: float | None = None
    final: bool = True  # the event's last message: a refusal is counted once per event, on this message


@dataclass(frozen=True)
class CameraDraft:
    """A camera as a form, the API or the demo give it, checked by `camera_register` / `camera_update`."""

    identifier: str
    name: str
    lat: float
    lon: float
    purposes: tuple[str, ...]
    authorisation_reference: str
    authorisation_date: date
    authorisation_retention_days: int
    retention_days: int
    address: str = ""
    camera_type: str = "FIXED"
    direction_deg: int | None = None
    angle_deg: int | None = None
    range_m: int | None = None
    privacy_masks: tuple = ()  # GeoJSON Polygon geometries
    vms_reference: str = ""
    vms_url: str = ""
    onvif_profile: str = ""


@dataclass(frozen=True)
class MediumDraft:
    file_name: str
    sha256: str


@dataclass(frozen=True)
class ExtractionDraft:
    """A judicial requisition as recorded in the register of extractions."""

    officer_name: str
    officer_service: str
    requisition_reference: str
    camera_ids: tuple[int, ...]
    span_start: datetime
    span_end: datetime
    requested_at: datetime | None = None
