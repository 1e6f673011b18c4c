"""OTV route sheet: 300 homes of one sector on the demo road network (confiance/operations/demo/roads.osm).

Prints the time to build the sheet's order (distance matrix by Dijkstra from each home, nearest neighbour, 2-opt
and Or-opt) and the tour's travel time against the registration order and the plain nearest-neighbour tour of the
same run. Goal: under 1 s, and at least 15 % shorter than nearest neighbour.

The homes are the demo addresses of the sector with the most of them (Mennecy), completed up to 300 by other
numbers of the same streets (a few metres from a known address), in a shuffled "registration" order.
BENCH_SMOKE=1: 60 homes, three repetitions; a wrong tour (a home missing or twice) is fatal.
"""

import csv
import json
import tempfile
import time

import numpy as np
from _common import ROOT, SMOKE, emit, setup_django, smoke_check
from shapely.geometry import Point, shape

BENCH = "otv_route"
HOMES = 60 if SMOKE else 300
RUNS = 3 if SMOKE else 5


def demo_graph():
    """The demo network read straight from the OSM file, as `confiance roads import` would store it."""
    import itertools

    from confiance.operations.roads import SPEEDS_KMH, RoadGraph, _length_m, _NodeCollector, _WayCollector

    path = ROOT / "confiance" / "operations" / "demo" / "roads.osm"
    ways = _WayCollector()
    ways.apply_file(str(path))
    nodes = _NodeCollector(ways.used)
    nodes.apply_file(str(path))
    index: dict[int, int] = {}
    sources, targets, seconds = [], [], []
    for refs, highway, oneway in ways.ways:
        speed = SPEEDS_KMH[highway] / 3.6
        for a, b in itertools.pairwise(refs):
            if a not in nodes.coordinates or b not in nodes.coordinates or a == b:
                continue
            duration = _length_m(nodes.coordinates[a], nodes.coordinates[b]) / speed
            pairs = [(b, a)] if oneway == "-1" else [(a, b)] + ([] if oneway in ("yes", "true", "1") else [(b, a)])
            for source, target in pairs:
                sources.append(index.setdefault(source, len(index)))
                targets.append(index.setdefault(target, len(index)))
                seconds.append(duration)
    coordinates = np.array([nodes.coordinates[osm_id] for osm_id in index])
    return RoadGraph(coordinates[:, 0], coordinates[:, 1], np.array(sources), np.array(targets), np.array(seconds))


def sector_homes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str]:
    sectors = json.loads((ROOT / "confiance" / "territory" / "demo" / "sectors.geojson").read_text())["features"]
    with (ROOT / "confiance" / "addresses" / "demo" / "adresses-demo.csv").open(encoding="utf-8") as handle:
        points = [(float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle, delimiter=";")]
    best = max(sectors, key=lambda feature: sum(shape(feature["geometry"]).contains(Point(lon, lat))
                                                for lat, lon in points))
    area = shape(best["geometry"])
    inside = np.array([(lat, lon) for lat, lon in points if area.contains(Point(lon, lat))])
    chosen = inside[rng.choice(len(inside), HOMES, replace=len(inside) < HOMES)]
    chosen = chosen + rng.normal(0, 0.00008, chosen.shape) * (np.arange(HOMES) >= len(inside))[:, None]
    return chosen[:, 0], chosen[:, 1], best["properties"]["nom"]


def main() -> None:
    setup_django(tempfile.mkdtemp(prefix="bench-otv-"))
    from confiance.prevention.selectors.otv_route import tour_plan

    graph = demo_graph()
    rng = np.random.default_rng(19)
    lats, lons, sector = sector_homes(rng)
    timings, plan = [], None
    for _run in range(RUNS):
        started = time.perf_counter()
        plan = tour_plan(lats=lats, lons=lons, graph=graph)
        timings.append(time.perf_counter() - started)
    smoke_check(sorted(plan.order) == list(range(HOMES)) and plan.order[0] == 0, "the tour misses or repeats a home")
    gain_nn = 1 - plan.cost / plan.nearest_neighbour_cost
    gain_given = 1 - plan.cost / plan.given_order_cost
    context = {"homes": HOMES, "sector": sector, "road_nodes": len(graph.xy), "road_edges": graph.edges}
    emit(BENCH, "sheet_time_p50", round(float(np.median(timings)), 3), "s", goal="< 1 s", **context)
    emit(BENCH, "sheet_time_max", round(max(timings), 3), "s", **context)
    emit(BENCH, "tour_minutes", round(plan.cost / 60, 1), "min", by_road=plan.by_road)
    emit(BENCH, "nearest_neighbour_minutes", round(plan.nearest_neighbour_cost / 60, 1), "min")
    emit(BENCH, "registration_order_minutes", round(plan.given_order_cost / 60, 1), "min")
    emit(BENCH, "shorter_than_nearest_neighbour", round(100 * gain_nn, 1), "%", goal=">= 15 %")
    emit(BENCH, "shorter_than_registration_order", round(100 * gain_given, 1), "%")
    smoke_check(plan.cost <= plan.nearest_neighbour_cost + 1e-6, "the improved tour is longer than nearest neighbour")


if __name__ == "__main__":
    main()
