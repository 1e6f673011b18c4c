from datetime import datetime
from typing import Any

from ninja import Field, Schema

from confiance.core.parsing import BoundedDate, DbId


class QueryIn(Schema):
    communes: list[str] = Field(..., description="Codes INSEE des communes", min_length=1, max_length=100)
    start: BoundedDate
    end: BoundedDate
    sources: list[str] = Field(default_factory=lambda: ["reports", "interventions", "logbook"])
    sector_ids: list[DbId] = Field(default_factory=list, max_length=500)
    categories: list[str] = Field(default_factory=list, max_length=200)
    dataset_id: DbId | None = None


class RunIn(Schema):
    kind: str = Field(..., description="hotspots, near_repeat, time ou forecast")
    query: QueryIn
    options: dict[str, Any] = Field(default_factory=dict)


class RunOut(Schema):
    id: str
    kind: str
    status: str
    progress: float
    stage: str
    created_at: datetime
    finished_at: datetime | None
    error: dict[str, Any] | None
    result: dict[str, Any] | None


class PeriodIn(Schema):
    communes: list[str] = Field(..., description="Codes INSEE des communes", min_length=1, max_length=100)
    start: BoundedDate
    end: BoundedDate


class OpenDataIn(PeriodIn):
    sources: list[str] = Field(default_factory=lambda: ["reports"])
