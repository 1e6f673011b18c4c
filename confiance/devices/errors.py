"""Error codes of hypervision: each says what was refused."""

from enum import StrEnum

from confiance.core.errors import ApplicationError


class DevicesErrorCode(StrEnum):
    DEVICE_UNKNOWN = "devices_device_unknown"
    GATEWAY_TOKEN_INVALID = "devices_gateway_token_invalid"
    PAYLOAD_MALFORMED = "devices_payload_malformed"
    PAYLOAD_TOO_LARGE = "devices_payload_too_large"
    SCHEMA_INVALID = "devices_schema_invalid"
    ALARM_UNKNOWN = "devices_alarm_unknown"
    ALARM_RESOLVED = "devices_alarm_resolved"
    ALARM_ALREADY_ACKNOWLEDGED = "devices_alarm_already_acknowledged"
    ALARM_HAS_INTERVENTION = "devices_alarm_has_intervention"
    RULE_INVALID = "devices_rule_invalid"
    IMPORT_INVALID = "devices_import_invalid"
    DETECTION_REVIEWED = "devices_detection_already_reviewed"
    VIDEO_BASIS_INVALID = "devices_video_basis_invalid"
    VIDEO_NO_INTERVENTION_TYPE = "devices_video_no_intervention_type"


class DevicesError(ApplicationError):
    pass
