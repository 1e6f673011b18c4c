"""Road graph for dispatch: import from OpenStreetMap (pyosmium), an in-memory graph, travel times (scipy).

The graph is held once per process (core.revisions) and reloaded when a newer import exists. Travel times come
from each road class's usual urban speed; they rank units, they do not promise an arrival time.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from django.db import transaction
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from confiance.core.geo import degree_lengths
from confiance.core.revisions import RevisionedCache, Revisions
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import RoadEdge, RoadImport, RoadNode

# Urban speeds (km/h) for an emergency-less patrol car; roads not listed are not driven.
SPEEDS_KMH = {
    "motorway": 90, "motorway_link": 50, "trunk": 70, "trunk_link": 50, "primary": 45, "primary_link": 40,
    "secondary": 40, "secondary_link": 35, "tertiary": 35, "tertiary_link": 30, "unclassified": 30,
    "residential": 25, "living_street": 10, "service": 15, "road": 25,
}
# Leaving the road network (to reach a unit or an address off the graph), at a slow speed.
ACCESS_SPEED_KMH = 15


@dataclass(frozen=True)
class ImportResult:
    nodes: int
    edges: int
    ways: int


class _WayCollector(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.ways: list[tuple[list[int], str, str]] = []  # node ids, highway, oneway
        self.used: set[int] = set()

    def way(self, way) -> None:
        highway = way.tags.get("highway")
        if highway not in SPEEDS_KMH or way.tags.get("access") in ("no", "private"):
            return
        refs = [node.ref for node in way.nodes]
        if len(refs) < 2:
            return
        oneway = way.tags.get("oneway", "no")
        if highway in ("motorway", "motorway_link") or way.tags.get("junction") == "roundabout":
            oneway = "yes" if oneway == "no" else oneway
        self.ways.append((refs, highway, oneway))
        self.used.update(refs)


class _NodeCollector(osmium.SimpleHandler):
    def __init__(self, wanted: set[int]) -> None:
        super().__init__()
        self.wanted = wanted
        self.coordinates: dict[int, tuple[float, float]] = {}

    def node(self, node) -> None:
        if node.id in self.wanted and node.location.valid():
            self.coordinates[node.id] = (node.location.lat, node.location.lon)


def _length_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    ky, kx = degree_lengths((a[0] + b[0]) / 2)
    return math.hypot((b[0] - a[0]) * ky, (b[1] - a[1]) * kx)


def roads_import(path: Path) -> ImportResult:
    """Replace the road graph with the drivable ways of an OpenStreetMap extract (.osm or .osm.pbf)."""
    path = Path(path)
    if not path.is_file():
        raise OperationsError(OperationsErrorCode.ROADS_INVALID, f"Fichier introuvable : {path}")
    if not (path.name.endswith(".osm") or path.name.endswith(".osm.pbf") or path.name.endswith(".pbf")):
        raise OperationsError(OperationsErrorCode.ROADS_INVALID, "Extrait OpenStreetMap attendu : .osm ou .osm.pbf.")
    try:
        ways = _WayCollector()
        ways.apply_file(str(path))
        nodes = _NodeCollector(ways.used)
        nodes.apply_file(str(path))
    except RuntimeError as error:  # pyosmium reports unreadable files this way
        raise OperationsError(OperationsErrorCode.ROADS_INVALID, f"Extrait illisible : {error}") from None
    coordinates = nodes.coordinates
    edges: list[tuple[int, int, float, float, str]] = []
    for refs, highway, oneway in ways.ways:
        speed = SPEEDS_KMH[highway] / 3.6
        for a, b in itertools.pairwise(refs):
            if a not in coordinates or b not in coordinates or a == b:
                continue
            length = _length_m(coordinates[a], coordinates[b])
            seconds = length / speed
            if oneway == "-1":
                edges.append((b, a, length, seconds, highway))
                continue
            edges.append((a, b, length, seconds, highway))
            if oneway not in ("yes", "true", "1"):
                edges.append((b, a, length, seconds, highway))
    if not edges:
        raise OperationsError(OperationsErrorCode.ROADS_INVALID, "Aucune voie carrossable dans cet extrait.")
    used = {a for a, *_ in edges} | {b for _, b, *_ in edges}
    with transaction.atomic():
        RoadEdge.objects.all().delete()
        RoadNode.objects.all().delete()
        RoadNode.objects.bulk_create([RoadNode(osm_id=osm_id, lat=coordinates[osm_id][0], lon=coordinates[osm_id][1])
                                      for osm_id in sorted(used)], batch_size=5000)
        ids = dict(RoadNode.objects.values_list("osm_id", "id"))
        RoadEdge.objects.bulk_create([RoadEdge(source_id=ids[a], target_id=ids[b], length_m=length, seconds=seconds,
                                               highway=highway) for a, b, length, seconds, highway in edges],
                                     batch_size=5000)
        RoadImport.objects.create(file_name=path.name, nodes=len(used), edges=len(edges))
    return ImportResult(nodes=len(used), edges=len(edges), ways=len(ways.ways))


class RoadGraph:
    """The graph in memory: nodes projected to metres, a sparse matrix of travel seconds, a k-d tree."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray, sources: np.ndarray, targets: np.ndarray,
                 seconds: np.ndarray) -> None:
        self.origin_lat = float(lats.mean())
        self.ky, self.kx = degree_lengths(self.origin_lat)
        self.origin_lon = float(lons.mean())
        self.xy = self.project(lats, lons)
        self.tree = cKDTree(self.xy)
        size = len(lats)
        # Reversed edges: one search from the intervention gives every unit's time to reach it.
        self.reverse = csr_matrix((seconds, (targets, sources)), shape=(size, size))
        self.edges = len(seconds)

    def project(self, lats, lons) -> np.ndarray:
        lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        return np.column_stack(((lons - self.origin_lon) * self.kx, (lats - self.origin_lat) * self.ky))

    def travel_seconds(self, to_lat: float, to_lon: float, from_lats, from_lons, needed: int | None = None
                       ) -> np.ndarray:
        """Seconds from each (lat, lon) to the target by road, access legs included (inf when unreachable).

        `needed`: the caller only ranks the fastest `needed` points, so the search may stop once that many are
        reached; every point faster than the last one reached is then known exactly, the others are inf.
        """
        target_distance, target_node = self.tree.query(self.project([to_lat], [to_lon])[0])
        distances, nodes = self.tree.query(self.project(from_lats, from_lons))
        nodes, distances = np.atleast_1d(nodes), np.atleast_1d(distances)
        access = ACCESS_SPEED_KMH / 3.6
        spans = np.sort(np.hypot(*(self.xy[nodes] - self.xy[int(target_node)]).T))
        wanted = len(nodes) if needed is None else max(1, min(needed, len(nodes)))
        # Bounded searches first (twice the straight line at 25 km/h covers ordinary detours): to the `needed`-th
        # nearest point, then to the farthest; unbounded when both miss.
        for reach in dict.fromkeys((float(spans[wanted - 1]), float(spans[-1]))):
            times = dijkstra(self.reverse, directed=True, indices=int(target_node), limit=2 * reach / (25 / 3.6) + 60)
            if np.isfinite(times[nodes]).sum() >= wanted:
                break
        else:
            times = dijkstra(self.reverse, directed=True, indices=int(target_node))
        return times[nodes] + (distances + target_distance) / access


def _graph_of(revisions: Revisions) -> RoadGraph | None:
    """The graph of the road network stored under these revisions (None when none was imported)."""
    if revisions == ((None, None),):
        return None
    nodes = list(RoadNode.objects.order_by("id").values_list("id", "lat", "lon"))
    index = {pk: position for position, (pk, _, _) in enumerate(nodes)}
    edges = np.array(list(RoadEdge.objects.values_list("source_id", "target_id", "seconds")), dtype=float)
    if not nodes or edges.size == 0:
        return None
    lookup = np.vectorize(index.__getitem__)
    return RoadGraph(np.array([n[1] for n in nodes]), np.array([n[2] for n in nodes]),
                     lookup(edges[:, 0].astype(np.int64)), lookup(edges[:, 1].astype(np.int64)), edges[:, 2])


# Keyed by the newest road import, read in one statement by every recommendation.
_graph_cache: RevisionedCache[RoadGraph | None] = RevisionedCache(RoadImport, build=_graph_of)


def road_graph() -> RoadGraph | None:
    """The current graph (None when no road network was imported); reloaded after a new import."""
    return _graph_cache.current()
