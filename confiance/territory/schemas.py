from typing import Any

from ninja import Field, Schema


class CommuneOut(Schema):
    insee_code: str
    name: str
    intercommunality: str | None = Field(None, alias="intercommunality.name")
    centroid_lat: float
    centroid_lon: float
    h3_cell: str


class CommuneDetailOut(CommuneOut):
    geometry: dict[str, Any]


class SectorOut(Schema):
    id: int
    code: str
    name: str
    commune_insee: str = Field(..., alias="commune.insee_code")
    centroid_lat: float
    centroid_lon: float


class ZoneOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    commune_insee: str = Field(..., alias="commune.insee_code")
    geometry: dict[str, Any]


class ZoneCreate(Schema):
    commune_insee: str = Field(..., min_length=5, max_length=5)
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "autre"
    description: str = Field("", max_length=5000)
    geometry: dict[str, Any]


class LocationOut(Schema):
    commune_insee: str | None
    commune_name: str | None
    sector_code: str | None
    sector_name: str | None
    h3_cell: str
