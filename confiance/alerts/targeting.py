"""Who an alert reaches: the subscribers whose point lies in the alert's area, or whose sector was chosen.

Every subscriber located by address carries the H3 cell of its point (at `CONFIANCE_H3_RESOLUTION`). The area is
covered with cells: a cell wholly inside the area brings all its subscribers without any test; a cell the border
crosses brings its subscribers' points, tested exactly (shapely 2 `contains_xy`, vectorised); the other cells are
not read at all. So the cost follows the size of the area, not the number of subscribers (bench/alerts_targeting.py).

`area_cover` is pure (no database); `targeted_subscriber_ids` runs the look-ups by cell in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

CHUNK = 900  # cells per statement: well under SQLite's bound on parameters


@dataclass(frozen=True)
class AreaCover:
    """The H3 cells of an area: those wholly inside, and those its border crosses."""

    inside: tuple[str, ...]
    border: tuple[str, ...]


def _cell_polygon(cell: str) -> Polygon:
    return Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)])


def _candidate_cells(area: BaseGeometry, resolution: int) -> set[str]:
    """Cells whose centre is inside, plus one ring around them and the cells of every vertex (thin parts)."""
    polygons = list(getattr(area, "geoms", [area]))
    cells: set[str] = set()
    for polygon in polygons:
        shape = h3.LatLngPoly([(lat, lon) for lon, lat in polygon.exterior.coords],
                              *[[(lat, lon) for lon, lat in ring.coords] for ring in polygon.interiors])
        cells.update(h3.polygon_to_cells(shape, resolution))
        cells.update(h3.latlng_to_cell(lat, lon, resolution) for lon, lat in polygon.exterior.coords)
    ring = set()
    for cell in cells:
        ring.update(h3.grid_disk(cell, 1))
    return cells | ring


def area_cover(area: BaseGeometry, resolution: int | None = None) -> AreaCover:
    """The cells of `area` at `resolution` (the platform's by default), split into inside and border cells."""
    resolution = resolution or settings.CONFIANCE_H3_RESOLUTION
    shapely.prepare(area)
    inside, border = [], []
    for cell in sorted(_candidate_cells(area, resolution)):
        hexagon = _cell_polygon(cell)
        if area.contains(hexagon):
            inside.append(cell)
        elif area.intersects(hexagon):
            border.append(cell)
    return AreaCover(inside=tuple(inside), border=tuple(border))


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
