from enum import StrEnum

from confiance.core.errors import ApplicationError


class TerritoryErrorCode(StrEnum):
    IMPORT_INVALID = "territory_import_invalid"
    ZONE_INVALID = "zone_invalid"
    ZONE_NAME_TAKEN = "zone_name_taken"
    POINT_INVALID = "point_invalid"
    CRISIS_COMMUNES_TOO_FEW = "territory_crisis_communes_too_few"
    CRISIS_NAME_TOO_LONG = "territory_crisis_name_too_long"
    CRISIS_ENDED = "territory_crisis_ended"


class TerritoryError(ApplicationError):
    """A territory operation was refused."""
