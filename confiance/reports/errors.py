from enum import StrEnum

from confiance.core.errors import ApplicationError


class ReportErrorCode(StrEnum):
    LOCATION_INVALID = "report_location_invalid"
    OUTSIDE_TERRITORY = "report_outside_territory"
    WRONG_JURISDICTION = "report_wrong_jurisdiction"
    CATEGORY_UNKNOWN = "report_category_unknown"
    ATTRIBUTE_MISSING = "report_attribute_missing"
    ATTRIBUTE_INVALID = "report_attribute_invalid"
    DESCRIPTION_TOO_LONG = "report_description_too_long"
    PHOTO_INVALID = "report_photo_invalid"
    PHOTO_TOO_LARGE = "report_photo_too_large"
    TOO_MANY_PHOTOS = "report_too_many_photos"
    CONTACT_INVALID = "report_contact_invalid"
    CONSENT_REQUIRED = "report_consent_required"
    TRANSITION_REFUSED = "report_transition_refused"
    DUPLICATE_INVALID = "report_duplicate_invalid"
    NOT_CLOSED = "report_not_closed"
    ASSIGNEE_INVALID = "report_assignee_invalid"
    API_KEY_INVALID = "report_api_key_invalid"


class ReportError(ApplicationError):
    """A report operation was refused; the message is shown to the citizen or the agent."""
