from enum import StrEnum

from confiance.core.errors import ApplicationError


class PrivacyErrorCode(StrEnum):
    MOTIVE_REQUIRED = "motive_required"


class PrivacyError(ApplicationError):
    """A privacy rule refused the action."""
