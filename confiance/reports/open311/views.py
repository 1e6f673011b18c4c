"""Open311 GeoReport v2 endpoints, in JSON and XML, with the common extensions.

Without `jurisdiction_id` every endpoint serves the whole territory of the instance; with it, one
commune (its INSEE code). Errors keep the Open311 format: a list of {code, description}.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from confiance.core.actors import PublicActor
from confiance.core.errors import ApplicationError
from confiance.core.ratelimits import Exceeded, client_ip, rate_check, rate_message
from confiance.reports.choices import ReportSource
from confiance.reports.drafts import ReportDraft, Reporter
from confiance.reports.open311 import parameters
from confiance.reports.open311.parameters import Open311Error
from confiance.reports.open311.rendering import (
    attribute_row,
    error_response,
    render,
    request_rows,
    service_row,
    update_row,
)
from confiance.reports.reference import reference_cache
from confiance.reports.selectors import (
    PublicUpdateSearch,
    client_update_find,
    open311_service_definition,
    open311_services,
    photo_signed_url,
    public_update_list,
    report_find,
    report_id_for_token,
)
from confiance.reports.services.client_applications import client_application_authenticate
from confiance.reports.services.follow_up import report_comment_add
from confiance.reports.services.submission import report_submit
from confiance.reports.sql import Open311Search, open311_search, reports_version

logger = logging.getLogger(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+01:00"
UPDATES_WINDOW = timedelta(days=7)  # of GET servicerequestupdates without start_date


def _endpoint(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open311 error format for every failure, even an unexpected one (logged); JSON or XML by the path's
    extension."""
    def view(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            return handler(request, fmt, **kwargs)
        except Open311Error as error:
            return error_response(fmt, error.status, error.description)
        except ApplicationError as error:
            return error_response(fmt, error.status_code, error.message)
        except Exception:
            logger.exception("Open311 %s %s", request.method, request.path)
            return error_response(fmt, 500, _("Erreur interne du serveur ; réessayez plus tard."))

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return csrf_exempt(view)


def _commune_id(params: dict[str, Any]) -> int | None:
    commune = parameters.jurisdiction(params)
    return commune.pk if commune is not None else None


def _requests(request: HttpRequest, fmt: str, rows: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    media_url = lambda photo_id: request.build_absolute_uri(photo_signed_url(photo_id))  # noqa: E731
    return render(request_rows(rows, media_url), fmt, root="service_requests", item="request", status=status)


@_endpoint
def not_found(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    """Any other path under /open311/v2/: an Open311 error, in XML unless the path ends in .json."""
    raise Open311Error(404, _("Ressource Open311 inconnue : %(path)s.") % {"path": request.path[:200]})


@_endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where this server is and what it speaks."""
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET, "contact": settings.DEFAULT_FROM_EMAIL,
        "key_service": _("Demandez une clé d'API à l'administrateur de la plateforme."),
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return render(data, fmt, root="discovery")


@_endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service types; over the whole territory a code shared by several communes appears once."""
    seen: dict[str, dict[str, Any]] = {}
    for category in open311_services(commune_id=_commune_id(parameters.params_of(request))):
        seen.setdefault(category.service_code, service_row(category))
    return render(list(seen.values()), fmt, root="services", item="service")


@_endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """Extra questions of a service type."""
    category = open311_service_definition(commune_id=_commune_id(parameters.params_of(request)), service_code=code)
    if category is None:
        raise Open311Error(404, _("service_code inconnu : %(code)s.") % {"code": code})
    attributes = [attribute_row(attribute, index) for index, attribute in enumerate(category.attributes.all())]
    return render({"service_code": category.service_code, "attributes": attributes}, fmt, root="service_definition")


def _request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = parameters.params_of(request)
    commune_id = _commune_id(params)
    if parameters.text(params, "service_request_id", 2000):
        # With service_request_id the other search parameters are ignored (GeoReport v2).
        ids = parameters.request_ids(params)
        return _requests(request, fmt, open311_search(Open311Search(commune_id=commune_id, ids=ids), size=1000))
    search = parameters.search_of(params, commune_id)
    offset, size = parameters.page_of(
        params, min(parameters.DEFAULT_PAGE_SIZE, settings.CONFIANCE_OPEN311_MAX_PAGE_SIZE))
    return _requests(request, fmt, open311_search(search, offset=offset, size=size))


def _rate_refused(exceeded: Exceeded | None) -> None:
    if exceeded is not None:
        raise Open311Error(429, rate_message(exceeded))


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    ip = client_ip(request)
    _rate_refused(rate_check("open311_post", ip=ip))  # before the body (photos) is parsed
    params = parameters.params_of(request)
    reference = reference_cache.current()  # one read of the revisions for the key, the place and the routing
    client = client_application_authenticate(parameters.text(params, "api_key", 200), reference)
    _rate_refused(rate_check("open311_post", account=str(client.pk)))
    commune = parameters.jurisdiction(params)
    code = parameters.text(params, "service_code", 64)
    if not code:
        raise Open311Error(400, _("service_code est obligatoire."))
    lat, lon = parameters.number(params, "lat"), parameters.number(params, "long")
    if lat is None or lon is None:
        raise Open311Error(400, _("lat et long sont obligatoires (l'adresse seule n'est pas géocodée)."))
    draft = ReportDraft(lat=lat, lon=lon, service_code=code, description=parameters.text(params, "description", 0),
                        address=parameters.text(params, "address_string", 300),
                        attributes=parameters.attributes_of(params), reporter=_reporter(params),
                        photos=[(upload.name or "", upload.read()) for upload in request.FILES.getlist("media")],
                        jurisdiction=commune.insee_code if commune else "", source=ReportSource.OPEN311)
    submission = report_submit(actor=PublicActor(f"application {client.name}"), draft=draft, client=client,
                               idempotency_key=request.headers.get("Idempotency-Key", ""), reference=reference)
    report = submission.report
    body = [{"service_request_id": str(report.pk), "token": submission.tracking_token or None,
             "service_notice": report.category.notice or None, "account_id": None}]
    return render(body, fmt, root="service_requests", item="request", status=201 if submission.created else 200)


def _reporter(params: dict[str, Any]) -> Reporter:
    names = (parameters.text(params, "first_name", 100), parameters.text(params, "last_name", 100))
    reporter = Reporter(name=" ".join(part for part in names if part), email=parameters.text(params, "email", 254),
                        phone=parameters.text(params, "phone", 40), device_id=parameters.text(params, "device_id", 100))
    # The client application collects the reporter's consent before sending contact details.
    reporter.consent = not reporter.is_empty()
    return reporter


@_endpoint
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: search reports. POST: submit one (api_key required)."""
    if request.method == "POST":
        return _request_create(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, _("Méthode non permise : GET ou POST."))
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
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """One report."""
    commune_id = _commune_id(parameters.params_of(request))
    rows = []
    report_id = parameters.request_id(request_id)
    if report_id is not None:
        rows = open311_search(Open311Search(commune_id=commune_id, ids=(report_id,)))
    if not rows:
        raise Open311Error(404, _("service_request_id inconnu : %(id)s.") % {"id": request_id})
    return _requests(request, fmt, rows)


@_endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """The report id behind a submission token."""
    report_id = report_id_for_token(token)
    if report_id is None:
        raise Open311Error(404, _("Jeton inconnu."))
    return render([{"service_request_id": str(report_id), "token": token}], fmt, root="service_requests",
                  item="request")


@_endpoint
def service_request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet extension. GET: public updates in a window. POST: a client's update on a report."""
    if request.method == "POST":
        _rate_refused(rate_check("open311_post", ip=client_ip(request)))
    params = parameters.params_of(request)
    if request.method == "POST":
        return _update_create(fmt, params)
    if request.method != "GET":
        raise Open311Error(405, _("Méthode non permise : GET ou POST."))
    updates = public_update_list(_update_search(params))
    return render([update_row(update) for update in updates], fmt, root="service_request_updates",
                  item="request_update")


def _update_search(params: dict[str, Any]) -> PublicUpdateSearch:
    commune_id = _commune_id(params)
    start, end = parameters.moment(params, "start_date"), parameters.moment(params, "end_date")
    if start and end and start > end:
        raise Open311Error(400, _("start_date doit précéder end_date."))
    report_ids = parameters.request_ids(params) or None
    offset, size = parameters.page_of(params)
    return PublicUpdateSearch(commune_id=commune_id, since=start or timezone.now() - UPDATES_WINDOW, until=end,
                              report_ids=report_ids, offset=offset, size=size)


def _update_create(fmt: str, params: dict[str, Any]) -> HttpResponse:
    client = client_application_authenticate(parameters.text(params, "api_key", 200))
    report_id = parameters.text(params, "service_request_id", 40)
    pk = parameters.request_id(report_id)
    report = report_find(pk) if pk is not None else None
    if report is None:
        raise Open311Error(404, _("service_request_id inconnu : %(id)s.") % {"id": report_id or _("(vide)")})
    allowed = reference_cache.current().client_commune_ids(client)
    if allowed and report.commune_id not in allowed:
        raise Open311Error(404, _("service_request_id inconnu : %(id)s.") % {"id": report_id})
    client_update_id = parameters.text(params, "update_id", 100)
    if client_update_id:
        existing = client_update_find(report=report, client_id=client.pk, client_update_id=client_update_id)
        if existing is not None:
            return render([{"update_id": str(existing.pk)}], fmt, root="service_request_updates",
                          item="request_update")
    status = parameters.text(params, "status", 40)
    update = report_comment_add(report=report, client=client, description=parameters.text(params, "description", 0),
                                status="open" if status.upper() in {"OPEN", "REOPEN"} else "",
                                client_update_id=client_update_id)
    return render([{"update_id": str(update.pk)}], fmt, root="service_request_updates", item="request_update",
                  status=201)
