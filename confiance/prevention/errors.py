"""Error codes of the prevention app: each says what was refused."""

from enum import StrEnum

from confiance.core.errors import ApplicationError


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
