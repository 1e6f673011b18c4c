"""Live events of the prevention app and who may receive them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily

# --- Participation citoyenne ---------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationReceived(LiveEvent):
    """A referent's observation, for the police municipale (no data of the referent)."""

    event_type = "prevention.participation.observation"
    observation_id: int
    kind: str
    kind_label: str
    sector: str
    address: str
    lat: float
    lon: float
    occurred_at: str
    vehicle: str
    name: str  # the one-line summary the agents' home feed shows


@dataclass(frozen=True)
class ObservationChanged(LiveEvent):
    event_type = "prevention.participation.observation_changed"
    observation_id: int
    status: str
    status_label: str
    name: str


# --- Réserve communale ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MobilisationAnswered(LiveEvent):
    """A volunteer answered a mobilisation: the page of the mobilisation updates its counts."""

    event_type = "prevention.reserve.answer"
    mobilisation_id: int
    volunteer_id: int
    volunteer: str
    answer: str
    answer_label: str
    available: int
    unavailable: int
    name: str


LIVE_EVENT_FAMILIES = (
    # Observations are for the police municipale (prevention.view), not for the élus who name the referents.
    EventFamily(prefix="prevention.participation.", permission=Permission.PREVENTION_VIEW, labels={
        ObservationReceived.event_type: _("Observation d'un référent"),
        ObservationChanged.event_type: _("Suivi d'une observation"),
    }),
    EventFamily(prefix="prevention.reserve.", permission=Permission.RESERVE_MANAGE, crisis_shared=True, labels={
        MobilisationAnswered.event_type: _("Réponse d'un réserviste"),
    }),
)
