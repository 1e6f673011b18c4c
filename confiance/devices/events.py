"""Live events of hypervision: alarms as they are raised and handled, escalations, sensors changing state.

Video-analytics detections go to the holders of the video review permission of the commune, never widened.

Sensor values and alarms are no personal data: every agent holding the devices permission in the commune receives
them, and a crisis sharing widens them like the units (a flood concerns the communes in crisis together). An
escalation is for the chefs de poste: it needs the devices management permission, which only they (and the
administrators) hold.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from confiance.accounts.choices import Permission
from confiance.core.live import LiveEvent
from confiance.core.live_rules import EventFamily


@dataclass(frozen=True)
class AlarmChanged(LiveEvent):
    """An alarm raised, cleared, acknowledged, resolved or given an intervention: its whole current state."""

    event_type = "devices.alarm"
    id: int
    commune_id: int
    rule: str
    rule_id: int
    device_id: int | None
    device_name: str
    severity: int
    severity_label: str
    state: str
    state_label: str
    message: str
    value: float | None
    raised_at: str
    acknowledged_at: str | None
    cleared_at: str | None
    resolved_at: str | None
    lat: float | None
    lon: float | None
    intervention_id: int | None


@dataclass(frozen=True)
class AlarmEscalated(LiveEvent):
    """Nobody took an alarm in account in time: the chefs de poste are called."""

    event_type = "devices.alarm_escalated"
    id: int
    commune_id: int
    rule: str
    device_id: int | None
    device_name: str
    severity: int
    severity_label: str
    message: str
    raised_at: str
    escalated_at: str
    minutes: int


@dataclass(frozen=True)
class DeviceStateChanged(LiveEvent):
    """A sensor's colour on the map: normal, in alarm, silent."""

    event_type = "devices.device_state"
    device_id: int
    commune_id: int
    name: str
    state: str
    state_label: str


@dataclass(frozen=True)
class DetectionChanged(LiveEvent):
    """A video-analytics detection arrived in the review queue, or was confirmed or dismissed (no identity in it:
    the model has none)."""

    event_type = "devices.detection"
    id: int
    commune_id: int
    camera_id: int
    camera_name: str
    event_type_code: str
    event_type_label: str
    observed_at: str
    score: float | None
    zone: str
    status: str
    status_label: str
    intervention_id: int | None
    lat: float
    lon: float
    alarm_id: int | None = None


LIVE_EVENT_FAMILIES = (
    EventFamily(prefix="devices.", permission=Permission.DEVICES_VIEW, crisis_shared=True, labels={
        AlarmChanged.event_type: _("Alarme capteur"),
        DeviceStateChanged.event_type: _("État d'un capteur"),
    }),
    EventFamily(prefix=AlarmEscalated.event_type, permission=Permission.DEVICES_MANAGE, crisis_shared=True, labels={
        AlarmEscalated.event_type: _("Alarme escaladée aux chefs de poste"),
    }),
    # Video analytics is for the operators of the review queue of the commune only: no crisis widening.
    EventFamily(prefix=DetectionChanged.event_type, permission=Permission.VIDEO_REVIEW, crisis_shared=False, labels={
        DetectionChanged.event_type: _("Détection de vidéo-analyse"),
    }),
)
