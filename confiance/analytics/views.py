"""Analytics pages for analysts and élus: ask an analysis, follow it, read its maps, tables and curves;
indicators by phase; open-data exports."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics import summaries
from confiance.analytics.choices import AnalysisKind, EventSource, RunStatus
from confiance.analytics.formatting import csv_row, csv_value, day, number
from confiance.analytics.forms import AnalysisForm, DatasetImportForm, PeriodForm
from confiance.analytics.selectors import (
    CELL_FIELDS,
    EXPORT_FIELDS,
    EventQuery,
    dataset_list_for_actor,
    event_cells,
    may_export_events,
    open_data,
    open_data_geojson,
    phase_indicators,
    run_get_for_actor,
    run_list_for_actor,
)
from confiance.analytics.services import analysis_start, dataset_delete, dataset_import, events_export
from confiance.analytics.stats.opendata import DICTIONARY, SUPPRESSION_THRESHOLD
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.exports import SafeDictWriter, SafeWriter
from confiance.territory.selectors import commune_list_for_actor


def _forbidden(request):
    return forbidden(request, _("Les analyses sont réservées aux agents et élus qui en ont le droit."))


def analyst_page(view):
    """The page's actor, or the refusal page for someone without the right to analyse."""
    @wraps(view)
    def page(request, *args, **kwargs):
        actor = actor_of(request)
        if not actor.can_anywhere(Permission.ANALYTICS_VIEW):
            return _forbidden(request)
        return view(request, actor, *args, **kwargs)

    return page


def _communes(actor: Actor):
    return list(commune_list_for_actor(actor=actor, permission=Permission.ANALYTICS_VIEW).order_by("name"))


@login_required
@analyst_page
def analysis_home(request, actor: Actor):
    communes = _communes(actor)
    datasets = list(dataset_list_for_actor(actor=actor))
    form = AnalysisForm(request.POST or None, communes=communes, datasets=datasets,
                        initial={"kind": request.GET.get("analyse", AnalysisKind.HOTSPOTS)})
    if request.method == "POST" and form.is_valid():
        try:
            run = analysis_start(actor=actor, kind=form.cleaned_data["kind"], query=form.query(),
                                 params=form.options())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("analytics:result", run_id=run.pk)
    return render(request, "analytics/home.html", {
        "form": form, "runs": run_list_for_actor(actor=actor), "datasets": datasets,
        "dataset_areas": form.dataset_areas(),
        "import_form": DatasetImportForm(communes=communes), "kinds": AnalysisKind.choices,
    }, status=400 if request.method == "POST" else 200)


@login_required
def analysis_result(request, run_id):
    actor = actor_of(request)
    try:
        run = run_get_for_actor(actor=actor, run_id=str(run_id))
    except ApplicationError:
        return render(request, "console/forbidden.html", {"message": _("Analyse introuvable.")}, status=404)
    result = run.result or {}
    # The page draws maps and charts from this; the knox CSV rows are only for the download.
    page_data = {key: value for key, value in result.items() if key != "csv"}
    labels = {value: str(label) for value, label in EventSource.choices}
    query = (run.params or {}).get("query", {})
    done = run.status == RunStatus.DONE
    return render(request, "analytics/result.html", {
        "run": run, "result": result, "disclosure": result.get("disclosure") or {}, "page_data": page_data,
        "done": done, "headline": summaries.headline(run.kind, result) if done else [],
        "may_export_events": done and may_export_events(actor, EventQuery.from_dict(query)),
        "period": (day(query.get("start")), day(query.get("end"))),
        "above_weeks": [day(w) for w in (result.get("weekly") or {}).get("above", [])],
        "knox_table": _knox_table(result.get("knox")), "knox_columns": knox_columns(result.get("knox")),
        "week_table": _week_table(result.get("hour_of_week")),
        "query": query, "options": (run.params or {}).get("options", {}),
        "sources_display": [_("jeu de données importé") if s == "dataset" else labels.get(s, s)
                            for s in result.get("sources", [])],
        "unavailable_display": [(labels.get(s, s), reason) for s, reason in result.get("unavailable", {}).items()],
        "hours": range(24),
    })


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _knox_table(knox: dict | None) -> list[dict] | None:
    """Rows of the Knox matrix, each cell with its figures and a colour level for the ratio."""
    if not knox:
        return None
    rows = []
    labels = _band_labels(knox.get("spatial_edges_m"), _("m"), bool(knox.get("same_location"))) or knox["rows"]
    if len(labels) != len(knox["rows"]):
        labels = knox["rows"]
    for r, label in enumerate(labels):
        cells = []
        for c in range(len(knox["columns"])):
            ratio, p = knox["knox_ratio"][r][c], knox["p_value"][r][c]
            if knox["observed"][r][c] is None:  # protected: fewer than 5 pairs, or masked with one
                cells.append({"masked": True, "level": 0, "significant": False})
                continue
            level = 0
            if ratio is not None and p <= 0.05:
                level = 1 if ratio < 1.2 else 2 if ratio < 1.5 else 3 if ratio < 2 else 4
            cells.append({"observed": knox["observed"][r][c], "expected": knox["expected"][r][c], "ratio": ratio,
                          "p": p, "level": level, "significant": p <= 0.05})
        rows.append({"label": label, "cells": cells})
    return rows


