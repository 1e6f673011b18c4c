"""Inputs of the prevention services, as the pages, the API and the demo hand them over."""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class RegistrationDraft:
    """What a resident writes in the OTV form, nothing more (LEGAL.md, "Opération Tranquillité Vacances")."""

    commune_id: int
    last_name: str
    first_name: str
    address: str
    lat: float
    lon: float
    residence: str
    leaves_on: date
    returns_on: date
    email: str
    phone: str
    phone_away: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    alarm: bool = False
    patrol_notes: str = ""


@dataclass
class RegistrationChange:
    """What the resident may change through the private link: dates, phones, the contact, the patrol notes."""

    leaves_on: date
    returns_on: date
    phone: str
    phone_away: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    alarm: bool = False
    patrol_notes: str = ""

# --- end of Opération Tranquillité Vacances --------------------------------------------------


@dataclass(frozen=True)
class ProtocolDraft:
    signed_on: date
    mayor: str
    prefect: str
    force: str
    commander: str
    contact_email: str
    share_referent_contact: bool = False


@dataclass(frozen=True)
class ReferentDraft:
    sector_id: int
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class ObservationDraft:
    """A fact: what, where, when, which vehicle; no field for a person."""

    kind: str
    occurred_at: datetime
    lat: float
    lon: float
    address: str = ""
    vehicle_type: str = ""
    vehicle_colour: str = ""
    direction: str = ""
    text: str = ""
    confirm_text: bool = False  # the referent read the warning and keeps the text


# --- Réserve communale ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerDraft:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    skills: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    joined_on: date | None = None


@dataclass(frozen=True)
class MobilisationDraft:
    title: str
    message: str
    crisis_id: int | None = None
    skills: list[str] = field(default_factory=list)  # only volunteers with one of these (none: every volunteer)


@dataclass(frozen=True)
class MissionDraft:
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = ""
    mobilisation_id: int | None = None
