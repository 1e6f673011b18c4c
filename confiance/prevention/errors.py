"""Error codes of the prevention app: each says what was refused."""


from enum import StrEnum

from confiance.core.errors import ApplicationError


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


class PreventionErrorCode(StrEnum):
    # --- Participation citoyenne
    NO_PROTOCOL = "prevention_no_protocol"
    PROTOCOL_INVALID = "prevention_protocol_invalid"
    SECTOR_OTHER_COMMUNE = "prevention_sector_other_commune"
    REFERENT_REVOKED = "prevention_referent_revoked"
    REFERENT_INVALID = "prevention_referent_invalid"
    LINK_INVALID = "prevention_link_invalid"
    OUTSIDE_SECTOR = "prevention_outside_sector"
    OBSERVATION_INVALID = "prevention_observation_invalid"
    SENSITIVE_DATA = "prevention_sensitive_data"
    STATUS_INVALID = "prevention_status_invalid"
    MESSAGE_INVALID = "prevention_message_invalid"
    # --- Réserve communale
    VOLUNTEER_INVALID = "prevention_volunteer_invalid"
    VOLUNTEER_LEFT = "prevention_volunteer_left"
    MISSION_INVALID = "prevention_mission_invalid"
    MOBILISATION_INVALID = "prevention_mobilisation_invalid"
    MOBILISATION_CLOSED = "prevention_mobilisation_closed"
    HOURS_INVALID = "prevention_hours_invalid"


class PreventionError(ApplicationError):
    """A prevention write refused; the message says why, in French."""
