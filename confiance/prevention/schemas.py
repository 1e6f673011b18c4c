"""API schemas of the prevention app: fields listed explicitly (personal data opt-in)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from confiance.core.parsing import DbId

# --- Opération Tranquillité Vacances ---------------------------------------------------------


class OtvHomeOut(Schema):
    """A home to watch, as a patrol needs it: no e-mail, no resident's name."""

    id: int
    reference: str
    sector: str | None
    address: str
    lat: float
    lon: float
    leaves_on: date
    returns_on: date
    alarm: bool
    patrol_notes: str
    contact_phone: str
    passages: int
    anomalies: int
    last_passage: datetime | None
    tour_position: int | None = Field(None, description="Rang dans la tournée (secteur choisi), à partir de 1")


class OtvPassageIn(Schema):
    registration_id: DbId
    outcome: str = Field(description="ras ou anomalie")
    note: str = Field("", max_length=1000)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    acknowledge_sensitive: bool = False


class OtvPassageOut(Schema):
    id: int
    registration_id: int
    passed_at: datetime
    outcome: str
    log_entry_number: str

# --- end of Opération Tranquillité Vacances --------------------------------------------------
