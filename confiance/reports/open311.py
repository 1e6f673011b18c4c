"""Open311 GeoReport v2 server at /open311/v2/, in JSON and XML, with the common extensions.

Without `jurisdiction_id` every endpoint serves the whole territory of the instance; with it, one
commune (its INSEE code). Errors keep the Open311 format: a list of {code, description}.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from confiance.core.errors import ApplicationError
from confiance.reports.choices import ReportSource, ReportStatus, UpdateKind
from confiance.reports.forms import attributes_from_params
from confiance.reports.models import Category, CategoryAttribute, Report, ReportUpdate
from confiance.reports.reference import reference_cache
from confiance.reports.selectors import (
    Open311Search,
    open311_category_ids,
    open311_search,
    photo_signed_url,
    reports_version,
)
from confiance.reports.services import (
    PublicActor,
    ReportDraft,
    Reporter,
    client_application_authenticate,
    report_comment_add,
    report_submit,
)
from confiance.territory.models import Commune

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+01:00"
DEFAULT_PAGE_SIZE = 100
DEFAULT_WINDOW = timedelta(days=90)
MAX_RADIUS_M = 20_000

# Status of an update, as FixMyStreet's Open311 update extension names them.
FMS_STATUS = {
    ReportStatus.NEW: "OPEN", ReportStatus.TO_PROCESS: "INVESTIGATING", ReportStatus.SCHEDULED: "ACTION_SCHEDULED",
    ReportStatus.IN_PROGRESS: "IN_PROGRESS", ReportStatus.TRANSFERRED: "NOT_COUNCILS_RESPONSIBILITY",
    ReportStatus.DONE: "FIXED", ReportStatus.REJECTED: "NO_FURTHER_ACTION", ReportStatus.DUPLICATE: "DUPLICATE",
    ReportStatus.CLOSED: "CLOSED",
}
# Characters XML 1.0 cannot carry (control characters, lone surrogates); dropped from echoed input.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_ITEM = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- Rendering -------------------------------------------------------------------------------


def _xml_value(parent: etree._Element, key: str, value: Any) -> None:
    element = etree.SubElement(parent, key)
    if isinstance(value, dict):
        for child_key, child_value in value.items():
            _xml_value(element, child_key, child_value)
    elif isinstance(value, list):
        for item in value:
            _xml_value(element, XML_ITEM.get(key, "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_FORBIDDEN.sub("", str(value))


def _render(data: Any, fmt: str, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = etree.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_value(element, item, entry)
        else:
            for key, value in data.items():
                _xml_value(element, key, value)
        body = etree.tostring(element, xml_declaration=True, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render([{"code": status, "description": description}], fmt, root="errors", item="error", status=status)


def _endpoint(handler):
    """Open311 error format for every refusal; JSON or XML by the path's extension."""
    def view(request: HttpRequest, fmt: str, **kwargs):
        try:
            return handler(request, fmt, **kwargs)
        except Open311Error as error:
            return _error(fmt, error.status, error.description)
        except ApplicationError as error:
            return _error(fmt, error.status_code, error.message)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return csrf_exempt(view)


def _iso(moment: datetime | None, zone=None) -> str | None:
    """ISO 8601 in the platform's time zone (pass `zone` when writing many: looking it up costs)."""
    if moment is None:
        return None
    return moment.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


# --- Parameters ------------------------------------------------------------------------------


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise Open311Error(400, "Corps JSON illisible.") from None
            if not isinstance(body, dict):
                raise Open311Error(400, "Le corps JSON doit être un objet.")
            return body
        return {key: (values if len(values) > 1 else values[0]) for key, values in request.POST.lists()}
    return {key: request.GET.get(key) for key in request.GET}


def _text(params: dict[str, Any], key: str, limit: int = 300) -> str:
    value = params.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str | int | float):
        raise Open311Error(400, f"Paramètre {key} invalide.")
    return str(value).strip()[:limit] if limit else str(value).strip()


def _jurisdiction(params: dict[str, Any]) -> Commune | None:
    code = _text(params, "jurisdiction_id", 20)
    if not code:
        return None
    commune = Commune.objects.filter(insee_code=code).first()
    if commune is None:
        raise Open311Error(404, f"jurisdiction_id inconnu : {code} (code INSEE d'une commune attendu).")
    return commune


