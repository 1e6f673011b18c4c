"""Open311 parameters, from the query string, a form or a JSON body: bounded, typed, refused in Open311's terms."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core import parsing
from confiance.core.parsing import ParseError
from confiance.reports.forms import attributes_from_params
from confiance.reports.selectors import commune_by_insee_code
from confiance.reports.sql import Open311Search, open311_category_ids
from confiance.territory.models import Commune

DEFAULT_PAGE_SIZE = 100
DEFAULT_WINDOW = timedelta(days=90)
MAX_RADIUS_M = 20_000


class Open311Error(Exception):
    """A refusal with its HTTP status, rendered as an Open311 error."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def params_of(request: HttpRequest) -> dict[str, Any]:
    """The parameters of a request: a JSON object (bounded depth), form fields (lists kept), or the query string;
    no NUL anywhere (confiance.core.parsing)."""
    try:
        if request.method == "POST":
            if request.content_type == "application/json":
                body = parsing.parse_json(request.body or b"{}")
                if not isinstance(body, dict):
                    raise Open311Error(400, _("Le corps JSON doit être un objet."))
                return body
            parsing.check_query(request.POST)
            return {key: (values if len(values) > 1 else values[0]) for key, values in request.POST.lists()}
        parsing.check_query(request.GET)
    except ParseError as error:
        raise Open311Error(400, str(error)) from None
    return {key: request.GET.get(key) for key in request.GET}


def text(params: dict[str, Any], key: str, limit: int = 300) -> str:
    """A text parameter, stripped and cut at `limit` characters (0: no limit)."""
    value = params.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str | int | float) or "\x00" in str(value):  # PostgreSQL refuses NUL in text
        raise Open311Error(400, _("Paramètre %(key)s invalide.") % {"key": key})
    return str(value).strip()[:limit] if limit else str(value).strip()


def jurisdiction(params: dict[str, Any]) -> Commune | None:
    """The commune named by jurisdiction_id (its INSEE code), or None for the whole territory."""
    code = text(params, "jurisdiction_id", 20)
    if not code:
        return None
    commune = commune_by_insee_code(code)
    if commune is None:
        raise Open311Error(404, _("jurisdiction_id inconnu : %(code)s (code INSEE d'une commune attendu).")
                           % {"code": code})
    return commune


def moment(params: dict[str, Any], key: str) -> datetime | None:
    """An ISO 8601 date and time between 2000 and 2100, aware (a '+' read as a space in a query string is put
    back)."""
    raw = text(params, key, 40)
    try:
        return parsing.parse_datetime(raw[:10] + raw[10:].replace(" ", "+"))
    except ParseError:
        raise Open311Error(400, _("%(key)s doit être une date ISO 8601 entre %(min)s et %(max)s "
                                  "(ex. 2026-01-31T08:00:00+01:00).")
                           % {"key": key, "min": parsing.MIN_YEAR, "max": parsing.MAX_YEAR}) from None


def integer(params: dict[str, Any], key: str, default: int, *, minimum: int, maximum: int) -> int:
    """An integer within [minimum, maximum], or `default` when absent."""
    raw = text(params, key, 40)
    try:
        value = parsing.parse_int(raw, minimum=minimum, maximum=maximum)
    except ParseError:
        raise Open311Error(400, _("%(key)s doit être un entier entre %(min)s et %(max)s.")
                           % {"key": key, "min": minimum, "max": maximum}) from None
    return default if value is None else value


def number(params: dict[str, Any], key: str) -> float | None:
    """A finite number, or None when absent."""
    raw = text(params, key, 40)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, _("%(key)s doit être un nombre.") % {"key": key}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(400, _("%(key)s doit être un nombre.") % {"key": key})
    return value


def attributes_of(params: dict[str, Any]) -> dict[str, Any]:
    """attribute[code]=value and attribute[code][]=value (form), or an "attributes" object (JSON)."""
    found: dict[str, Any] = dict(params["attributes"]) if isinstance(params.get("attributes"), dict) else {}
    return found | attributes_from_params(params.items())


def request_ids(params: dict[str, Any]) -> tuple[int, ...]:
    """service_request_id: numeric ids separated by commas, in their order, without repeats."""
    try:
        return parsing.parse_ids(text(params, "service_request_id", 20_000))
    except ParseError:
        raise Open311Error(400, _("service_request_id : au plus 1000 identifiants numériques séparés par des "
                                  "virgules.")) from None


def request_id(value: str) -> int | None:
    """One report id (a path segment or a parameter); None when it cannot be one, answered as unknown."""
    return parsing.id_or_none(value)


def _circle(params: dict[str, Any]) -> tuple[float, float, float] | None:
    lat, lon = number(params, "lat"), number(params, "long")
    if lat is None or lon is None:
        if (lat is None) != (lon is None):
            raise Open311Error(400, _("lat et long vont ensemble."))
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Open311Error(400, _("lat ou long hors limites."))
    return lat, lon, integer(params, "radius", 500, minimum=1, maximum=MAX_RADIUS_M)


def _window(params: dict[str, Any]) -> tuple[datetime | None, datetime | None, datetime | None]:
    start, end = moment(params, "start_date"), moment(params, "end_date")
    updated_after = moment(params, "updated_after")
    if start and end and start > end:
        raise Open311Error(400, _("start_date doit précéder end_date."))
    if not (start or end or updated_after):
        start = timezone.now() - DEFAULT_WINDOW
    return start, end, updated_after


def search_of(params: dict[str, Any], commune_id: int | None) -> Open311Search:
    """The search a GET requests asks for (service_request_id aside)."""
    codes = [code.strip() for code in text(params, "service_code", 2000).split(",") if code.strip()]
    category_ids = open311_category_ids(codes[:100], commune_id=commune_id) if codes else None
    statuses = {part.strip().lower() for part in text(params, "status", 40).split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status : open ou closed."))
    start, end, updated_after = _window(params)
    return Open311Search(commune_id=commune_id, category_ids=category_ids,
                         is_open=statuses == {"open"} if len(statuses) == 1 else None, created_from=start,
                         created_to=end, updated_after=updated_after, circle=_circle(params))


def page_of(params: dict[str, Any], default_size: int = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    """(offset, size) from page and page_size."""
    page = integer(params, "page", 1, minimum=1, maximum=parsing.MAX_PAGE)
    size = integer(params, "page_size", default_size, minimum=1, maximum=settings.CONFIANCE_OPEN311_MAX_PAGE_SIZE)
    return (page - 1) * size, size
