"""Who an alert reaches: the subscribers whose point lies in the alert's area, or whose sector was chosen.

Every subscriber located by address carries the H3 cell of its point (at `CONFIANCE_H3_RESOLUTION`). The area is
covered with cells: a cell wholly inside the area brings all its subscribers without any test; a cell the border
crosses brings its subscribers' points, tested exactly (shapely 2 `contains_xy`, vectorised); the other cells are
not read at all. So the cost follows the size of the area, not the number of subscribers (bench/alerts_targeting.py).

`area_cover` is pure (no database); `targeted_subscriber_ids` runs the look-ups by cell in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from shapely.geometry.base import BaseGeometry

CHUNK = 900  # cells per statement: well under SQLite's bound on parameters


@dataclass(frozen=True)
class AreaCover:
    """The H3 cells of an area: those wholly inside, and those its border crosses."""

    inside: tuple[str, ...]
    border: tuple[str, ...]


EDGE_MARGIN = 1.5  # H3 cells of one resolution vary in size: a generous bound on a vertex's distance to the centre


def _centres(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    points = np.array([h3.cell_to_latlng(cell) for cell in cells], dtype=float).reshape(-1, 2)
    return np.ascontiguousarray(points[:, 1]), np.ascontiguousarray(points[:, 0])


def area_cover(area: BaseGeometry, resolution: int | None = None) -> AreaCover:
    """The cells of `area` at `resolution` (the platform's by default), split into inside and border cells.

    Vectorised: a cell is inside when its centre is inside and farther from the border than any of its vertices
    can be (in degrees, counted with the shorter degree, of longitude); a cell nearer the border is a border cell
    (its subscribers are tested one by one, so a cautious split costs time, never a wrong answer)."""
    resolution = resolution or settings.CONFIANCE_H3_RESOLUTION
    shapely.prepare(area)
    _minx, miny, _maxx, maxy = area.bounds
    radius_m = h3.average_hexagon_edge_length(resolution, unit="m") * EDGE_MARGIN
    radius = radius_m / (111_320.0 * max(0.05, math.cos(math.radians(max(abs(miny), abs(maxy))))))
    polygons = list(getattr(area, "geoms", [area]))
    cells: set[str] = set()
    for polygon in polygons:
        shape = h3.LatLngPoly([(lat, lon) for lon, lat in polygon.exterior.coords],
                              *[[(lat, lon) for lon, lat in ring.coords] for ring in polygon.interiors])
        cells.update(h3.polygon_to_cells(shape, resolution))
        cells.update(h3.latlng_to_cell(lat, lon, resolution) for lon, lat in polygon.exterior.coords)
    inner = sorted(cells)
    lons, lats = _centres(inner)
    border_distance = shapely.distance(area.boundary, shapely.points(lons, lats)) if inner else np.empty(0)
    near = [cell for cell, distance in zip(inner, border_distance, strict=True) if distance <= 2 * radius]
    candidates = set(inner)
    for cell in near:  # cells whose centre lies outside but that the area may still reach
        candidates.update(h3.grid_disk(cell, 1))
    ordered = sorted(candidates)
    lons, lats = _centres(ordered)
    points = shapely.points(lons, lats)
    distance = shapely.distance(area.boundary, points)
    centre_inside = shapely.intersects_xy(area, lons, lats)
    inside = centre_inside & (distance > radius)
    border = ~inside & (distance <= radius)
    chosen = np.array(ordered, dtype=object)
    return AreaCover(inside=tuple(chosen[inside]), border=tuple(chosen[border]))


def points_inside(area: BaseGeometry, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """A boolean mask: which of these points lie in the area (its border counts as inside)."""
    shapely.prepare(area)
    return shapely.intersects_xy(area, np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _subscriber_table() -> tuple[str, str]:
    from confiance.alerts.models import Subscriber

    q = connection.ops.quote_name
    return q(Subscriber._meta.db_table), q("status")


def targeted_subscriber_ids(*, commune_ids: Sequence[int], area: BaseGeometry | None,
                            sector_ids: Sequence[int] = ()) -> np.ndarray:
    """Ids (sorted, unique) of the active subscribers of these communes located in `area` or in a chosen sector."""
    from confiance.alerts.delivery_choices import SubscriberStatus

    table, status = _subscriber_table()
    communes = ", ".join(["%s"] * len(commune_ids))
    if not commune_ids:
        return np.empty(0, dtype=np.int64)
    base = f"FROM {table} WHERE {status} = %s AND commune_id IN ({communes})"
    head = [SubscriberStatus.ACTIVE, *commune_ids]
    found: list[np.ndarray] = []
    if area is not None and not area.is_empty:
        cover = area_cover(area)
        for cells in _chunks(cover.inside):
            marks = ", ".join(["%s"] * len(cells))
            rows = _rows(f"SELECT id {base} AND h3_cell IN ({marks})", [*head, *cells])
            found.append(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))
        for cells in _chunks(cover.border):
            marks = ", ".join(["%s"] * len(cells))
            rows = _rows(f"SELECT id, lon, lat {base} AND h3_cell IN ({marks})", [*head, *cells])
            if rows:
                block = np.array(rows, dtype=float)
                found.append(block[points_inside(area, block[:, 1], block[:, 2]), 0].astype(np.int64))
    for start in range(0, len(sector_ids), CHUNK):
        chosen = list(sector_ids[start:start + CHUNK])
        marks = ", ".join(["%s"] * len(chosen))
        rows = _rows(f"SELECT id {base} AND sector_id IN ({marks})", [*head, *chosen])
        found.append(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))
    if not found:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(found))


def plain_targeted_ids(*, commune_ids: Sequence[int], area: BaseGeometry) -> np.ndarray:
    """The same answer the plain way: every located subscriber's point read and tested (the benchmark's baseline)."""
    from confiance.alerts.delivery_choices import SubscriberStatus

    table, status = _subscriber_table()
    communes = ", ".join(["%s"] * len(commune_ids))
    rows = _rows(f"SELECT id, lon, lat FROM {table} WHERE {status} = %s AND commune_id IN ({communes}) "  # noqa: S608
                 "AND lat IS NOT NULL", [SubscriberStatus.ACTIVE, *commune_ids])
    if not rows:
        return np.empty(0, dtype=np.int64)
    block = np.array(rows, dtype=float)
    return np.sort(block[points_inside(area, block[:, 1], block[:, 2]), 0].astype(np.int64))
