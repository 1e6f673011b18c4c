"""Live events published by the territory app."""

from dataclasses import dataclass

from confiance.core.live import LiveEvent


@dataclass(frozen=True)
class TerritoryImported(LiveEvent):
    event_type = "territory.imported"
    level: str
    created: int
    updated: int


@dataclass(frozen=True)
class ZoneCreated(LiveEvent):
    event_type = "territory.zone_created"
    zone_id: int
    name: str
    kind: str


@dataclass(frozen=True)
class ZoneDeleted(LiveEvent):
    event_type = "territory.zone_deleted"
    zone_id: int
    name: str
