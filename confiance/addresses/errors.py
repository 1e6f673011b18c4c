from enum import StrEnum

from confiance.core.errors import ApplicationError


class AddressesErrorCode(StrEnum):
    IMPORT_INVALID = "addresses_import_invalid"
    QUERY_INVALID = "addresses_query_invalid"


class AddressesError(ApplicationError):
    """An address import or search was refused."""
