"""API schemas of population alerts: fields listed explicitly (the author's name is an agent's, not shown)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class AlertOut(Schema):
    id: int
    commune_id: int
    commune: str
    identifier: str
    sender: str
    msg_type: str
    msg_type_label: str
    status: str
    status_label: str
    cap_status: str
    event: str
    category: str
    urgency: str
    severity: str
    severity_label: str
    certainty: str
    response_type: str
    headline: str
    description: str
    instruction: str
    headline_en: str
    instruction_en: str
    onset: datetime | None
    expires: datetime | None
    area_description: str
    area: dict
    sector_ids: list[int]
    references: list[str]
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    cap_url: str | None
