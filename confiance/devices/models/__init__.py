"""Hypervision: gateways and sensors, their measurements and aggregates, dead letters, rules, alarms, security events.

One module per aggregate, as `services/` and `selectors/` are: registry, measurements, alarms, health, cameras (the
legal registry of video-protection and the register of extractions) and video (video analytics). Every model and
constant is imported here: `from confiance.devices.models import Device` is how the rest of the code names them.
"""

from confiance.devices.models.alarms import Alarm, AlarmStep, Rule, RuleState
from confiance.devices.models.cameras import (
    AUTHORISATION_YEARS,
    RETENTION_MAX_DAYS,
    Camera,
    CameraAuthorisation,
    CameraRevision,
    Extraction,
    ExtractionMedium,
    VideoProtectionNotice,
)
from confiance.devices.models.health import SecurityEvent
from confiance.devices.models.measurements import DeadLetter, Measurement, MeasurementAggregate
from confiance.devices.models.registry import IDENTIFIER_MAX_LENGTH, Device, DeviceQuantity, Gateway, RegistryRevision
from confiance.devices.models.video import Detection, DetectorMapping, VideoAnalyticsBasis, VideoDropCount

__all__ = [
    "AUTHORISATION_YEARS",
    "IDENTIFIER_MAX_LENGTH",
    "RETENTION_MAX_DAYS",
    "Alarm",
    "AlarmStep",
    "Camera",
    "CameraAuthorisation",
    "CameraRevision",
    "DeadLetter",
    "Detection",
    "DetectorMapping",
    "Device",
    "DeviceQuantity",
    "Extraction",
    "ExtractionMedium",
    "Gateway",
    "Measurement",
    "MeasurementAggregate",
    "RegistryRevision",
    "Rule",
    "RuleState",
    "SecurityEvent",
    "VideoAnalyticsBasis",
    "VideoDropCount",
    "VideoProtectionNotice",
]
