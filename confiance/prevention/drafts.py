"""Inputs of the prevention services, as the pages, the API and the demo hand them over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# --- Opération Tranquillité Vacances ---------------------------------------------------------


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
