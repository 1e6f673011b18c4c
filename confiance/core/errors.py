"""One error shape for the whole API: every domain error is an ApplicationError."""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Error codes shared by every app; apps extend them with their own enums."""

    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_INPUT = "invalid_input"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"


class ApplicationError(Exception):
    """An error a client can act upon: a stable code, a French message, details, an HTTP status."""

    status_code = 400
    default_code: str = ErrorCode.INVALID_INPUT
    default_message = "La requête est invalide."

    def __init__(
        self,
        code: str | None = None,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        self.code = str(code or self.default_code)
        self.message = str(message or self.default_message)
        self.details = details or {}
        if status_code is not None:
            self.status_code = status_code
        super().__init__(f"{self.code}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        """The body the API returns for this error."""
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFoundError(ApplicationError):
    """The object does not exist, or the actor may not know that it exists."""

    status_code = 404
    default_code = ErrorCode.NOT_FOUND
    default_message = "Objet introuvable."


class PermissionDeniedError(ApplicationError):
    """The actor is known but lacks the permission for this action."""

    status_code = 403
    default_code = ErrorCode.PERMISSION_DENIED
    default_message = "Vous n'avez pas le droit d'effectuer cette action."


class NotAuthenticatedError(ApplicationError):
    """No valid credentials were given (missing, expired or revoked)."""

    status_code = 401
    default_code = ErrorCode.NOT_AUTHENTICATED
    default_message = "Authentification requise."

