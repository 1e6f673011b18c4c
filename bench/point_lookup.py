"""Point -> commune: 35,000 synthetic commune polygons, 1,000,000 random points; points per second.

BENCH_SMOKE=1: 2,000 polygons, 50,000 points, 500 single look-ups; a mismatch or no hit at all is fatal."""

import time

import numpy as np
from _common import SMOKE, emit, smoke_check
from shapely.geometry import Polygon

from confiance.core.geo import IndexedArea, PolygonIndex

N_COMMUNES = 2_000 if SMOKE else 35_000
N_POINTS = 50_000 if SMOKE else 1_000_000
N_SINGLES = 500 if SMOKE else 2000


def synthetic_communes(rng: np.random.Generator) -> list[IndexedArea]:
    """A jittered grid of irregular 9-vertex polygons over metropolitan France's extent."""
    cols = 220
    rows = int(np.ceil(N_COMMUNES / cols))
    lon0, lat0, width, height = -4.8, 42.3, 13.0, 8.8
    dx, dy = width / cols, height / rows
    areas = []
    angles = np.linspace(0, 2 * np.pi, 9, endpoint=False)
    for index in range(N_COMMUNES):
        row, col = divmod(index, cols)
        cx, cy = lon0 + (col + 0.5) * dx, lat0 + (row + 0.5) * dy
        radius = 0.5 + 0.2 * rng.random(9)  # stays inside its own cell: no overlaps
        ring = [(cx + r * dx * np.cos(a), cy + r * dy * np.sin(a)) for r, a in zip(radius, angles, strict=True)]
        areas.append(IndexedArea(index, Polygon(ring)))
    return areas, (lon0, lat0, width, height)


def main() -> None:
    rng = np.random.default_rng(42)
    started = time.perf_counter()
    areas, (lon0, lat0, width, height) = synthetic_communes(rng)
    index = PolygonIndex(areas)
    build = time.perf_counter() - started
    lons = lon0 + rng.random(N_POINTS) * width
    lats = lat0 + rng.random(N_POINTS) * height
    started = time.perf_counter()
    found = index.locate_many(lons, lats)
    elapsed = time.perf_counter() - started
    sample = rng.choice(N_POINTS, N_SINGLES, replace=False)
    singles = time.perf_counter()
    for i in sample:
        key = index.locate(lons[i], lats[i])
        assert (key if key is not None else -1) == found[i]
    single_rate = len(sample) / (time.perf_counter() - singles)
    hits = int((found >= 0).sum())
    smoke_check(len(found) == N_POINTS and 0 < hits < N_POINTS,
                f"{len(found)} answers for {N_POINTS} points, {hits} inside a polygon")
    emit("point_lookup", "index_build", round(build, 3), "s", polygons=N_COMMUNES)
    emit("point_lookup", "batch_points_per_second", round(N_POINTS / elapsed), "points/s",
         points=N_POINTS, polygons=N_COMMUNES, hit_share=round(float((found >= 0).mean()), 3))
    emit("point_lookup", "single_points_per_second", round(single_rate), "points/s")


if __name__ == "__main__":
    main()
