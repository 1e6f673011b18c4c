from enum import StrEnum

from confiance.core.errors import ApplicationError


class TerritoryErrorCode(StrEnum):
    IMPORT_INVALID = "territory_import_invalid"
    ZONE_INVALID = "zone_invalid"
    ZONE_NAME_TAKEN = "zone_name_taken"
    POINT_INVALID = "point_invalid"


class TerritoryError(ApplicationError):
    """A territory operation was refused."""
