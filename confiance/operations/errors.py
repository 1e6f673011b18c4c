from enum import StrEnum

from confiance.core.errors import ApplicationError


class OperationsErrorCode(StrEnum):
    SENSITIVE_DATA = "operations_sensitive_data"
    TEXT_TOO_LONG = "operations_text_too_long"
    TIME_INVALID = "operations_time_invalid"
    LOCATION_INVALID = "operations_location_invalid"
    NATURE_UNKNOWN = "operations_nature_unknown"
    TYPE_UNKNOWN = "operations_type_unknown"
    GRACE_PERIOD_OVER = "operations_grace_period_over"
    NOT_AUTHOR = "operations_not_author"
    PERSON_INVALID = "operations_person_invalid"
    LINK_INVALID = "operations_link_invalid"
    CLOSED = "operations_intervention_closed"
    CLOSURE_INVALID = "operations_closure_invalid"
    STEPS_PENDING = "operations_steps_pending"
    UNIT_ENGAGED = "operations_unit_engaged"
    UNIT_UNAVAILABLE = "operations_unit_unavailable"
    UNIT_OUT_OF_REACH = "operations_unit_out_of_reach"
    MILESTONE_ORDER = "operations_milestone_order"
    MILESTONE_WRITTEN = "operations_milestone_written"
    STATUS_UNKNOWN = "operations_status_unknown"
    POSITION_INVALID = "operations_position_invalid"
    TRACKER_INVALID = "operations_tracker_invalid"
    ROADS_INVALID = "operations_roads_invalid"


class OperationsError(ApplicationError):
    """A police-operations action was refused; the message is shown to the agent."""
