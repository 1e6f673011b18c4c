"""Live events of crisis mode: one family, for the agents who follow crises, widened by the crisis sharing."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily


@dataclass(frozen=True)
class CrisisChanged(LiveEvent):
    """Something happened in a crisis (declared, commune added, step ticked, log entry, ended): pages reload
    its state. The payload names no person."""

    event_type = "crisis.changed"
    crisis_id: int
    what: str  # a CrisisLogKind value
    title: str
    active: bool


# Crisis log and checklist: for the agents following crises in a commune of the crisis.
LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="crisis.", permission=Permission.CRISIS_VIEW, crisis_shared=True, labels={
        CrisisChanged.event_type: _("Crise"),
    }),
)
