"""Inputs of the alert services: what an author writes, parsed by a form, the API or a command."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AlertDraft:
    """The authored content of an alert (French first, English optional); the area is a GeoJSON FeatureCollection."""

    event: str
    headline: str
    category: str = "Safety"
    response_type: str = "Monitor"
    urgency: str = "Expected"
    severity: str = "Moderate"
    certainty: str = "Likely"
    risk: str = "other"
    description: str = ""
    instruction: str = ""
    headline_en: str = ""
    description_en: str = ""
    instruction_en: str = ""
    onset: datetime | None = None
    expires: datetime | None = None
    area_description: str = ""
    area: dict[str, Any] = field(default_factory=dict)
    sector_ids: tuple[int, ...] = ()
    commune_ids: tuple[int, ...] = ()
    cap_status: str = "Actual"
    template_id: int | None = None
