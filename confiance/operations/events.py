"""Live events of police operations; only agents with the operations permission receive them."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily


@dataclass(frozen=True)
class LogEntryCreated(LiveEvent):
    event_type = "operations.log_entry"
    entry_id: int
    number: str
    nature: str
    source: str
    occurred_at: str
    address: str
    lat: float | None
    lon: float | None
    corrects: str


@dataclass(frozen=True)
class InterventionCreated(LiveEvent):
    event_type = "operations.intervention_created"
    intervention_id: int
    number: str
    type: str
    priority: int
    priority_label: str
    lat: float
    lon: float
    address: str
    urgent: bool


@dataclass(frozen=True)
class InterventionChanged(LiveEvent):
    event_type = "operations.intervention_changed"
    intervention_id: int
    number: str
    status: str
    status_label: str
    priority: int
    closure_reason: str


@dataclass(frozen=True)
class StepSkipped(LiveEvent):
    event_type = "operations.step_skipped"
    intervention_id: int
    number: str
    step: str
    reason: str
    agent: str


@dataclass(frozen=True)
class UnitChanged(LiveEvent):
    event_type = "operations.unit"
    id: int
    name: str
    commune_id: int
    commune: str
    active: bool
    status_code: str
    status_label: str
    milestone: str
    milestone_label: str
    color: str
    status_at: str
    lat: float | None
    lon: float | None
    position_at: str | None
    stale: bool
    assignment: dict[str, Any] | None


@dataclass(frozen=True)
class UnitsMoved(LiveEvent):
    event_type = "operations.units_moved"
    units: list[dict[str, Any]]


# Police data is for the police municipale and the supervision centre; a crisis sharing widens it.
LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="operations.", permission=Permission.OPERATIONS_VIEW, crisis_shared=True, labels={
        InterventionCreated.event_type: _("Nouvelle intervention"),
        InterventionChanged.event_type: _("Intervention mise à jour"),
        LogEntryCreated.event_type: _("Main courante"),
        StepSkipped.event_type: _("Étape obligatoire sautée"),
        UnitChanged.event_type: _("Unité"),
    }),
)
