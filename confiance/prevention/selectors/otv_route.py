"""The OTV route sheet's order: a cost matrix between the stops (by road on the imported network, else in a straight
line) handed to the tour heuristic of `prevention.tours`.

By road: one Dijkstra per stop on the network of `operations.roads` (scipy.sparse.csgraph), from the road node
nearest each stop; the legs between a stop and its node count at the access speed of dispatch. A stop the
network cannot reach from another, or a neighbour closer in a straight line at the access speed than by the network,
gets that straight-line time for that pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from confiance.core.geo import degree_lengths
from confiance.operations.roads import ACCESS_SPEED_KMH, RoadGraph, road_graph
from confiance.prevention.tours import nearest_neighbour, plan_tour, tour_cost

MAX_STOPS = 1500


@dataclass(frozen=True)
class TourPlan:
    """The visiting order of the stops (indices into the points given, the start first) and its cost."""

    order: list[int]
    cost: float
    by_road: bool  # cost in seconds by road; else metres in a straight line
    nearest_neighbour_cost: float
    given_order_cost: float


def straight_costs(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Metres between every pair of points (equirectangular at their mean latitude: a commune is small)."""
    ky, kx = degree_lengths(float(np.mean(lats)))
    x, y = np.asarray(lons) * kx, np.asarray(lats) * ky
    return np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])


def road_costs(graph: RoadGraph, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Seconds by road between every pair of points, access legs included."""
    distances, nodes = graph.tree.query(graph.project(lats, lons))
    forward = graph.reverse.transpose().tocsr()
    unique, inverse = np.unique(nodes, return_inverse=True)
    times = dijkstra(forward, directed=True, indices=unique)[:, unique][inverse][:, inverse]
    access = ACCESS_SPEED_KMH / 3.6
    costs = times + (distances[:, None] + distances[None, :]) / access
    # Neighbouring homes: the street between them is often not in the network (an extract keeps the main ways),
    # so the straight line at the access speed bounds the cost; it is also the fallback when no road joins them.
    costs = np.minimum(costs, straight_costs(lats, lons) / access)
    np.fill_diagonal(costs, 0.0)
    return costs


def tour_plan(*, lats, lons, graph: RoadGraph | None = None, use_roads: bool = True) -> TourPlan:
    """The order to visit the points, starting from the first (the patrol's start point)."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    if len(lats) > MAX_STOPS:
        raise ValueError(f"at most {MAX_STOPS} stops")
    graph = graph if graph is not None else (road_graph() if use_roads else None)
    if len(lats) < 2:
        return TourPlan(list(range(len(lats))), 0.0, graph is not None, 0.0, 0.0)
    costs = road_costs(graph, lats, lons) if graph is not None else straight_costs(lats, lons)
    order = plan_tour(costs)
    return TourPlan(order=[int(i) for i in order], cost=tour_cost(costs, order), by_road=graph is not None,
                    nearest_neighbour_cost=tour_cost(costs, nearest_neighbour(costs, 0)),
                    given_order_cost=tour_cost(costs, np.arange(len(lats))))
