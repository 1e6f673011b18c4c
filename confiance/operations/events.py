"""Live events of police operations; only agents with the operations permission receive them."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent, PayloadRule, StreamFilter
from confiance.core.live_rules import EventFamily
from confiance.operations.models import Assignment, Unit


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


@dataclass(frozen=True)
class UnitMessageSent(LiveEvent):
    """A message to a unit's crew, or its acknowledgement (`acknowledged_at` set)."""

    event_type = "operations.unit_message"
    id: int
    unit_id: int
    unit: str
    text: str
    sent_by: str
    sent_at: str
    acknowledged_by: str
    acknowledged_at: str | None


# Police data is for the police municipale and the supervision centre; a crisis sharing widens it.
LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="operations.", permission=Permission.OPERATIONS_VIEW, crisis_shared=True, labels={
        InterventionCreated.event_type: _("Nouvelle intervention"),
        InterventionChanged.event_type: _("Intervention mise à jour"),
        LogEntryCreated.event_type: _("Main courante"),
        StepSkipped.event_type: _("Étape obligatoire sautée"),
        UnitChanged.event_type: _("Unité"),
        UnitMessageSent.event_type: _("Message à une unité"),
    }),
)


def field_scope(viewer: Any, base: StreamFilter) -> StreamFilter:
    """The field page's stream (`?scope=terrain`): its own unit's state and messages, and the intervention it is
    engaged on (the page reconnects when the engagement changes); nothing of other units."""
    agent = getattr(viewer, "agent", None)
    unit_ids = frozenset(Unit.objects.filter(agents=agent, active=True).values_list("pk", flat=True)) if agent \
        else frozenset()
    interventions = frozenset(Assignment.objects.filter(unit_id__in=unit_ids, finished_at__isnull=True)
                              .values_list("intervention_id", flat=True))
    rules = (PayloadRule(UnitChanged.event_type, "id", unit_ids),
             PayloadRule(UnitMessageSent.event_type, "unit_id", unit_ids),
             PayloadRule(InterventionChanged.event_type, "intervention_id", interventions))
    return StreamFilter(commune_ids=base.commune_ids, include_platform=False, only=rules)


LIVE_STREAM_SCOPES = {"terrain": field_scope}
