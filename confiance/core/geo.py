"""Geography kernel: validation of WGS84 points, H3 cells, and a fast point-in-polygon index."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity


def valid_lat_lon(lat: float, lon: float) -> bool:
    """True when lat/lon are finite WGS84 degrees."""
    return (
        isinstance(lat, int | float) and isinstance(lon, int | float)
        and math.isfinite(lat) and math.isfinite(lon)
        and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0
    )


METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0


def degree_lengths(lat: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude around a latitude."""
    return METRES_PER_DEGREE_LAT, METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres, exact enough below a few tens of kilometres."""
    ky, kx = degree_lengths((lat1 + lat2) / 2)
    return math.hypot((lat2 - lat1) * ky, (lon2 - lon1) * kx)


def h3_cell(lat: float, lon: float, resolution: int | None = None) -> str:
    """The H3 cell (hex string) of a point, at the platform's resolution unless told."""
    return h3.latlng_to_cell(lat, lon, resolution or settings.CONFIANCE_H3_RESOLUTION)


def h3_disk(lat: float, lon: float, radius_m: float, resolution: int | None = None) -> list[str]:
    """The H3 cells that cover at least a disk of radius_m around a point."""
    resolution = resolution or settings.CONFIANCE_H3_RESOLUTION
    centre = h3.latlng_to_cell(lat, lon, resolution)
    edge = h3.average_hexagon_edge_length(resolution, unit="m")
    rings = max(1, math.ceil(radius_m / (edge * math.sqrt(3) / 2)))
    return list(h3.grid_disk(centre, rings))


class GeometryError(ValueError):
    """A geometry that cannot be used, with a reason in French."""


def polygon_from_geojson(geometry: Any) -> BaseGeometry:
    """A valid Polygon or MultiPolygon from a GeoJSON geometry, or GeometryError saying why."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise GeometryError("géométrie absente ou illisible")
    if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(f"type de géométrie {geometry.get('type')!r} : Polygon ou MultiPolygon attendu")
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise GeometryError(f"coordonnées illisibles ({exc})") from exc
    if polygon.is_empty:
        raise GeometryError("géométrie vide")
    minx, miny, maxx, maxy = polygon.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("coordonnées hors WGS84 (longitude, latitude en degrés attendues)")
    if not polygon.is_valid:
        raise GeometryError(f"polygone invalide : {explain_validity(polygon)}")
    return polygon


@dataclass(frozen=True)
class IndexedArea:
    """An area of a PolygonIndex: a key chosen by the caller and its geometry."""

    key: Any
    geometry: BaseGeometry


class PolygonIndex:
    """Which polygon contains a point, for one point or a million: STRtree + prepared geometries."""

    def __init__(self, areas: Sequence[IndexedArea]) -> None:
        self.keys = [area.key for area in areas]
        self.geometries = np.array([area.geometry for area in areas], dtype=object)
        for geometry in self.geometries:
            shapely.prepare(geometry)
        self.tree = shapely.STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.keys)

    def locate(self, lon: float, lat: float) -> Any | None:
        """The key of the area containing (lon, lat), or None."""
        hits = self.tree.query(shapely.points(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self.keys[int(hits.min())]

    def locate_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """The index (into self.keys) of the area containing each point, -1 where none."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, area_idx = self.tree.query(points, predicate="intersects")
        result = np.full(len(points), -1, dtype=np.int64)
        # Points on a shared border hit two areas: keep the lowest area index, deterministically.
        order = np.lexsort((area_idx, point_idx))
        point_idx, area_idx = point_idx[order], area_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        result[point_idx[first]] = area_idx[first]
        return result
