"""The analyses themselves, run by the background task: event set in, JSON-ready aggregates out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import h3
import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from scipy import ndimage

from confiance.accounts.access import Actor
from confiance.analytics import disclosure
from confiance.analytics.choices import AnalysisKind
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.formatting import number
from confiance.analytics.selectors import EARLIEST, PARIS, EventQuery, EventSet, dataset_first_event, event_set
from confiance.analytics.stats import hotspots, knox, prediction, temporal
from confiance.analytics.stats.points import elapsed_days, transform
from confiance.core.geo import polygon_from_geojson
from confiance.territory import selectors as territory_selectors

Progress = Callable[[float, str], None]
MAX_MAP_CELLS = 20_000


def execute(kind: str, *, actor: Actor, query: EventQuery, params: dict[str, Any], progress: Progress
            ) -> dict[str, Any]:
    progress(0.02, _("Lecture des événements"))
    # Decided with the author's rights of the moment (they may have changed since the run was asked).
    protected = disclosure.query_protected(actor, query)
    if protected:
        query = replace(query, **dict(zip(("start", "end"), disclosure.widen_period(query.start, query.end),
                                          strict=True)))
    events = event_set(actor=actor, query=query, protected=protected)
    summary = {"events": len(events), "sources": events.sources, "unavailable": events.unavailable,
               "crs": events.crs, "query": query.as_dict(),
               # category names (labels, no count) give the sentences their noun: "un cambriolage"
               "categories": sorted({str(c) for c in events.category.tolist() if c})[:20]}
    if len(events) == 0:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Aucun événement ne correspond à la sélection (communes, période, sources, catégories)."))
    runner = {AnalysisKind.HOTSPOTS: _hotspots, AnalysisKind.NEAR_REPEAT: _near_repeat, AnalysisKind.TIME: _time,
              AnalysisKind.FORECAST: _forecast}[AnalysisKind(kind)]
    if protected:
        disclosure.require_enough(len(events))
    used: dict[str, Any] | None = {} if protected else None
    result = summary | runner(events, query, params, progress, used=used)
    if kind == AnalysisKind.TIME:
        result["comparison"] = _previous_period(actor, query, events, result, protected=protected)
    left_out = result.pop("left_out", 0)
    if not protected:
        return result | {"disclosure": disclosure.describe(protected=False)}
    return result | {"disclosure": disclosure.describe(protected=True, asked=params, used=used, left_out=left_out,
                                                       period=(query.start, query.end))}


def _previous_period(actor: Actor, query: EventQuery, events: EventSet, result: dict[str, Any], *,
                     protected: bool) -> dict[str, Any]:
    """The period of equal length just before the analysed one: its count, the change and whether it could be
    chance (overdispersion from the weekly fit). Protected, a previous count under 5 is not published, nor the
    change it would give away."""
    length = query.end - query.start + timedelta(days=1)
    start, end = query.start - length, query.start - timedelta(days=1)
    out: dict[str, Any] = {"previous_start": start.isoformat(), "previous_end": end.isoformat(), "available": False}
    first = dataset_first_event(actor=actor, dataset_id=query.dataset_id) if query.dataset_id is not None else None
    if start < EARLIEST or (first is not None and first.astimezone(PARIS).date() > start + timedelta(days=7)):
        return out | {"reason": "not_covered"}
    previous = len(event_set(actor=actor, query=replace(query, start=start, end=end), protected=protected))
    if protected and previous < disclosure.MIN_COUNT:
        return out | {"reason": "too_few"}
    dispersion = (result.get("weekly") or {}).get("dispersion") or 1.0
    comparison = temporal.compare_periods(previous, len(events), dispersion)
    return out | {"available": True, "previous": previous, "current": len(events),
                  "change_pct": None if comparison.change is None else round(100 * comparison.change, 1),
                  "p_value": round(comparison.p_value, 4), "dispersion": round(max(1.0, float(dispersion)), 2)}


def _mapped(events: EventSet, used: dict[str, Any] | None) -> EventSet:
    """The events a map may show: all of them, or, protected, those of 500 m cells holding 5 or more."""
    if used is None:
        return events
    mapped = events.subset(disclosure.dense(events.x, events.y, events.commune_id))
    if len(mapped) == 0:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Aucune maille de 500 m ne compte 5 événements ou plus : rien ne peut être cartographié sans "
            "risquer de situer une personne."))
    return mapped


def _study_mask(grid: hotspots.Grid, crs: str, commune_ids: list[int]) -> np.ndarray:
    """Cells whose centre lies in one of the communes."""
    geometries = territory_selectors.commune_geometries(commune_ids=set(commune_ids))
    cx, cy = grid.centres()
    lon, lat = transform(crs, "EPSG:4326", cx.ravel(), cy.ravel())
    mask = np.zeros(cx.size, dtype=bool)
    for geometry in geometries.values():
        polygon = polygon_from_geojson(geometry)
        mask |= shapely.contains_xy(polygon, np.asarray(lon), np.asarray(lat))
    return mask.reshape(cx.shape)


def _study_grid(events: EventSet, query: EventQuery, cell: float, margin: float) -> tuple[hotspots.Grid, np.ndarray]:
    """A grid over the communes (not only over the events), and its mask of cells inside them."""
    geometries = territory_selectors.commune_geometries(commune_ids=set(query.commune_ids))
    corners_lon, corners_lat = [], []
    for geometry in geometries.values():
        west, south, east, north = polygon_from_geojson(geometry).bounds
        corners_lon += [west, east, west, east]
        corners_lat += [south, north, north, south]
    if corners_lon and query.dataset_id is None:
        x, y = transform("EPSG:4326", events.crs, np.array(corners_lon), np.array(corners_lat))
        x = np.concatenate([np.asarray(x), events.x])
        y = np.concatenate([np.asarray(y), events.y])
    else:
        x, y = events.x, events.y
    grid = hotspots.Grid.around(x, y, cell, margin=margin)
    mask = _study_mask(grid, events.crs, query.commune_ids) if query.dataset_id is None else np.ones(
        (grid.rows, grid.columns), dtype=bool)
    if not mask.any():
        mask = np.ones((grid.rows, grid.columns), dtype=bool)
    return grid, mask


def _cell_polygons(grid: hotspots.Grid, rows: np.ndarray, columns: np.ndarray, crs: str) -> list[list]:
    """WGS84 rings of grid cells."""
    x0 = grid.x0 + columns * grid.size
    y0 = grid.y0 + rows * grid.size
    xs = np.stack([x0, x0 + grid.size, x0 + grid.size, x0, x0], axis=1)
    ys = np.stack([y0, y0, y0 + grid.size, y0 + grid.size, y0], axis=1)
    lon, lat = transform(crs, "EPSG:4326", xs.ravel(), ys.ravel())
    lon = np.round(np.asarray(lon).reshape(xs.shape), 6)
    lat = np.round(np.asarray(lat).reshape(xs.shape), 6)
    return [[list(zip(lo.tolist(), la.tolist(), strict=True))] for lo, la in zip(lon, lat, strict=True)]


def _int_param(params: dict, name: str, default: int, low: int, high: int, label: str) -> int:
    value = params.get(name, default)
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _(
            "%(label)s : un nombre entier entre %(low)s et %(high)s est attendu.") % {
            "label": label, "low": low, "high": high}, field=name)
    return value


def _float_param(params: dict, name: str, default: float | None, low: float, high: float, label: str) -> float | None:
    value = params.get(name, default)
    if value in (None, ""):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not np.isfinite(value) or not low <= value <= high:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _(
            "%(label)s : un nombre entre %(low)s et %(high)s est attendu.") % {
            "label": label, "low": low, "high": high}, field=name)
    return value


def _hotspots(events: EventSet, query: EventQuery, params: dict, progress: Progress,
              used: dict[str, Any] | None = None) -> dict[str, Any]:
    cell = _float_param(params, "cell_m", 100, 25, 2000, _("Taille de maille"))
    bandwidth = _float_param(params, "bandwidth_m", None, 10, 10_000, _("Largeur du noyau"))
    resolution = _int_param(params, "h3_resolution", 9, 5, 12, _("Résolution H3"))
    total = len(events)
    if used is not None:
        cell, resolution = disclosure.cell_size(cell), disclosure.h3_resolution(resolution)
        used |= {"cell_m": cell, "h3_resolution": resolution}
    events = _mapped(events, used)
    permutations = _int_param(params, "permutations", settings.CONFIANCE_ANALYTICS_PERMUTATIONS, 19, 9999,
                              _("Permutations"))
    progress(0.1, _("Comptage sur la grille"))
    if bandwidth is None and len(events) >= 2:
        bandwidth = hotspots.bandwidth_rule(events.x, events.y)
        source = "rule"
    elif bandwidth is None:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Un seul événement : donnez une largeur de noyau pour estimer une densité."))
    else:
        source = "given"
    grid, mask = _study_grid(events, query, cell, margin=min(3 * bandwidth, 5000))
    counts = grid.counts(events.x, events.y)
    progress(0.25, _("Densité par noyau"))
    density = hotspots.kernel_density(events.x, events.y, bandwidth=bandwidth, grid=grid)
    density.bandwidth_source = source
    progress(0.45, _("Statistique Gi* et permutations"))
    gi_notes = []
    values = counts[mask].astype(float)
    gi = None
    if mask.sum() >= 3 and values.std() > 0:
        gi = hotspots.gi_star(values, hotspots.queen_weights(mask), permutations=permutations)
    else:
        gi_notes.append(_("Gi* non calculé : toutes les mailles de la zone ont le même nombre d'événements."))
    progress(0.75, _("Cellules H3"))
    h3_counts = hotspots.h3_counts(events.lat, events.lon, resolution)
    progress(0.85, _("Préparation de la carte"))
    rows, columns = np.nonzero(mask)
    cell_counts = counts[mask]
    cell_density = density.values[mask]
    classes = gi.classes() if gi is not None else np.zeros(len(rows), dtype=np.int8)
    zones = _hot_zones(mask, rows, columns, classes, cell_counts)
    keep = (cell_counts > 0) | (classes != 0) | (cell_density >= 0.02 * max(cell_density.max(), 1e-12))
    order = np.flatnonzero(keep)
    if len(order) > MAX_MAP_CELLS:
        order = order[np.argsort(-cell_density[order])[:MAX_MAP_CELLS]]
    polygons = _cell_polygons(grid, rows[order], columns[order], events.crs)
    features = []
    for k, polygon in zip(order, polygons, strict=True):
        properties = {"n": int(cell_counts[k]), "d": round(float(cell_density[k]), 2), "c": int(classes[k])}
        if gi is not None:
            properties |= {"z": round(float(gi.z[k]), 2), "p": round(float(gi.p_sim[k]), 4)}
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": polygon},
                         "properties": properties})
    h3_features = [{"type": "Feature", "properties": {"h3": cell, "n": n}, "geometry": {
        "type": "Polygon", "coordinates": [[[round(b, 6), round(a, 6)] for a, b in
                                            [*h3.cell_to_boundary(cell), h3.cell_to_boundary(cell)[0]]]]}}
        for cell, n in sorted(h3_counts.items(), key=lambda item: -item[1])[:MAX_MAP_CELLS]]
    return {
        "grid": grid.as_dict() | {"cells_in_area": int(mask.sum())},
        "density": density.as_dict(),
        "gi": None if gi is None else {
            "permutations": gi.permutations, "fdr_q": 0.05, "fdr_threshold": gi.fdr_threshold,
            "hot": int((classes == 1).sum()), "cold": int((classes == -1).sum()), "seed": gi.seed},
        "notes": gi_notes,
        "zones": zones,
        "top_cells": [{"n": int(cell_counts[k]), "z": None if gi is None else round(float(gi.z[k]), 2)}
                      for k in np.argsort(-cell_counts)[:10] if cell_counts[k] > 0],
        "cells": {"type": "FeatureCollection", "features": features},
        "outline": _outline(query),
        "h3": {"resolution": resolution, "cells": len(h3_counts),
               "collection": {"type": "FeatureCollection", "features": h3_features}},
        "left_out": total - len(events),
    }


def _hot_zones(mask: np.ndarray, rows: np.ndarray, columns: np.ndarray, classes: np.ndarray,
               counts: np.ndarray) -> dict[str, int]:
    """Hot cells grouped into zones (cells touching by a side or a corner), with the events they hold."""
    hot = np.zeros(mask.shape, dtype=bool)
    hot[rows[classes == 1], columns[classes == 1]] = True
    _labels, zones = ndimage.label(hot, structure=np.ones((3, 3), dtype=int))
    return {"zones": int(zones), "cells": int(hot.sum()), "events": int(counts[classes == 1].sum())}


def _outline(query: EventQuery) -> dict[str, Any]:
    """The selected communes' boundaries (public data), drawn over the cells."""
    geometries = territory_selectors.commune_geometries(commune_ids=set(query.commune_ids))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry, "properties": {}} for geometry in geometries.values()]}


