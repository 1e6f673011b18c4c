"""Error codes of population alerts: each says what was refused."""

from enum import StrEnum

from confiance.core.errors import ApplicationError


class AlertsErrorCode(StrEnum):
    ALERT_UNKNOWN = "alerts_alert_unknown"
    AREA_INVALID = "alerts_area_invalid"
    AREA_MISSING = "alerts_area_missing"
    VALIDITY_INVALID = "alerts_validity_invalid"
    NOT_EDITABLE = "alerts_not_editable"
    NOT_SUBMITTED = "alerts_not_submitted"
    NOT_APPROVED = "alerts_not_approved"
    OWN_DRAFT = "alerts_own_draft"
    APPROVER_NOT_ALLOWED = "alerts_approver_not_allowed"
    REFERENCE_UNKNOWN = "alerts_reference_unknown"
    REFERENCE_NOT_IN_FORCE = "alerts_reference_not_in_force"
    IDENTIFIER_TAKEN = "alerts_identifier_taken"
    CAP_INVALID = "alerts_cap_invalid"
    CAP_UNSAFE = "alerts_cap_unsafe"
    CAP_TOO_LARGE = "alerts_cap_too_large"
    SOURCE_REFUSED = "alerts_source_refused"
    TEMPLATE_UNKNOWN = "alerts_template_unknown"


class AlertsError(ApplicationError):
    pass
