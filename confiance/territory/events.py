"""Live events published by the territory app."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily
from confiance.territory.choices import LIVE_VIEW_PERMISSION


@dataclass(frozen=True)
class TerritoryImported(LiveEvent):
    event_type = "territory.imported"
    level: str
    created: int
    updated: int
    level_label: str = ""


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


LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="territory.", permission=LIVE_VIEW_PERMISSION, labels={
        TerritoryImported.event_type: _("Territoire importé"),
        ZoneCreated.event_type: _("Zone créée"),
        ZoneDeleted.event_type: _("Zone supprimée"),
    }),
)