def _near_repeat(events: EventSet, query: EventQuery, params: dict, progress: Progress,
                 used: dict[str, Any] | None = None) -> dict[str, Any]:
    spatial_bandwidth = _float_param(params, "spatial_bandwidth_m", 100, 1, 5000, _("Largeur des bandes spatiales"))
    spatial_count = _int_param(params, "spatial_bands", 5, 1, 20, _("Nombre de bandes spatiales"))
    temporal_bandwidth = _float_param(params, "temporal_bandwidth_days", 7, 0.04, 365,
                                      _("Largeur des bandes temporelles"))
    temporal_count = _int_param(params, "temporal_bands", 5, 1, 20, _("Nombre de bandes temporelles"))
    permutations = _int_param(params, "permutations", settings.CONFIANCE_ANALYTICS_PERMUTATIONS, 19, 9999,
                              _("Permutations"))
    seed = _int_param(params, "seed", 20140101, 0, 2**31 - 1, _("Graine"))
    if used is not None:
        spatial_bandwidth, temporal_bandwidth = disclosure.knox_bandwidths(spatial_bandwidth, temporal_bandwidth)
        used |= {"spatial_bandwidth_m": spatial_bandwidth, "temporal_bandwidth_days": temporal_bandwidth}
    days = elapsed_days(events.seconds, whole_days=events.whole_days, zone=events.zone)
    progress(0.05, _("Paires proches"))

    def report(done: int, total: int) -> None:
        progress(0.05 + 0.9 * done / total, _("Permutations : %(done)s sur %(total)s") % {
            "done": number(done), "total": number(total)})

    result = knox.knox(events.x, events.y, days, spatial_edges=knox.bands(spatial_bandwidth, spatial_count),
                       temporal_edges=knox.bands(temporal_bandwidth, temporal_count), permutations=permutations,
                       seed=seed, progress=report)
    if used is not None:
        table = disclosure.protect_knox(result.as_dict())
        return {"knox": table, "csv": disclosure.knox_csv(table)}
    return {"knox": result.as_dict(), "csv": result.csv_rows()}


