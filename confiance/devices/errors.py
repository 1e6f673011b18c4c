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
    CAMERA_INVALID = "devices_camera_invalid"
    CAMERA_PURPOSE_INVALID = "devices_camera_purpose_invalid"
    CAMERA_RETENTION_INVALID = "devices_camera_retention_invalid"
    CAMERA_AUTHORISATION_EXPIRED = "devices_camera_authorisation_expired"
    CAMERA_AUTHORISATION_FUTURE = "devices_camera_authorisation_future"
    CAMERA_MASK_INVALID = "devices_camera_mask_invalid"
    CAMERA_NOT_AUTHORISED = "devices_camera_not_authorised"
    CAMERA_NO_STREAM = "devices_camera_no_stream"
    EXTRACTION_INVALID = "devices_extraction_invalid"
    EXTRACTION_DIGEST_INVALID = "devices_extraction_digest_invalid"
    EXTRACTION_ALREADY_DELIVERED = "devices_extraction_already_delivered"
    EXTRACTION_HOLD_RELEASED = "devices_extraction_hold_released"


class DevicesError(ApplicationError):
    pass
