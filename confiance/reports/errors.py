from enum import StrEnum

from confiance.core.errors import ApplicationError


class ReportErrorCode(StrEnum):
    """What went wrong with a report operation, as API clients read it."""

    LOCATION_INVALID = "report_location_invalid"
    OUTSIDE_TERRITORY = "report_outside_territory"
    WRONG_JURISDICTION = "report_wrong_jurisdiction"
    CATEGORY_UNKNOWN = "report_category_unknown"
    ATTRIBUTE_MISSING = "report_attribute_missing"
    ATTRIBUTE_INVALID = "report_attribute_invalid"
    DESCRIPTION_TOO_LONG = "report_description_too_long"
    PHOTO_INVALID = "report_photo_invalid"
    PHOTO_TOO_LARGE = "report_photo_too_large"
    PHOTO_BUSY = "report_photo_busy"
    SUBMISSION_CONFLICT = "report_submission_conflict"
    TOO_MANY_PHOTOS = "report_too_many_photos"
    CONTACT_INVALID = "report_contact_invalid"
    CONSENT_REQUIRED = "report_consent_required"
    PHOTO_NOT_FOUND = "report_photo_not_found"
    TRANSITION_REFUSED = "report_transition_refused"
    STATUS_UNKNOWN = "report_status_unknown"
    NOTHING_TO_RECORD = "report_nothing_to_record"
    DUPLICATE_STATUS_REFUSED = "report_duplicate_status_refused"
    DUPLICATE_INVALID = "report_duplicate_invalid"
    NOT_CLOSED = "report_not_closed"
    REASON_TOO_SHORT = "report_reason_too_short"
    TEXT_REQUIRED = "report_text_required"
    ASSIGNEE_INVALID = "report_assignee_invalid"
    DESTINATION_UNKNOWN = "report_destination_unknown"
    NOTHING_TO_ASSIGN = "report_nothing_to_assign"
    NOTHING_TO_MODERATE = "report_nothing_to_moderate"
    CLIENT_NOT_ALLOWED = "report_client_not_allowed"
    API_KEY_MISSING = "report_api_key_missing"
    API_KEY_INVALID = "report_api_key_invalid"
    CHOSEN_KEY_REFUSED = "report_chosen_key_refused"


class ReportError(ApplicationError):
    """A report operation was refused; the message is shown to the citizen or the agent."""