def _local(events: EventSet) -> tuple[np.ndarray, np.ndarray]:
    return temporal.local_days_and_hours(events.seconds)


def _day_number(moment: datetime) -> int:
    return int(np.datetime64(moment.astimezone(PARIS).date(), "D").astype(np.int64))


def _time(events: EventSet, query: EventQuery, params: dict, progress: Progress,
          used: dict[str, Any] | None = None) -> dict[str, Any]:
    days, hours = _local(events)
    progress(0.2, _("Profil horaire"))
    result: dict[str, Any] = {"hour_of_week": temporal.hour_of_week(days, hours) | {
        "hours_known": not events.whole_days}}
    start, end = _day_number(events.since), _day_number(events.until) - 1
    progress(0.5, _("Tendance hebdomadaire"))
    try:
        result["weekly"] = temporal.weekly_trend(days, start, end).as_dict()
    except AnalysisInputError as error:
        result["weekly_error"] = error.message
    daily = temporal.daily_series(days, start, end)
    result["daily"] = {"start": str(np.datetime64(start, "D")), "counts": daily.astype(int).tolist()}
    if used is not None:
        _protect_time(result)
    return result


def _protect_time(result: dict[str, Any]) -> None:
    """Hour-of-week cells and weeks under 5 masked (their totals are known); no day by day series."""
    profile = result["hour_of_week"]
    cells = disclosure.protect_counts(np.asarray(profile["counts"]).ravel())
    profile["counts"] = [cells[k:k + 24] for k in range(0, len(cells), 24)]
    weekly = result.get("weekly")
    if weekly:
        weekly["observed"] = disclosure.protect_counts(weekly["observed"])
        hidden = {w for w, n in zip(weekly["week_starts"], weekly["observed"], strict=True) if n is None}
        weekly["above"] = [w for w in weekly["above"] if w not in hidden]
    result.pop("daily")


