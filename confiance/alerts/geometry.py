"""The area of an alert: drawn polygons and circles (GeoJSON), plus chosen communes and sectors, as one shape."""

import math
from typing import Any

from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.validation import explain_validity

from confiance.alerts.errors import AlertsError, AlertsErrorCode
from confiance.alerts.models import Alert
from confiance.core.geo import degree_lengths

MAX_FEATURES = 20
MAX_VERTICES = 2000
MAX_RADIUS_M = 100_000.0
CIRCLE_SEGMENTS = 48


def _refuse(message: str, **details: Any) -> AlertsError:
    return AlertsError(AlertsErrorCode.AREA_INVALID, message, details=details)


def circle_polygon(lat: float, lon: float, radius_m: float, segments: int = CIRCLE_SEGMENTS) -> Polygon:
    """A circle on the ground approximated by a polygon in degrees (small radii: local metric scale)."""
    metres_per_lat, metres_per_lon = degree_lengths(lat)
    points = []
    for step in range(segments):
        angle = 2 * math.pi * step / segments
        points.append((lon + radius_m * math.cos(angle) / metres_per_lon,
                       lat + radius_m * math.sin(angle) / metres_per_lat))
    return Polygon(points)


def _check_ring(ring: Any, index: int) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) > MAX_VERTICES:
        raise _refuse("Contour de polygone illisible ou trop long.", feature=index)
    points: list[tuple[float, float]] = []
    for position in ring:
        if (not isinstance(position, list | tuple) or len(position) < 2
                or not all(isinstance(value, int | float) and not isinstance(value, bool) for value in position[:2])):
            raise _refuse("Sommet de polygone illisible.", feature=index)
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon) or math.isnan(lat):
            raise _refuse("Sommet hors des coordonnées WGS84.", feature=index)
        points.append((lon, lat))
    if len(points) < 4:
        raise _refuse("Un polygone a au moins 4 sommets, le dernier égal au premier.", feature=index)
    if points[0] != points[-1]:
        raise _refuse("Polygone ouvert : le dernier sommet doit être égal au premier.", feature=index)
    return points


def polygon_checked(coordinates: Any, index: int = 0) -> Polygon:
    """A Polygon from GeoJSON coordinates (outer ring only), closed, of at least 4 points, not self-intersecting."""
    if not isinstance(coordinates, list) or not coordinates:
        raise _refuse("Polygone sans contour.", feature=index)
    polygon = Polygon(_check_ring(coordinates[0], index))
    if not polygon.is_valid:
        raise _refuse(f"Polygone invalide (il se recoupe) : {explain_validity(polygon)}", feature=index)
    if polygon.is_empty or polygon.area == 0:
        raise _refuse("Polygone plat ou vide.", feature=index)
    return polygon


def _circle_checked(feature: dict[str, Any], index: int) -> tuple[float, float, float]:
    coordinates = feature.get("geometry", {}).get("coordinates")
    radius = (feature.get("properties") or {}).get("radius_m")
    if (not isinstance(coordinates, list) or len(coordinates) < 2
            or not all(isinstance(value, int | float) and not isinstance(value, bool) for value in coordinates[:2])):
        raise _refuse("Centre de cercle illisible.", feature=index)
    if not isinstance(radius, int | float) or isinstance(radius, bool) or not 1 <= radius <= MAX_RADIUS_M:
        raise _refuse("Rayon de cercle entre 1 m et 100 km attendu.", feature=index)
    lon, lat = float(coordinates[0]), float(coordinates[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _refuse("Centre de cercle hors des coordonnées WGS84.", feature=index)
    return lat, lon, float(radius)


def area_clean(area: Any) -> dict[str, Any]:
    """The drawn area as a normalised FeatureCollection (Polygon features and Point+radius_m circles), or refused."""
    if area in (None, "", {}):
        return {"type": "FeatureCollection", "features": []}
    if (not isinstance(area, dict) or area.get("type") != "FeatureCollection"
            or not isinstance(area.get("features"), list)):
        raise _refuse("Zone dessinée illisible : FeatureCollection GeoJSON attendue.")
    if len(area["features"]) > MAX_FEATURES:
        raise _refuse("Trop de formes dessinées (20 au plus).")
    features = []
    for index, feature in enumerate(area["features"]):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind == "Polygon":
            polygon = polygon_checked(geometry.get("coordinates"), index)
            ring = [[lon, lat] for lon, lat in polygon.exterior.coords]
            features.append({"type": "Feature", "properties": {},
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})
        elif kind == "Point":
            lat, lon, radius = _circle_checked(feature, index)
            features.append({"type": "Feature", "properties": {"radius_m": radius},
                             "geometry": {"type": "Point", "coordinates": [lon, lat]}})
        else:
            raise _refuse("Seuls les polygones et les cercles sont acceptés.", feature=index)
    return {"type": "FeatureCollection", "features": features}


def drawn_polygons(area: dict[str, Any]) -> list[Polygon]:
    """The drawn polygons (exterior rings) of a cleaned area, in GeoJSON order."""
    return [Polygon(feature["geometry"]["coordinates"][0]) for feature in (area or {}).get("features", [])
            if feature.get("geometry", {}).get("type") == "Polygon"]


def drawn_circles(area: dict[str, Any]) -> list[tuple[float, float, float]]:
    """The drawn circles of a cleaned area as (lat, lon, radius_m)."""
    return [(feature["geometry"]["coordinates"][1], feature["geometry"]["coordinates"][0],
             float(feature["properties"]["radius_m"]))
            for feature in (area or {}).get("features", []) if feature.get("geometry", {}).get("type") == "Point"]


def drawn_shape(area: dict[str, Any]) -> BaseGeometry:
    """The union of the drawn polygons and circles (empty geometry when nothing is drawn)."""
    shapes: list[BaseGeometry] = list(drawn_polygons(area))
    shapes += [circle_polygon(lat, lon, radius) for lat, lon, radius in drawn_circles(area)]
    return unary_union(shapes) if shapes else Point().buffer(0)


def alert_area_shape(alert: Alert) -> BaseGeometry:
    """Everything an alert targets: drawn shapes, chosen sectors and communes, as one WGS84 shape (lon, lat)."""
    shapes = [drawn_shape(alert.area)]
    shapes += [shape(sector.geometry) for sector in alert.target_sectors.all()]
    shapes += [shape(commune.geometry) for commune in alert.target_communes.all()]
    return unary_union([item for item in shapes if not item.is_empty]) if any(not s.is_empty for s in shapes) \
        else Point().buffer(0)
