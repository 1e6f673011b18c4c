"""The base map the platform draws itself when no tile server is configured: the road network it holds.

The imported road graph (roads.py) is kept per process as undirected segments, rebuilt when a newer road import
exists (core.revisions); a request reads the segments crossing its box, the small roads only when zoomed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from confiance.core.actors import Authorised
from confiance.core.revisions import RevisionedCache, Revisions
from confiance.operations.models import RoadEdge, RoadImport, RoadNode
from confiance.territory.selectors import public_commune_collection, territory_feature_collection

# Road classes from the largest down; a class is drawn from the zoom level given here.
ROAD_CLASSES = {
    "motorway": 0, "motorway_link": 0, "trunk": 0, "trunk_link": 0, "primary": 0, "primary_link": 0,
    "secondary": 9, "secondary_link": 11, "tertiary": 11, "tertiary_link": 12, "unclassified": 13,
    "residential": 13, "living_street": 14, "road": 13, "service": 15,
}
MIN_ZOOM = 0
MAX_ZOOM = 22
MAX_SEGMENTS = 20_000  # past this many in one box, the smaller classes are left out


@dataclass(frozen=True)
class RoadSegments:
    """Undirected segments of the road network: ends in degrees, class, the zoom from which it is drawn."""

    lat_a: np.ndarray
    lon_a: np.ndarray
    lat_b: np.ndarray
    lon_b: np.ndarray
    classes: list[str]
    class_of: np.ndarray  # index into `classes`
    min_zoom: np.ndarray


def _segments_of(revisions: Revisions) -> RoadSegments:
    nodes = {pk: (lat, lon) for pk, lat, lon in RoadNode.objects.values_list("id", "lat", "lon")}
    pairs: dict[tuple[int, int], str] = {}
    for source, target, highway in RoadEdge.objects.values_list("source_id", "target_id", "highway"):
        pairs.setdefault((min(source, target), max(source, target)), highway)
    classes = sorted(set(pairs.values()))
    index = {name: position for position, name in enumerate(classes)}
    ends = np.array([(*nodes[a], *nodes[b]) for a, b in pairs], dtype=float).reshape(-1, 4)
    return RoadSegments(lat_a=ends[:, 0], lon_a=ends[:, 1], lat_b=ends[:, 2], lon_b=ends[:, 3], classes=classes,
                        class_of=np.array([index[h] for h in pairs.values()], dtype=np.int16),
                        min_zoom=np.array([ROAD_CLASSES.get(h, 16) for h in pairs.values()], dtype=np.int16))


# Keyed by the newest road import, like the dispatch graph.
_segments_cache: RevisionedCache[RoadSegments] = RevisionedCache(RoadImport, build=_segments_of)


def basemap_roads(*, bbox: tuple[float, float, float, float], zoom: int) -> dict[str, Any]:
    """The roads crossing the box (west, south, east, north) drawn at this zoom, as a GeoJSON FeatureCollection:
    one MultiLineString per road class, the largest classes last (drawn on top)."""
    segments = _segments_cache.current()
    west, south, east, north = bbox
    crossing = ((np.maximum(segments.lon_a, segments.lon_b) >= west)
                & (np.minimum(segments.lon_a, segments.lon_b) <= east)
                & (np.maximum(segments.lat_a, segments.lat_b) >= south)
                & (np.minimum(segments.lat_a, segments.lat_b) <= north))
    shown = crossing & (segments.min_zoom <= zoom)
    threshold = zoom
    while shown.sum() > MAX_SEGMENTS and threshold > MIN_ZOOM:
        threshold -= 1
        shown = crossing & (segments.min_zoom <= threshold)
    features = []
    for position in sorted(set(segments.class_of[shown].tolist()),
                           key=lambda p: -ROAD_CLASSES.get(segments.classes[p], 16)):
        chosen = np.flatnonzero(shown & (segments.class_of == position))
        lines = np.round(np.column_stack((segments.lon_a[chosen], segments.lat_a[chosen], segments.lon_b[chosen],
                                          segments.lat_b[chosen])), 6).reshape(-1, 2, 2).tolist()
        features.append({"type": "Feature", "properties": {"layer": "road", "highway": segments.classes[position]},
                         "geometry": {"type": "MultiLineString", "coordinates": lines}})
    return {"type": "FeatureCollection", "features": features}


def basemap_bounds() -> tuple[float, float, float, float] | None:
    """The box of the whole road network (west, south, east, north), None when none was imported."""
    segments = _segments_cache.current()
    if not len(segments.lat_a):
        return None
    lons = np.concatenate((segments.lon_a, segments.lon_b))
    lats = np.concatenate((segments.lat_a, segments.lat_b))
    return float(lons.min()), float(lats.min()), float(lons.max()), float(lats.max())


def basemap_outlines(*, actor: Authorised | None) -> dict[str, Any]:
    """Outlines drawn under everything: the communes served (public), and the sectors an agent may see."""
    if actor is None:
        return public_commune_collection()
    collection = territory_feature_collection(actor=actor)
    public = public_commune_collection()["features"]  # every commune served, the agent's own or not
    sectors = [feature for feature in collection["features"] if feature["properties"]["layer"] == "sector"]
    return {"type": "FeatureCollection", "features": public + sectors}