def _forecast(events: EventSet, query: EventQuery, params: dict, progress: Progress,
              used: dict[str, Any] | None = None) -> dict[str, Any]:
    cell = _float_param(params, "cell_m", 250, 50, 2000, _("Taille de maille"))
    if used is not None:
        cell = disclosure.cell_size(cell)
        used["cell_m"] = cell
    by = params.get("by", "commune")
    if by not in ("commune", "sector"):
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _("Regroupement inconnu."), field="by")
    days, _hours = _local(events)
    start, end = _day_number(events.since), _day_number(events.until) - 1
    groups: dict[str, np.ndarray] = {}
    if by == "commune":
        names = territory_selectors.commune_names(commune_ids=set(query.commune_ids))
        for commune_id in sorted(set(events.commune_id.tolist())):
            groups[names.get(commune_id, str(commune_id))] = events.commune_id == commune_id
    else:
        labels = territory_selectors.sector_labels(commune_ids=set(query.commune_ids))
        for sector_id in sorted(set(events.sector_id.tolist())):
            label = labels.get(sector_id, ("", _("hors secteur"), ""))[1]
            groups[str(label)] = events.sector_id == sector_id
    hidden: set[str] = set()
    if used is not None and len(groups) > 1:
        masked = disclosure.protect_counts([int(m.sum()) for m in groups.values()])
        hidden = {label for label, n in zip(groups, masked, strict=True) if n is None}
    if len(groups) != 1:
        groups = dict([(_("Ensemble"), np.ones(len(events), dtype=bool)), *groups.items()])
    loads = []
    for index, (label, members) in enumerate(groups.items()):
        progress(0.05 + 0.5 * index / max(1, len(groups)), _("Prévision de charge : %(name)s") % {"name": label})
        if label in hidden:
            loads.append({"label": str(label), "events": None, "masked": True, "error": _(
                "Moins de 5 événements, ou masqué pour qu'un nombre de moins de 5 ne se déduise pas du total : "
                "pas de prévision publiée.")})
            continue
        daily = temporal.daily_series(days[members], start, end)
        entry: dict[str, Any] = {"label": str(label), "events": int(members.sum())}
        try:
            future = temporal.forecast_days(daily, end + 1, 7)
            low, high = temporal.poisson_interval(future)
            entry |= {
                "history_start": str(np.datetime64(max(start, end - 55), "D")),
                "history": daily[-56:].astype(int).tolist(),
                "forecast_start": str(np.datetime64(end + 1, "D")),
                "forecast": np.round(future, 2).tolist(), "low": low.tolist(), "high": high.tolist(),
                "baseline": round(float(temporal.baseline(daily, 7)[0]), 2),
                "week_total": round(float(future.sum()), 1),
                "week_low": int(temporal.poisson_interval(np.array([future.sum()]))[0][0]),
                "week_high": int(temporal.poisson_interval(np.array([future.sum()]))[1][0]),
                "baseline_week_total": round(float(temporal.baseline(daily, 7).sum()), 1),
            }
            entry["backtest"] = temporal.backtest(daily, start).as_dict()
            if used is not None:
                entry["history"] = disclosure.protect_days(entry["history"])
        except AnalysisInputError as error:
            entry["error"] = error.message
        loads.append(entry)
    progress(0.6, _("Zones prédites et indice PAI"))
    result: dict[str, Any] = {"loads": loads, "cell_m": cell}
    try:
        mapped = _mapped(events, used)
        if used is not None:
            result["left_out"] = len(events) - len(mapped)
            days, events = days[disclosure.dense(events.x, events.y, events.commune_id)], mapped
        grid, mask = _study_grid(events, query, cell, margin=0)
        first_monday = start + (-(start + 3)) % 7
        weeks = (end - first_monday + 1) // 7
        week_index = (days - first_monday) // 7
        inside = (week_index >= 0) & (week_index < weeks)
        row, column = grid.index(events.x[inside], events.y[inside])
        stack = np.zeros((max(weeks, 0), grid.rows, grid.columns), dtype=np.int64)
        np.add.at(stack, (week_index[inside], row, column), 1)
        evaluation = prediction.evaluate(stack, mask, training_weeks=min(12, max(4, weeks // 3)))
        result["pai"] = evaluation.as_dict()
        surface = prediction.risk_surface(stack[-52:])
        top = np.flatnonzero(mask.ravel())[np.argsort(-surface[mask])[:max(1, int(0.05 * mask.sum()))]]
        top_rows, top_columns = np.unravel_index(top, mask.shape)
        result["next_week"] = {"start": str(np.datetime64(end + 1, "D")), "share": 0.05, "cells": {
            "type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": polygon},
                 "properties": {"risk": _risk(surface, r, c, relative=used is not None)}}
                for polygon, r, c in zip(_cell_polygons(grid, top_rows, top_columns, events.crs), top_rows,
                                         top_columns, strict=True)]}}
    except AnalysisInputError as error:
        result["pai_error"] = error.message
    return result


def _risk(surface: np.ndarray, row: int, column: int, *, relative: bool) -> float:
    """The risk of a cell; protected, only relative to the highest, to one decimal (a rank, not a count)."""
    if relative:
        top = float(surface.max())
        return round(float(surface[row, column]) / top, 1) if top > 0 else 0.0
    return round(float(surface[row, column]), 3)
