"""Error codes of the prevention app: each says what was refused."""

from enum import StrEnum

from confiance.core.errors import ApplicationError

# --- Opération Tranquillité Vacances ---------------------------------------------------------


class OtvErrorCode(StrEnum):
    OUTSIDE_TERRITORY = "otv_outside_territory"
    OUTSIDE_COMMUNE = "otv_outside_commune"
    NOT_OFFERED = "otv_not_offered"
    DATES_ORDER = "otv_dates_order"
    TOO_SOON = "otv_too_soon"
    TOO_FAR = "otv_too_far"
    TOO_SHORT = "otv_absence_too_short"
    TOO_LONG = "otv_absence_too_long"
    RESIDENCE_REFUSED = "otv_residence_refused"
    FIELD_INVALID = "otv_field_invalid"
    CLOSED = "otv_registration_closed"
    NOT_WATCHED = "otv_not_watched"
    POSITION_INVALID = "otv_position_invalid"


class OtvError(ApplicationError):
    """A registration or a passage refused; `details["field"]` names the field at fault when there is one."""

# --- end of Opération Tranquillité Vacances --------------------------------------------------
