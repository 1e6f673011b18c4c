"""Live events of population alerts: an alert drafted, submitted, approved, published, replaced or cancelled.

An alert's whole life is for the agents of its commune holding the alerts permission; the public learns of a
published alert through the public page, the Atom feed and the delivery channels, not through the live stream.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily


@dataclass(frozen=True)
class AlertChanged(LiveEvent):
    """An alert's current state, sent at every step of its life."""

    event_type = "alerts.alert"
    id: int
    commune_id: int
    identifier: str
    msg_type: str
    status: str
    status_label: str
    headline: str
    severity: str
    severity_label: str
    author_id: int
    approver_id: int | None
    published_at: str | None


@dataclass(frozen=True)
class IncomingAlertReceived(LiveEvent):
    """A CAP message of another authority was imported for the commune."""

    event_type = "alerts.incoming"
    id: int
    commune_id: int
    sender_name: str
    headline: str
    severity: str
    severity_label: str = ""
    msg_type: str = "Alert"
    expires: str | None = None


LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="alerts.", permission=Permission.ALERTS_VIEW, crisis_shared=False, labels={
        AlertChanged.event_type: _("Alerte à la population"),
        IncomingAlertReceived.event_type: _("Alerte reçue d'une autre autorité"),
    }),
)
