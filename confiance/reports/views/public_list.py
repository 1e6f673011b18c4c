"""The public list and map of reports (FixMyStreet's core page): what anyone may see, never who reported."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from confiance.core.errors import ApplicationError
from confiance.reports.choices import ReportStatus
from confiance.reports.selectors import (
    PublicReportFilters,
    commune_by_insee_code,
    public_commune_choices,
    public_report_cards,
    public_report_list,
    public_report_points,
    public_service_codes,
)

PAGE_SIZE = 20
STATES = ("open", "closed", *ReportStatus.values)
MAX_PARAMETER_LENGTH = 64


def _text(get, key: str) -> str:
    value = get.get(key) or ""
    if len(value) > MAX_PARAMETER_LENGTH:
        raise ApplicationError(message=_("Paramètre « %(name)s » trop long.") % {"name": key},
                               details={"parameter": key})
    return value


def public_filters(get) -> tuple[PublicReportFilters, dict[str, str]]:
    """The filters of the query string; an unknown commune, category or state is a clear refusal (400)."""
    insee, code, state = _text(get, "commune"), _text(get, "categorie"), _text(get, "etat")
    commune = commune_by_insee_code(insee) if insee else None
    if insee and commune is None:
        raise ApplicationError(message=_("Commune inconnue : « %(code)s ».") % {"code": insee},
                               details={"parameter": "commune"})
    if code and code not in dict(public_service_codes(commune_id=commune.pk if commune else None)):
        raise ApplicationError(message=_("Catégorie inconnue : « %(code)s ».") % {"code": code},
                               details={"parameter": "categorie"})
    if state and state not in STATES:
        raise ApplicationError(message=_("État inconnu : « %(state)s ».") % {"state": state},
                               details={"parameter": "etat"})
    kept = {key: value for key, value in (("commune", insee), ("categorie", code), ("etat", state)) if value}
    return PublicReportFilters(commune_id=commune.pk if commune else None, service_code=code, status=state), kept


@require_GET
def report_public_list(request):
    """Every report anyone may see, filtered by commune, category and state, on a map and in pages."""
    status, error, error_anchor = 200, "", ""
    try:
        filters, kept = public_filters(request.GET)
    except ApplicationError as refused:
        filters, kept, status, error = None, {}, refused.status_code, refused.message
        error_anchor = "p-" + str(refused.details.get("parameter", "commune"))
    page = Paginator(public_report_list(filters) if filters else [], PAGE_SIZE).get_page(request.GET.get("page"))
    commune_id = filters.commune_id if filters else None
    communes = public_commune_choices()
    return render(request, "reports/reports_public_list.html", {
        "page": page, "cards": public_report_cards(list(page.object_list)), "kept": kept, "query": urlencode(kept),
        "error": error, "error_anchor": error_anchor, "communes": communes,
        "categories": public_service_codes(commune_id=commune_id),
        "statuses": ReportStatus.choices, "commune_name": dict(communes).get(kept.get("commune", ""), ""),
    }, status=status)


@require_GET
def report_public_points(request):
    """The public map's markers (JSON), with the list's filters; at most 2,000, newest first."""
    try:
        filters, _kept = public_filters(request.GET)
    except ApplicationError as error:
        return JsonResponse(error.as_dict(), status=error.status_code)
    return JsonResponse({"reports": public_report_points(filters)})