def _band_labels(edges: list[float] | None, unit: str, same_location: bool = False) -> list[str]:
    """Band labels with figures in the reader's locale: "même lieu", "]0 ; 500[ m", "[500 ; 1 000[ m", "≥ 2 500 m"."""
    if not edges:
        return []
    labels = [_("même lieu")] if same_location else []
    lower = 0.0
    for edge in edges:
        opening = "]" if same_location and lower == 0 else "["
        labels.append(f"{opening}{number(lower, 2)} ; {number(edge, 2)}[ {unit}")
        lower = edge
    labels.append(f"≥ {number(lower, 2)} {unit}")
    return labels


def knox_columns(knox: dict | None) -> list[str]:
    """The delay bands of a Knox table, in days, figures in the reader's locale."""
    if not knox:
        return []
    labels = _band_labels(knox.get("temporal_edges_days"), _("jours"))
    return labels if len(labels) == len(knox["columns"]) else knox["columns"]


def _week_table(profile: dict | None) -> list[dict] | None:
    """Hour-of-week counts with a shade level 0-5 relative to the busiest hour."""
    if not profile:
        return None
    peak = max((n for row in profile["counts"] for n in row if n is not None), default=0) or 1
    return [{"day": _(day), "cells": [{"n": n, "masked": n is None,
                                       "level": 0 if not n else 1 + int(4 * n / peak)} for n in row]}
            for day, row in zip(WEEKDAYS, profile["counts"], strict=True)]


@login_required
@require_GET
def analysis_state(request, run_id):
    actor = actor_of(request)
    try:
        run = run_get_for_actor(actor=actor, run_id=str(run_id))
    except ApplicationError as error:
        return JsonResponse(error.as_dict(), status=error.status_code)
    return JsonResponse({"status": run.status, "progress": round(run.progress, 3), "stage": run.stage,
                         "error": run.error})


DOWNLOADS = {
    "knox.csv": ("text/csv", "near_repeat"),
    "mailles.geojson": ("application/geo+json", "hotspots"),
    "h3.geojson": ("application/geo+json", "hotspots"),
    "zones-predites.geojson": ("application/geo+json", "forecast"),
}