def _date(params: dict[str, Any], key: str) -> datetime | None:
    raw = _text(params, key, 40)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, f"{key} doit être une date ISO 8601 (ex. 2026-01-31T08:00:00+01:00).")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _int(params: dict[str, Any], key: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = _text(params, key, 20)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Open311Error(400, f"{key} doit être un entier.") from None
    if not minimum <= value <= maximum:
        raise Open311Error(400, f"{key} doit être entre {minimum} et {maximum}.")
    return value


def _float(params: dict[str, Any], key: str) -> float | None:
    raw = _text(params, key, 40)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{key} doit être un nombre.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(400, f"{key} doit être un nombre.")
    return value


def _categories(commune: Commune | None) -> QuerySet[Category]:
    queryset = Category.objects.filter(active=True)
    if commune is not None:
        queryset = queryset.filter(commune=commune)
    return queryset.order_by("service_code", "commune__insee_code")


# --- Endpoints -------------------------------------------------------------------------------


@_endpoint
def discovery(request: HttpRequest, fmt: str):
    """Where this server is and what it speaks."""
    base = _absolute(request, "/open311/v2/")
    data = {
        "changeset": CHANGESET, "contact": settings.DEFAULT_FROM_EMAIL,
        "key_service": "Demandez une clé d'API à l'administrateur de la plateforme.",
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return _render(data, fmt, root="discovery")


def _service(category: Category) -> dict[str, Any]:
    return {"service_code": category.service_code, "service_name": category.name,
            "description": category.description or None, "metadata": bool(category.has_attributes),
            "type": "realtime", "keywords": category.keywords or None, "group": category.group or None}


@_endpoint
def services(request: HttpRequest, fmt: str):
    """Service types; over the whole territory a code shared by several communes appears once."""
    commune = _jurisdiction(_params(request))
    queryset = _categories(commune).annotate(
        has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk"))))
    seen: dict[str, dict[str, Any]] = {}
    for category in queryset:
        seen.setdefault(category.service_code, _service(category))
    return _render(list(seen.values()), fmt, root="services", item="service")


@_endpoint
def service_definition(request: HttpRequest, fmt: str, code: str):
    """Extra questions of a service type."""
    commune = _jurisdiction(_params(request))
    category = _categories(commune).filter(service_code=code).prefetch_related("attributes").first()
    if category is None:
        raise Open311Error(404, f"service_code inconnu : {code}.")
    attributes = [
        {"variable": True, "code": attribute.code, "datatype": attribute.datatype, "required": attribute.required,
         "datatype_description": attribute.datatype_description or None, "order": index + 1,
         "description": attribute.description,
         "values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in attribute.values or []]}
        for index, attribute in enumerate(category.attributes.all())
    ]
    return _render({"service_code": category.service_code, "attributes": attributes}, fmt, root="service_definition")


def _request_rows(request: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    zone = timezone.get_current_timezone()
    return [{
        "service_request_id": str(row["id"]),
        "status": "open" if row["is_open"] else "closed",
        "detailed_status": row["status"],
        "status_notes": row["status_notes"] or None,
        "service_name": row["service_name"],
        "service_code": row["service_code"],
        "description": None if row["description_hidden"] else (row["description"] or None),
        "agency_responsible": row["agency_responsible"] or None,
        "service_notice": row["notice"] or None,
        "requested_datetime": _iso(row["created_at"], zone),
        "updated_datetime": _iso(row["updated_at"], zone),
        "expected_datetime": _iso(row["expected_at"], zone),
        "address": row["address"] or None,
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": _absolute(request, photo_signed_url(row["photo_id"])) if row["photo_id"] else None,
        "jurisdiction_id": row["insee_code"],
    } for row in rows]


def _request_list(request: HttpRequest, fmt: str):
    params = _params(request)
    commune = _jurisdiction(params)
    commune_id = commune.pk if commune is not None else None
    ids_raw = _text(params, "service_request_id", 2000)
    if ids_raw:
        # With service_request_id the other search parameters are ignored (GeoReport v2).
        try:
            ids = tuple(int(part) for part in ids_raw.split(",") if part.strip())
        except ValueError:
            raise Open311Error(400, "service_request_id : identifiants numériques séparés par des virgules.") from None
        if any(not 0 < report_id < 2**63 for report_id in ids):
            raise Open311Error(400, "service_request_id : identifiants numériques séparés par des virgules.")
        rows = open311_search(Open311Search(commune_id=commune_id, ids=tuple(dict.fromkeys(ids))[:1000]), size=1000)
        return _render(_request_rows(request, rows), fmt, root="service_requests", item="request")
    codes = [code.strip() for code in _text(params, "service_code", 2000).split(",") if code.strip()]
    category_ids = open311_category_ids(codes[:100], commune_id=commune_id) if codes else None
    statuses = {part.strip().lower() for part in _text(params, "status", 40).split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status : open ou closed.")
    start, end = _date(params, "start_date"), _date(params, "end_date")
    updated_after = _date(params, "updated_after")
    if start and end and start > end:
        raise Open311Error(400, "start_date doit précéder end_date.")
    if not (start or end or updated_after):
        start = timezone.now() - DEFAULT_WINDOW
    lat, lon = _float(params, "lat"), _float(params, "long")
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat et long vont ensemble.")
    circle = None
    if lat is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Open311Error(400, "lat ou long hors limites.")
        circle = (lat, lon, _int(params, "radius", 500, minimum=1, maximum=MAX_RADIUS_M))
    page = _int(params, "page", 1, minimum=1, maximum=100_000)
    size = _int(params, "page_size", min(DEFAULT_PAGE_SIZE, settings.CONFIANCE_OPEN311_MAX_PAGE_SIZE),
                minimum=1, maximum=settings.CONFIANCE_OPEN311_MAX_PAGE_SIZE)
    search = Open311Search(commune_id=commune_id, category_ids=category_ids,
                           is_open=statuses == {"open"} if len(statuses) == 1 else None, created_from=start,
                           created_to=end, updated_after=updated_after, circle=circle)
    rows = open311_search(search, offset=(page - 1) * size, size=size)
    return _render(_request_rows(request, rows), fmt, root="service_requests", item="request")


def _attributes_from(params: dict[str, Any]) -> dict[str, Any]:
    """attribute[code]=value and attribute[code][]=value (form), or an "attributes" object (JSON)."""
    found: dict[str, Any] = dict(params["attributes"]) if isinstance(params.get("attributes"), dict) else {}
    return found | attributes_from_params(params.items())


def _request_create(request: HttpRequest, fmt: str):
    params = _params(request)
    reference = reference_cache.current()  # one read of the revisions for the key, the place and the routing
    client = client_application_authenticate(_text(params, "api_key", 200), reference)
    commune = _jurisdiction(params)
    code = _text(params, "service_code", 64)
    if not code:
        raise Open311Error(400, "service_code est obligatoire.")
    lat, lon = _float(params, "lat"), _float(params, "long")
    if lat is None or lon is None:
        raise Open311Error(400, "lat et long sont obligatoires (l'adresse seule n'est pas géocodée).")
    name = " ".join(part for part in (_text(params, "first_name", 100), _text(params, "last_name", 100)) if part)
    reporter = Reporter(name=name, email=_text(params, "email", 254), phone=_text(params, "phone", 40),
                        device_id=_text(params, "device_id", 100))
    # The client application collects the reporter's consent before sending contact details.
    reporter.consent = not reporter.is_empty()
    photos = [(upload.name, upload.read()) for upload in request.FILES.getlist("media")]
    draft = ReportDraft(lat=lat, lon=lon, service_code=code, description=_text(params, "description", 0),
                        address=_text(params, "address_string", 300), attributes=_attributes_from(params),
                        reporter=reporter, photos=photos, jurisdiction=commune.insee_code if commune else "",
                        source=ReportSource.OPEN311)
    submission = report_submit(actor=PublicActor(f"application {client.name}"), draft=draft, client=client,
                               idempotency_key=request.headers.get("Idempotency-Key", ""), reference=reference)
    report = submission.report
    body = [{"service_request_id": str(report.pk), "token": report.tracking_token,
             "service_notice": report.category.notice or None, "account_id": None}]
    return _render(body, fmt, root="service_requests", item="request", status=201 if submission.created else 200)


@_endpoint
def requests_endpoint(request: HttpRequest, fmt: str):
    """GET: search reports. POST: submit one (api_key required)."""
    if request.method == "POST":
        return _request_create(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, "Méthode non permise : GET ou POST.")
    return _request_list_cached(request, fmt)


def _request_list_cached(request: HttpRequest, fmt: str) -> HttpResponse:
    """Searches are answered from the cache while no report has changed since and for at most
    CONFIANCE_OPEN311_CACHE_SECONDS (which also bounds the drift of the default window and of signed photo
    links). The key is the format, the language and the search parameters, the API key left out (searching
    needs none)."""
    seconds = settings.CONFIANCE_OPEN311_CACHE_SECONDS
    if seconds <= 0:
        return _request_list(request, fmt)
    params = sorted((key, value) for key, value in request.GET.lists() if key != "api_key")
    key = "open311:list:" + hashlib.sha256(json.dumps(
        [fmt, translation.get_language(), request.get_host(), params]).encode()).hexdigest()
    version = reports_version()
    cached = cache.get(key)
    if cached is not None and cached[0] == version:
        return HttpResponse(cached[1], content_type=cached[2])
    response = _request_list(request, fmt)
    if response.status_code == 200:
        cache.set(key, (version, response.content, response["Content-Type"]), seconds)
    return response


@_endpoint
def request_detail(request: HttpRequest, fmt: str, request_id: str):
    """One report."""
    params = _params(request)
    commune = _jurisdiction(params)
    rows = []
    if request_id.isdigit() and len(request_id) < 18:
        rows = open311_search(Open311Search(commune_id=commune.pk if commune else None, ids=(int(request_id),)))
    if not rows:
        raise Open311Error(404, f"service_request_id inconnu : {request_id}.")
    return _render(_request_rows(request, rows), fmt, root="service_requests", item="request")


@_endpoint
def token_detail(request: HttpRequest, fmt: str, token: str):
    """The report id behind a submission token."""
    report_id = Report.objects.filter(tracking_token=token).values_list("id", flat=True).first()
    if report_id is None:
        raise Open311Error(404, "Jeton inconnu.")
    return _render([{"service_request_id": str(report_id), "token": token}], fmt, root="service_requests",
                   item="request")


def _update_row(update: ReportUpdate) -> dict[str, Any]:
    status = update.status or update.report.status
    return {
        "update_id": str(update.pk),
        "service_request_id": str(update.report_id),
        "status": FMS_STATUS.get(status, "OPEN"),
        "external_status_code": status,
        "updated_datetime": _iso(update.created_at),
        "description": update.public_message or str(ReportStatus(status).label),
        "media_url": None,
    }


@_endpoint
def service_request_updates(request: HttpRequest, fmt: str):
    """FixMyStreet extension. GET: public updates in a window. POST: a client's update on a report."""
    params = _params(request)
    if request.method == "POST":
        return _update_create(request, fmt, params)
    if request.method != "GET":
        raise Open311Error(405, "Méthode non permise : GET ou POST.")
    commune = _jurisdiction(params)
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start and end and start > end:
        raise Open311Error(400, "start_date doit précéder end_date.")
    queryset = ReportUpdate.objects.filter(kind__in=[UpdateKind.STATUS, UpdateKind.PUBLIC, UpdateKind.DUPLICATE])
    if commune is not None:
        queryset = queryset.filter(report__commune=commune)
    queryset = queryset.filter(created_at__gte=start or timezone.now() - timedelta(days=7))
    if end:
        queryset = queryset.filter(created_at__lte=end)
    ids = _text(params, "service_request_id", 2000)
    if ids:
        try:
            queryset = queryset.filter(report_id__in=[int(part) for part in ids.split(",") if part.strip()])
        except ValueError:
            raise Open311Error(400, "service_request_id : identifiants numériques.") from None
    page = _int(params, "page", 1, minimum=1, maximum=100_000)
    size = _int(params, "page_size", DEFAULT_PAGE_SIZE, minimum=1, maximum=settings.CONFIANCE_OPEN311_MAX_PAGE_SIZE)
    offset = (page - 1) * size
    updates = queryset.select_related("report").order_by("created_at", "id")[offset:offset + size]
    rows = [_update_row(update) for update in updates]
    return _render(rows, fmt, root="service_request_updates", item="request_update")


def _update_create(request: HttpRequest, fmt: str, params: dict[str, Any]):
    client = client_application_authenticate(_text(params, "api_key", 200))
    report_id = _text(params, "service_request_id", 20)
    report = Report.objects.filter(pk=int(report_id)).first() if report_id.isdigit() else None
    if report is None:
        raise Open311Error(404, f"service_request_id inconnu : {report_id or '(vide)'}.")
    allowed = reference_cache.current().client_commune_ids(client)
    if allowed and report.commune_id not in allowed:
        raise Open311Error(404, f"service_request_id inconnu : {report_id}.")
    client_update_id = _text(params, "update_id", 100)
    if client_update_id:
        existing = ReportUpdate.objects.filter(report=report, data__client=client.pk,
                                               data__client_update_id=client_update_id).first()
        if existing is not None:
            return _render([{"update_id": str(existing.pk)}], fmt, root="service_request_updates",
                           item="request_update")
    status = _text(params, "status", 40)
    update = report_comment_add(report=report, client=client, description=_text(params, "description", 0),
                                status="open" if status.upper() in {"OPEN", "REOPEN"} else "",
                                client_update_id=client_update_id)
    return _render([{"update_id": str(update.pk)}], fmt, root="service_request_updates", item="request_update",
                   status=201)

