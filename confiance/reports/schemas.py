from datetime import datetime
from typing import Any

from ninja import Field, Schema

from confiance.core.parsing import DbId


class ReportOut(Schema):
    id: int
    commune_insee: str = Field(..., alias="commune.insee_code")
    commune_name: str = Field(..., alias="commune.name")
    service_code: str = Field(..., alias="category.service_code")
    category: str = Field(..., alias="category.name")
    status: str
    is_open: bool
    is_overdue: bool
    description: str
    description_hidden: bool
    address: str
    lat: float
    lon: float
    attributes: dict[str, Any]
    agency_responsible: str
    assigned_to_id: int | None
    duplicate_of_id: int | None
    reopen_requested: bool
    created_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    closed_at: datetime | None


class HistoryOut(Schema):
    id: int
    kind: str
    status: str
    status_from: str
    public_message: str
    internal_note: str
    actor_label: str
    data: dict[str, Any]
    created_at: datetime


class ReportDetailOut(ReportOut):
    history: list[HistoryOut]


class ReportCreate(Schema):
    lat: float
    lon: float
    service_code: str = Field(..., max_length=64)
    description: str = Field("", max_length=4000)
    address: str = Field("", max_length=300)
    attributes: dict[str, Any] = Field(default_factory=dict)


class ReportRespond(Schema):
    status: str = Field("", max_length=20)
    public_message: str = Field("", max_length=4000)
    internal_note: str = Field("", max_length=4000)


class ReportAssign(Schema):
    agent_id: DbId | None = None
    destination_id: DbId | None = None
    internal_note: str = Field("", max_length=2000)


class ReportDuplicate(Schema):
    original_id: DbId
    public_message: str = Field("", max_length=2000)


class AttributeOut(Schema):
    code: str
    datatype: str
    required: bool
    description: str
    values: list[dict[str, Any]]


class CategoryOut(Schema):
    id: int
    commune_insee: str = Field(..., alias="commune.insee_code")
    service_code: str
    name: str
    group: str
    notice: str
    sla_working_days: int | None
    duplicate_radius_m: int
    attributes: list[AttributeOut]
