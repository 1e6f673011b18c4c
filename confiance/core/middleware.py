"""Query strings and paths are read through the bounded parsers' rule for text: a NUL character (which PostgreSQL
refuses in text) anywhere in a query string or in the path (a URL parameter such as a code or an identifier) is a
400, before any view filters on it. Open311 answers it in its own format
(confiance.reports.open311.parameters); the API, and the pages' JSON endpoints, in the {code, message, details}
shape."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from confiance.core.errors import ErrorCode
from confiance.core.parsing import ParseError, check_query

OWN_FORMAT_PREFIXES = ("/open311/",)


class BoundedQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OWN_FORMAT_PREFIXES):
            try:
                check_query(request.GET)
                if "\x00" in request.path:
                    raise ParseError("NUL in path")
            except ParseError:
                message = _("Caractère nul interdit dans les paramètres de la requête.")
                if request.path.startswith("/api/") or request.path.endswith(".json"):
                    return JsonResponse({"code": ErrorCode.INVALID_INPUT, "message": message, "details": {}},
                                        status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
