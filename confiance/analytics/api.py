"""Analytics API under /api/v1/analytics: start an analysis, read it; indicators; open data."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from confiance.accounts.choices import Permission
from confiance.analytics import selectors, services
from confiance.analytics.models import AnalysisRun
from confiance.analytics.schemas import OpenDataIn, PeriodIn, RunIn, RunOut
from confiance.core.errors import NotFoundError
from confiance.territory.selectors import commune_list_for_actor

router = Router(tags=["analyse"])


def _commune_ids(request: HttpRequest, codes: list[str]) -> list[int]:
    found = dict(commune_list_for_actor(actor=request.auth, permission=Permission.ANALYTICS_VIEW)
                 .filter(insee_code__in=codes).values_list("insee_code", "id"))
    missing = sorted(set(codes) - set(found))
    if missing:
        raise NotFoundError(message=_("Commune inconnue ou hors de vos droits : %(codes)s.") % {
            "codes": ", ".join(missing)})
    return [found[code] for code in codes]


def _run_out(run: AnalysisRun) -> dict:
    result = {k: v for k, v in (run.result or {}).items() if k != "csv"} if run.result else None
    return {"id": str(run.pk), "kind": run.kind, "status": run.status, "progress": run.progress, "stage": run.stage,
            "created_at": run.created_at, "finished_at": run.finished_at, "error": run.error, "result": result}


@router.post("/analytics/runs", response={201: RunOut}, summary="Lancer une analyse (calcul en arrière-plan)")
def run_create(request: HttpRequest, payload: RunIn):
    query = selectors.EventQuery(
        commune_ids=_commune_ids(request, payload.query.communes), start=payload.query.start, end=payload.query.end,
        sources=payload.query.sources, sector_ids=payload.query.sector_ids, categories=payload.query.categories,
        dataset_id=payload.query.dataset_id)
    run = services.analysis_start(actor=request.auth, kind=payload.kind, query=query, params=payload.options)
    run.refresh_from_db()
    return Status(201, _run_out(run))


@router.get("/analytics/runs/{run_id}", response=RunOut, summary="État et résultat d'une analyse")
def run_get(request: HttpRequest, run_id: str):
    return _run_out(selectors.run_get_for_actor(actor=request.auth, run_id=run_id))


@router.get("/analytics/indicators", summary="Indicateurs avant / pendant / après, avec la période précédente")
def indicators(request: HttpRequest, filters: Query[PeriodIn]):
    return selectors.phase_indicators(actor=request.auth, commune_ids=_commune_ids(request, filters.communes),
                                      start=filters.start, end=filters.end)


@router.get("/analytics/opendata", summary="Données ouvertes : nombres par secteur, semaine et catégorie (< 5 masqués)")
def open_data(request: HttpRequest, filters: Query[OpenDataIn]):
    table = selectors.open_data(actor=request.auth, commune_ids=_commune_ids(request, filters.communes),
                                start=filters.start, end=filters.end, sources=filters.sources)
    return {"fields": list(table["fields"]), "threshold": table["threshold"], "rows": table["rows"],
            "dictionary": [{"field": f, "type": t, "description": d} for f, t, d in table["dictionary"]],
            "unavailable": table["unavailable"]}


@router.get("/analytics/events", summary="Les événements un par un (GeoJSON), pour qui peut consulter chaque source")
def events(request: HttpRequest, filters: Query[OpenDataIn]):
    query = selectors.EventQuery(commune_ids=_commune_ids(request, filters.communes), start=filters.start,
                                 end=filters.end, sources=filters.sources)
    rows = services.events_export(actor=request.auth, query=query)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
         "properties": {k: v for k, v in row.items() if k not in ("lat", "lon")}} for row in rows]}
