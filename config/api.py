"""The single NinjaAPI object: authentication, the one error shape, and the routers of every app."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from confiance.accounts.api import router as accounts_router
from confiance.accounts.api_auth import AgentSessionAuth, BearerTokenAuth
from confiance.addresses.api import router as addresses_router
from confiance.analytics.api import router as analytics_router
from confiance.core.errors import ApplicationError, ErrorCode
from confiance.core.parsing import BoundedParser
from confiance.devices.api import router as devices_router
from confiance.operations.api import router as operations_router
from confiance.privacy.api import router as privacy_router
from confiance.reports.api import router as reports_router
from confiance.territory.api import router as territory_router

api = NinjaAPI(
    title="Confiance API",
    version="1",
    description="API de la plateforme Confiance. Erreurs : {code, message, details}.",
    auth=[BearerTokenAuth(), AgentSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    parser=BoundedParser(),  # JSON depth, NUL (confiance.core.parsing)
)


def _error(request, status: int, code: str, message: str, details: dict | None = None):
    return api.create_response(request, {"code": code, "message": message, "details": details or {}}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", [])), "message": error.get("msg", ""),
         "type": error.get("type", "")}
        for error in exc.errors
    ]
    return _error(request, 422, ErrorCode.INVALID_INPUT, "Données invalides.", {"errors": errors})


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, ErrorCode.NOT_AUTHENTICATED, "Authentification requise (session ou jeton d'API).")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, ErrorCode.NOT_FOUND, "Objet introuvable.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = {400: ErrorCode.INVALID_INPUT, 403: ErrorCode.PERMISSION_DENIED, 404: ErrorCode.NOT_FOUND,
            409: ErrorCode.CONFLICT, 429: ErrorCode.RATE_LIMITED}.get(exc.status_code, ErrorCode.INVALID_INPUT)
    return _error(request, exc.status_code, code, str(exc))


api.add_router("/accounts", accounts_router)
api.add_router("/territory", territory_router)
api.add_router("/addresses", addresses_router)
api.add_router("/privacy", privacy_router)
api.add_router("", reports_router)
api.add_router("", operations_router)
api.add_router("", analytics_router)
api.add_router("/devices", devices_router)


def unmatched(request, rest: str = ""):
    """Any path under /api/v1/ that names no endpoint (or an id the path converter refuses, such as -1): the API's
    own error shape, never the site's HTML page."""
    return _error(request, 404, ErrorCode.NOT_FOUND, "Aucune ressource à cette adresse.")
