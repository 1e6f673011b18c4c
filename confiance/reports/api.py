from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.geo import valid_lat_lon
from confiance.core.parsing import BoundedPagination, DbId
from confiance.reports.access import access_report
from confiance.reports.choices import ReportSource
from confiance.reports.drafts import ReportDraft
from confiance.reports.schemas import (
    CategoryOut,
    ReportAssign,
    ReportCreate,
    ReportDetailOut,
    ReportDuplicate,
    ReportOut,
    ReportRespond,
)
from confiance.reports.selectors import (
    ReportFilters,
    category_list,
    destination_get,
    report_history,
    report_list_for_actor,
)
from confiance.reports.services.handling import report_assign, report_mark_duplicate, report_respond
from confiance.reports.services.submission import report_submit
from confiance.territory.selectors import commune_list_for_actor, locate_point

router = Router(tags=["signalements"])


class ReportQuery(Schema):
    commune: str | None = None
    service_code: str | None = None
    status: str | None = None
    overdue: bool = False
    destination_id: int | None = None


def _filters(request: HttpRequest, query: ReportQuery) -> ReportFilters:
    filters = ReportFilters(service_code=query.service_code or "", status=query.status or "",
                            overdue=query.overdue, destination_id=query.destination_id)
    if query.commune:
        filters.commune_ids = set(commune_list_for_actor(actor=request.auth, permission=Permission.REPORTS_VIEW)
                                  .filter(insee_code=query.commune).values_list("id", flat=True))
    return filters


def _detail(request: HttpRequest, report_id: DbId):
    report = access_report(actor=request.auth, report_id=report_id)
    report.history = report_history(report=report)
    return report


@router.get("/reports", response=list[ReportOut], summary="Signalements visibles, filtrés")
@paginate(BoundedPagination)
def reports(request, query: Query[ReportQuery]) -> QuerySet:
    return report_list_for_actor(actor=request.auth, filters=_filters(request, query))


@router.post("/reports", response={201: ReportDetailOut, 200: ReportDetailOut},
             summary="Saisir un signalement (agent) ; rejouable avec l'en-tête Idempotency-Key")
def create_report(request, payload: ReportCreate):
    draft = ReportDraft(lat=payload.lat, lon=payload.lon, service_code=payload.service_code,
                        description=payload.description, address=payload.address, attributes=payload.attributes,
                        source=ReportSource.AGENT)
    location = locate_point(lat=payload.lat, lon=payload.lon) if valid_lat_lon(payload.lat, payload.lon) else None
    if location is not None and location.commune_id is not None:
        request.auth.require(Permission.REPORTS_HANDLE, location.commune_id)
    key = request.headers.get("Idempotency-Key", "")
    submission = report_submit(actor=request.auth, draft=draft,
                               idempotency_key=f"agent:{request.auth.agent.pk}:{key}" if key else "")
    return Status(201 if submission.created else 200, _detail(request, submission.report.pk))


@router.get("/reports/categories", response=list[CategoryOut], summary="Catégories des communes visibles")
def categories(request, commune: str | None = None):
    ids = set(commune_list_for_actor(actor=request.auth, permission=Permission.REPORTS_VIEW)
              .values_list("id", flat=True))
    return list(category_list(commune_ids=ids, insee_code=commune or ""))


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="Un signalement et son historique")
def report_detail(request, report_id: DbId):
    return _detail(request, report_id)


@router.post("/reports/{report_id}/updates", response={201: ReportDetailOut},
             summary="Changer l'état, publier un message, noter en interne")
def respond(request, report_id: DbId, payload: ReportRespond):
    report = access_report(actor=request.auth, report_id=report_id)
    report_respond(actor=request.auth, report=report, status=payload.status, public_message=payload.public_message,
                   internal_note=payload.internal_note)
    return Status(201, _detail(request, report_id))


@router.post("/reports/{report_id}/assign", response=ReportDetailOut, summary="Attribuer ou transférer")
def assign(request, report_id: DbId, payload: ReportAssign):
    report = access_report(actor=request.auth, report_id=report_id)
    destination = None
    if payload.destination_id is not None:
        destination = destination_get(commune_id=report.commune_id, destination_id=payload.destination_id)
        if destination is None:
            raise NotFoundError(message="Destinataire introuvable.")
    report_assign(actor=request.auth, report=report, agent_id=payload.agent_id, destination=destination,
                  internal_note=payload.internal_note)
    return _detail(request, report_id)


@router.post("/reports/{report_id}/duplicate", response=ReportDetailOut, summary="Marquer comme doublon")
def duplicate(request, report_id: DbId, payload: ReportDuplicate):
    report = access_report(actor=request.auth, report_id=report_id)
    original = access_report(actor=request.auth, report_id=payload.original_id)
    report_mark_duplicate(actor=request.auth, report=report, original=original,
                          public_message=payload.public_message)
    return _detail(request, report_id)
