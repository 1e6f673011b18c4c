"""Writes of the analytics app: start an analysis, record its progress and outcome, import a dataset."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics import compute, disclosure
from confiance.analytics.choices import AnalysisKind, RunStatus
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.models import AnalysisRun, Dataset, DatasetEvent
from confiance.analytics.selectors import (
    EventQuery,
    analysable_communes,
    dataset_get_for_actor,
    event_points,
    period_bounds,
    require_dataset_area,
)
from confiance.analytics.stats.points import read_events_csv
from confiance.analytics.tasks import run_analysis
from confiance.core.errors import ApplicationError
from confiance.privacy.services import audit_record

logger = logging.getLogger(__name__)


def analysis_start(*, actor: Actor, kind: str, query: EventQuery, params: dict[str, Any]) -> AnalysisRun:
    """Check what can be checked at once, record the run, and hand it to the background worker."""
    if kind not in AnalysisKind.values:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _("Analyse inconnue."), field="kind")
    analysable_communes(actor, query.commune_ids)
    period_bounds(query.start, query.end)
    if query.dataset_id is not None:
        require_dataset_area(dataset_get_for_actor(actor=actor, dataset_id=query.dataset_id), query.commune_ids)
    protected = disclosure.query_protected(actor, query)
    with transaction.atomic():
        run = AnalysisRun.objects.create(kind=kind, created_by=actor.agent, commune_ids=sorted(query.commune_ids),
                                         params={"query": query.as_dict(), "options": params, "protected": protected})
        audit_record(actor=actor, action="analytics.run_start", target=run, commune_id=query.commune_ids[0],
                     extra={"kind": kind, "communes": sorted(query.commune_ids), "protected": protected})
        run_id = str(run.pk)
        transaction.on_commit(lambda: run_analysis.enqueue(run_id))
    return run


def run_progress(*, run_id: str, fraction: float, stage: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(progress=max(0.0, min(1.0, fraction)), stage=stage[:200],
                                                 status=RunStatus.RUNNING)


def run_execute(*, run_id: str) -> None:
    """Run one analysis to its end: the result, or the reason it could not be computed."""
    run = AnalysisRun.objects.select_related("created_by").get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return  # a replayed task does nothing
    AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    actor = Actor(agent=run.created_by)
    last = {"at": 0.0}

    def progress(fraction: float, stage: str) -> None:
        # at most about ten writes a second
        now = timezone.now().timestamp()
        if now - last["at"] >= 0.1 or fraction >= 1:
            last["at"] = now
            run_progress(run_id=str(run.pk), fraction=fraction, stage=str(stage))

    try:
        result = compute.execute(run.kind, actor=actor, query=EventQuery.from_dict(run.params["query"]),
                                 params=run.params.get("options", {}), progress=progress)
    except ApplicationError as error:
        AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=error.as_dict(),
                                                     finished_at=timezone.now(), stage="")
        return
    except Exception:
        logger.exception("analysis %s failed", run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), stage="",
            error={"code": "analytics_internal_error", "message": _(
                "L'analyse a échoué sur une erreur interne ; elle est consignée pour l'administrateur."),
                "details": {}})
        return
    AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, result=_finite(result), progress=1.0, stage="",
                                                 finished_at=timezone.now())


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: a figure that cannot be computed is stored as "no value" (None)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def dataset_import(*, actor: Actor, commune_id: int, name: str, data: bytes, crs: str | None,
                   category: str | None = None, tz: str = "Europe/Paris") -> Dataset:
    """Import an analyst's CSV of events; the whole file is checked before anything is written."""
    actor.require(Permission.ANALYTICS_VIEW, commune_id)
    limit = settings.CONFIANCE_ANALYTICS_MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
            "Le fichier dépasse %(max)s Mo.") % {"max": settings.CONFIANCE_ANALYTICS_MAX_UPLOAD_MB})
    name = (name or "").strip()
    if not name:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _("Donnez un nom au jeu de données."),
                                 field="name")
    try:
        points = read_events_csv(data, crs=crs or None, category_filter=category or None, tz=tz or "Europe/Paris")
    except UnicodeDecodeError as error:
        raise AnalysisInputError(AnalyticsErrorCode.IMPORT_INVALID, _(
            "Le fichier n'est pas un texte UTF-8 (CSV attendu).")) from error
    moments = points.time.astype("datetime64[s]").astype("int64")
    with transaction.atomic():
        dataset = Dataset.objects.create(commune_id=commune_id, name=name[:200], source_crs=crs or "EPSG:4326",
                                         metric_crs=points.crs, events=len(points), created_by=actor.agent,
                                         time_zone=points.zone, date_only=points.date_only,
                                         rejected_lines=[r["line"] for r in points.rejected[:200]])
        DatasetEvent.objects.bulk_create([
            DatasetEvent(dataset=dataset, occurred_at=datetime.fromtimestamp(int(s), tz=UTC),
                         lat=float(a), lon=float(b), x=float(x), y=float(y), category=str(c))
            for s, a, b, x, y, c in zip(moments, points.lat, points.lon, points.x, points.y, points.category,
                                        strict=True)], batch_size=2000)
        audit_record(actor=actor, action="analytics.dataset_import", target=dataset, commune_id=commune_id,
                     extra={"name": dataset.name, "events": dataset.events, "rejected": len(points.rejected)})
    return dataset


def events_export(*, actor: Actor, query: EventQuery) -> list[dict[str, Any]]:
    """The point set of a query, for the analyst's own tools; the export itself is audited."""
    rows = event_points(actor=actor, query=query)
    with transaction.atomic():
        audit_record(actor=actor, action="analytics.events_export", commune_id=query.commune_ids[0],
                     extra={"query": query.as_dict(), "rows": len(rows)})
    return rows


def dataset_delete(*, actor: Actor, dataset_id: int) -> None:
    dataset = dataset_get_for_actor(actor=actor, dataset_id=dataset_id)
    with transaction.atomic():
        audit_record(actor=actor, action="analytics.dataset_delete", target=dataset, commune_id=dataset.commune_id,
                     extra={"name": dataset.name, "events": dataset.events})
        dataset.delete()
