from enum import StrEnum

from confiance.core.errors import ApplicationError


class PrivacyErrorCode(StrEnum):
    MOTIVE_REQUIRED = "motive_required"
    NOT_ERASURE = "not_erasure"
    EXTENSION_REASON_REQUIRED = "extension_reason_required"
    ALREADY_EXTENDED = "already_extended"
    REQUEST_CLOSED = "request_closed"
    NO_CRITERION = "no_criterion"
    INVALID = "invalid"


class PrivacyError(ApplicationError):
    """A privacy rule refused the action."""