@login_required
@require_GET
def analysis_download(request, run_id, name):
    actor = actor_of(request)
    try:
        run = run_get_for_actor(actor=actor, run_id=str(run_id))
    except ApplicationError:
        return HttpResponse(_("Analyse introuvable."), status=404, content_type="text/plain; charset=utf-8")
    if name not in DOWNLOADS or DOWNLOADS[name][1] != run.kind or run.status != RunStatus.DONE:
        return HttpResponse(_("Ce fichier n'existe pas pour cette analyse."), status=404,
                            content_type="text/plain; charset=utf-8")
    content_type, _kind = DOWNLOADS[name]
    response = HttpResponse(content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="analyse-{str(run.pk)[:8]}-{name}"'
    if name == "knox.csv":
        writer = SafeWriter(response, delimiter=";")
        writer.writerows([[csv_value(value) for value in row] for row in run.result["csv"]])
    elif name == "mailles.geojson":
        response.write(json.dumps(run.result["cells"]))
    elif name == "h3.geojson":
        response.write(json.dumps(run.result["h3"]["collection"]))
    else:
        if "next_week" not in run.result:
            return HttpResponse(_("Ce fichier n'existe pas pour cette analyse."), status=404,
                                content_type="text/plain; charset=utf-8")
        response.write(json.dumps(run.result["next_week"]["cells"]))
    return response


@login_required
@require_GET
def analysis_events(request, run_id):
    """The events a run analysed, one per line (CSV), for those allowed to see them one by one; the others get a
    French refusal page pointing to the counts per 500 m cell."""
    actor = actor_of(request)
    try:
        run = run_get_for_actor(actor=actor, run_id=str(run_id))
    except ApplicationError as error:
        return _refused(request, error.message, status=error.status_code)
    try:
        rows = events_export(actor=actor, query=EventQuery.from_dict(run.params["query"]))
    except ApplicationError as error:
        return _refused(request, error.message, status=error.status_code, run=run)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evenements-{str(run.pk)[:8]}.csv"'
    writer = SafeDictWriter(response, fieldnames=EXPORT_FIELDS, delimiter=";")
    writer.writeheader()
    writer.writerows(csv_row(row, moments=("date_heure",)) for row in rows)
    return response


def _refused(request, message: str, *, status: int, run=None):
    return render(request, "analytics/refused.html", {"message": message, "run": run}, status=status)


@login_required
@require_GET
def analysis_event_cells(request, run_id):
    """The events a run analysed, counted per 500 m cell and category over whole weeks, cells under 5 left out:
    what every reader of the run may take away."""
    actor = actor_of(request)
    try:
        run = run_get_for_actor(actor=actor, run_id=str(run_id))
        table = event_cells(actor=actor, query=EventQuery.from_dict(run.params["query"]))
    except ApplicationError as error:
        return _refused(request, error.message, status=error.status_code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mailles-500m-{str(run.pk)[:8]}.csv"'
    writer = SafeDictWriter(response, fieldnames=CELL_FIELDS, delimiter=";")
    writer.writeheader()
    writer.writerows(csv_row(row, dates=("periode_debut", "periode_fin")) for row in table["rows"])
    return response


@login_required
@require_POST
@analyst_page
def dataset_import_view(request, actor: Actor):
    form = DatasetImportForm(request.POST, request.FILES, communes=_communes(actor))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            dataset = dataset_import(actor=actor, commune_id=int(form.cleaned_data["commune"]),
                                     name=form.cleaned_data["name"], data=upload.read(),
                                     crs=form.cleaned_data["crs"].strip() or None,
                                     category=form.cleaned_data["category"].strip() or None,
                                     tz=form.cleaned_data["tz"].strip() or "Europe/Paris")
        except ApplicationError as error:
            messages.error(request, _("Import refusé : %(message)s") % {"message": error.message})
        else:
            text = _("« %(name)s » importé : %(n)s événements.") % {"name": dataset.name, "n": dataset.events}
            if dataset.rejected_lines:
                text += " " + _("Lignes ignorées (illisibles) : %(lines)s.") % {
                    "lines": ", ".join(str(n) for n in dataset.rejected_lines[:20])}
            messages.success(request, text)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Import refusé : %(message)s") % {"message": error})
    return redirect("analytics:home")


@login_required
@require_POST
def dataset_delete_view(request, dataset_id: int):
    actor = actor_of(request)
    try:
        dataset_delete(actor=actor, dataset_id=dataset_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Jeu de données supprimé."))
    return redirect("analytics:home")


def _period_form(request, actor: Actor) -> PeriodForm:
    communes = _communes(actor)
    data = request.GET if "start" in request.GET else None
    return PeriodForm(data, communes=communes,
                      initial={"communes": [str(c.pk) for c in communes],
                               "start": timezone.localdate() - timedelta(days=90), "end": timezone.localdate()})


@login_required
@require_GET
@analyst_page
def indicators(request, actor: Actor):
    form = _period_form(request, actor)
    table, status = None, 200
    if form.is_bound and form.is_valid():
        try:
            table = phase_indicators(actor=actor, commune_ids=form.commune_ids(), start=form.cleaned_data["start"],
                                     end=form.cleaned_data["end"])
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = 400
    elif form.is_bound:
        status = 400
    return render(request, "analytics/indicators.html", {"form": form, "table": table, "previous": (
        day(table["previous_start"]), day(table["previous_end"])) if table else None}, status=status)


@login_required
@require_GET
@analyst_page
def open_data_view(request, actor: Actor):
    form = _period_form(request, actor)
    output = request.GET.get("format", "")
    sources = [s for s in request.GET.getlist("sources") if s in EventSource.values] or [EventSource.REPORTS]
    context = {"form": form, "sources": EventSource.choices, "selected_sources": sources}
    if form.is_bound and form.is_valid():
        arguments = {"actor": actor, "commune_ids": form.commune_ids(), "start": form.cleaned_data["start"],
                     "end": form.cleaned_data["end"], "sources": sources}
        try:
            if output == "geojson":
                response = HttpResponse(json.dumps(open_data_geojson(**arguments), ensure_ascii=False),
                                        content_type="application/geo+json; charset=utf-8")
                response["Content-Disposition"] = 'attachment; filename="donnees-ouvertes-secteurs.geojson"'
                return response
            table = open_data(**arguments)
        except ApplicationError as error:
            form.add_error(None, error.message)
            return render(request, "analytics/opendata.html", context, status=400)
        if output == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="donnees-ouvertes.csv"'
            writer = SafeDictWriter(response, fieldnames=table["fields"], delimiter=";")
            writer.writeheader()
            writer.writerows(csv_row(row, dates=("debut_semaine",)) for row in table["rows"])
            return response
        context |= {"table": table, "preview": table["rows"][:50]}
    if output == "dictionnaire":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="donnees-ouvertes-dictionnaire.csv"'
        writer = SafeWriter(response, delimiter=";")
        writer.writerow(["champ", "type", "description"])
        writer.writerows(DICTIONARY)
        return response
    context |= {"dictionary": DICTIONARY, "threshold": SUPPRESSION_THRESHOLD}
    return render(request, "analytics/opendata.html", context, status=400 if form.is_bound and form.errors
                  else 200)
