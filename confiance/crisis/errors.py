from enum import StrEnum

from django.utils.translation import gettext as _

from confiance.core.errors import ApplicationError


class CrisisErrorCode(StrEnum):
    INVALID_ZONE = "crisis_invalid_zone"
    NO_COMMUNE = "crisis_no_commune"
    ENDED = "crisis_ended"
    NOT_ENDED = "crisis_not_ended"
    TEXT_EMPTY = "crisis_text_empty"
    TEXT_TOO_LONG = "crisis_text_too_long"
    UNKNOWN_STEP = "crisis_unknown_step"
    UNKNOWN_KIND = "crisis_unknown_kind"


class CrisisError(ApplicationError):
    """A crisis write refused for a reason the user can fix (400, or 409 for the state of the crisis)."""

    def __init__(self, code: CrisisErrorCode, message: str | None = None, *, details: dict | None = None,
                 status_code: int = 400) -> None:
        super().__init__(str(code), message or _("Demande refusée."), details=details or {}, status_code=status_code)
