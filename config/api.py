"""The single NinjaAPI object: authentication, the one error shape, and the routers of every app."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from confiance.accounts.api import router as accounts_router
from confiance.accounts.api_auth import AgentSessionAuth, BearerTokenAuth
from confiance.addresses.api import router as addresses_router
from confiance.alerts.api import router as alerts_router
from confiance.alerts.delivery_api import router as alerts_delivery_router
from confiance.analytics.api import router as analytics_router
from confiance.core.errors import ApplicationError, ErrorCode
from confiance.core.parsing import BoundedParser
from confiance.devices.api import router as devices_router
from confiance.operations.api import router as operations_router
from confiance.prevention.api import router as prevention_router
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


# The names a person reads for the fields most often refused; any other field is named by its own last path
# element (never "body.payload.lat": the request's structure is no concern of the reader).
FIELD_LABELS = {
    "lat": gettext_lazy("latitude"), "lon": gettext_lazy("longitude"), "commune": gettext_lazy("commune"),
    "type_id": gettext_lazy("type"), "priority": gettext_lazy("priorité"), "origin": gettext_lazy("origine"),
    "address": gettext_lazy("adresse"), "description": gettext_lazy("description"), "text": gettext_lazy("texte"),
    "unit_id": gettext_lazy("unité"), "reason": gettext_lazy("motif"), "status": gettext_lazy("statut"),
    "caller_name": gettext_lazy("nom du requérant"), "caller_phone": gettext_lazy("téléphone du requérant"),
}
_CONTAINERS = {"body", "payload", "query", "path", "header", "cookie", "form", "file"}


def field_label(loc) -> str:
    """The French name of a refused field: its label when known, else the last meaningful element of its path."""
    parts = [str(part) for part in loc or () if str(part) not in _CONTAINERS and not str(part).isdigit()]
    if not parts:
        return ""
    last = parts[-1]
    return str(FIELD_LABELS.get(last, last))


def validation_message(errors) -> str:
    names = list(dict.fromkeys(name for name in (field_label(error.get("loc")) for error in errors) if name))
    if not names:
        return _("Données invalides.")
    return _("Données invalides : %(fields)s.") % {"fields": ", ".join(names)}


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", [])), "label": field_label(error.get("loc")),
         "message": error.get("msg", ""), "type": error.get("type", "")}
        for error in exc.errors
    ]
    return _error(request, 422, ErrorCode.INVALID_INPUT, validation_message(exc.errors), {"errors": errors})


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
api.add_router("", alerts_router)
api.add_router("/alerts-delivery", alerts_delivery_router)
api.add_router("", prevention_router)


def unmatched(request, rest: str = ""):
    """Any path under /api/v1/ that names no endpoint (or an id the path converter refuses, such as -1): the API's
    own error shape, never the site's HTML page."""
    return _error(request, 404, ErrorCode.NOT_FOUND, "Aucune ressource à cette adresse.")
