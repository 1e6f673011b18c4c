"""Error codes of police operations: each says what was refused."""

from enum import StrEnum

from confiance.core.errors import ApplicationError


class OperationsErrorCode(StrEnum):
    SENSITIVE_DATA = "operations_sensitive_data"
    TEXT_TOO_LONG = "operations_text_too_long"
    TEXT_EMPTY = "operations_text_empty"
    TIME_INVALID = "operations_time_invalid"
    LOCATION_INVALID = "operations_location_invalid"
    LOCATION_OUTSIDE_COMMUNE = "operations_location_outside_commune"
    NATURE_UNKNOWN = "operations_nature_unknown"
    SOURCE_UNKNOWN = "operations_source_unknown"
    TYPE_UNKNOWN = "operations_type_unknown"
    ORIGIN_UNKNOWN = "operations_origin_unknown"
    PRIORITY_UNKNOWN = "operations_priority_unknown"
    GRACE_PERIOD_OVER = "operations_grace_period_over"
    NOT_AUTHOR = "operations_not_author"
    PERSON_INVALID = "operations_person_invalid"
    LINK_INVALID = "operations_link_invalid"
    CLOSED = "operations_intervention_closed"
    CLOSURE_INVALID = "operations_closure_invalid"
    STEPS_PENDING = "operations_steps_pending"
    SKIP_REASON_MISSING = "operations_skip_reason_missing"
    UNIT_ENGAGED = "operations_unit_engaged"
    UNIT_UNAVAILABLE = "operations_unit_unavailable"
    UNIT_OUT_OF_REACH = "operations_unit_out_of_reach"
    UNIT_NOT_ENGAGED = "operations_unit_not_engaged"
    MILESTONE_UNKNOWN = "operations_milestone_unknown"
    MILESTONE_ORDER = "operations_milestone_order"
    MILESTONE_WRITTEN = "operations_milestone_written"
    STATUS_UNKNOWN = "operations_status_unknown"
    STATUS_NOT_CONFIGURED = "operations_status_not_configured"
    POSITION_INVALID = "operations_position_invalid"
    TRACKER_ID_MISSING = "operations_tracker_id_missing"
    TRACKER_ID_TAKEN = "operations_tracker_id_taken"
    ROADS_INVALID = "operations_roads_invalid"
    PHONE_INVALID = "operations_phone_invalid"
    DAY_SIGNED = "operations_day_signed"
    DAY_INVALID = "operations_day_invalid"
    PUSH_SUBSCRIPTION_INVALID = "operations_push_subscription_invalid"
    PUSH_NOT_FIELD = "operations_push_not_field"
    MESSAGE_NOT_CREW = "operations_message_not_crew"


class OperationsError(ApplicationError):
    """A police-operations action was refused; the message is shown to the agent."""
