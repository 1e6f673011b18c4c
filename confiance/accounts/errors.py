from enum import StrEnum

from confiance.core.errors import ApplicationError


class AccountErrorCode(StrEnum):
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    TOKEN_SCOPE_INVALID = "token_scope_invalid"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    AGENT_INVALID = "agent_invalid"


class AccountError(ApplicationError):
    """An account operation was refused."""
