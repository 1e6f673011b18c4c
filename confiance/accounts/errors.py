from enum import StrEnum

from confiance.core.errors import ApplicationError


class AccountErrorCode(StrEnum):
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    TOKEN_SCOPE_INVALID = "token_scope_invalid"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    TOKEN_AGENT_INACTIVE = "token_agent_inactive"
    TOKEN_LIFETIME_INVALID = "token_lifetime_invalid"
    USERNAME_TAKEN = "username_taken"
    ROLE_UNKNOWN = "role_unknown"
    ENROLMENT_LINK_LIFETIME_INVALID = "enrolment_link_lifetime_invalid"


class AccountError(ApplicationError):
    """An account operation was refused."""
