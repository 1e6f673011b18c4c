"""Multi-band Knox test for near repeats, without an n x n matrix.

Only pairs closer than the largest spatial band are enumerated (KD-tree); every other
cell of the table follows from two margins that a permutation of the times cannot
change: the number of pairs in each spatial band, and the number of pairs in each
temporal band (counted on the sorted times). Each Monte Carlo run permutes the times
among the events and recounts the close pairs only.

Band convention (the Near Repeat Calculator's, checked on its Chicago output):
coordinates are compared at 0.1 m; "same location" is a distance of exactly zero at
that precision; spatial edges e0 < e1 < ... then give the rows ]0, e0), [e0, e1), ...,
[e_last, inf). Temporal edges give the columns [0, t0), [t0, t1), ..., [t_last, inf),
in days.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from scipy.spatial import cKDTree

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode

# Close pairs are held in memory (9 bytes each); beyond this the bands are too wide for the data.
MAX_CLOSE_PAIRS = 60_000_000
MAX_PERMUTATIONS = 9_999
MINUTES_PER_DAY = 1440
CHUNK = 1 << 17
BLOCK = 25


@dataclass
class KnoxResult:
    spatial_edges: list[float]
    temporal_edges: list[float]
    same_location: bool
    observed: np.ndarray  # (rows, columns), every pair counted once
    expected: np.ndarray  # mean over the permutations
    p_values: np.ndarray  # (1 + runs >= observed) / (permutations + 1)
    spread: np.ndarray  # standard deviation over the permutations
    minimum: np.ndarray
    maximum: np.ndarray
    permutations: int
    seed: int
    events: int
    close_pairs: int
    time_unit: str
    notes: list[str] = field(default_factory=list)

    @property
    def ratios(self) -> np.ndarray:
        """Observed over mean expected (Knox ratio); NaN where nothing was expected."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.observed / np.where(self.expected > 0, self.expected, 1), np.nan)

    def row_labels(self) -> list[str]:
        return band_labels(self.spatial_edges, unit="m", same_location=self.same_location)

    def column_labels(self) -> list[str]:
        return band_labels(self.temporal_edges, unit="j")

    def as_dict(self) -> dict:
        ratios = self.ratios
        return {
            "spatial_edges_m": self.spatial_edges,
            "same_location": self.same_location,
            "temporal_edges_days": self.temporal_edges,
            "rows": self.row_labels(),
            "columns": self.column_labels(),
            "observed": self.observed.tolist(),
            "expected": np.round(self.expected, 3).tolist(),
            "knox_ratio": [[None if np.isnan(v) else round(float(v), 3) for v in row] for row in ratios],
            "p_value": np.round(self.p_values, 4).tolist(),
            "expected_sd": np.round(self.spread, 3).tolist(),
            "expected_min": self.minimum.tolist(),
            "expected_max": self.maximum.tolist(),
            "permutations": self.permutations,
            "seed": self.seed,
            "events": self.events,
            "close_pairs": self.close_pairs,
            "time_unit": self.time_unit,
            "notes": self.notes,
        }

    def csv_rows(self) -> list[list]:
        """One row per cell: the table the page shows, flattened for a spreadsheet."""
        rows: list[list] = [["distance", "delai", "observe", "attendu_moyen", "attendu_min", "attendu_max",
                             "rapport_knox", "p_valeur"]]
        ratios = self.ratios
        for r, row_label in enumerate(self.row_labels()):
            for c, column_label in enumerate(self.column_labels()):
                rows.append([row_label, column_label, int(self.observed[r, c]), round(float(self.expected[r, c]), 3),
                             int(self.minimum[r, c]), int(self.maximum[r, c]),
                             "" if np.isnan(ratios[r, c]) else round(float(ratios[r, c]), 3),
                             round(float(self.p_values[r, c]), 4)])
        return rows


def band_labels(edges: Sequence[float], *, unit: str, same_location: bool = False) -> list[str]:
    """Half-open interval labels: "même lieu", "]0 ; 100[ m", "[100 ; 200[ m", ..., "≥ 300 m"."""
    labels = [_("même lieu")] if same_location else []
    lower = 0.0
    for edge in edges:
        opening = "]" if same_location and lower == 0 else "["
        labels.append(f"{opening}{_number(lower)} ; {_number(edge)}[ {unit}")
        lower = edge
    labels.append(f"≥ {_number(lower)} {unit}")
    return labels


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def bands(bandwidth: float, count: int) -> list[float]:
    """Upper edges of `count` bands of `bandwidth`."""
    if not bandwidth > 0 or count < 1:
        raise AnalysisInputError(AnalyticsErrorCode.BANDS_INVALID,
                                 _("La largeur et le nombre de bandes doivent être positifs."))
    return [bandwidth * (k + 1) for k in range(count)]


def _check_edges(edges: Sequence[float], what: str) -> np.ndarray:
    array = np.asarray(edges, dtype=float)
    if array.ndim != 1 or len(array) == 0 or not np.all(np.isfinite(array)):
        raise AnalysisInputError(AnalyticsErrorCode.BANDS_INVALID, _("Aucune bande %(what)s n'est donnée.") % {
            "what": what}, bands=list(map(float, np.ravel(array))))
    if array[0] <= 0 or np.any(np.diff(array) <= 0):
        raise AnalysisInputError(
            AnalyticsErrorCode.BANDS_INVALID,
            _("Les bandes %(what)s doivent être positives et données dans l'ordre croissant.") % {"what": what},
            bands=array.tolist())
    return array


def _time_codes(t_days: np.ndarray, temporal_edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Integer times and edges: whole days when every time and edge is a whole day, else minutes."""
    whole = np.all(t_days == np.floor(t_days)) and np.all(temporal_edges == np.floor(temporal_edges))
    scale, unit = (1, "day") if whole else (MINUTES_PER_DAY, "minute")
    codes = np.floor((t_days - t_days.min()) * scale + 1e-9).astype(np.int64)
    edges = np.ceil(temporal_edges * scale - 1e-9).astype(np.int64)
    dtype = np.int16 if codes.max() < 2**15 else np.int32
    if codes.max() >= 2**31:
        raise AnalysisInputError(AnalyticsErrorCode.PERIOD_TOO_LONG, _("La période couverte est trop longue."))
    return codes.astype(dtype), edges, unit


def knox(
    x: np.ndarray,
    y: np.ndarray,
    t_days: np.ndarray,
    *,
    spatial_edges: Sequence[float],
    temporal_edges: Sequence[float],
    same_location: bool = True,
    precision_m: float = 0.1,
    permutations: int = 999,
    seed: int = 20140101,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> KnoxResult:
    """Knox table for points in metres (x, y) and times in days (floats; whole days for dates)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    t_days = np.asarray(t_days, dtype=float)
    n = len(x)
    if not (len(y) == n == len(t_days)):
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID,
                                 _("Coordonnées et dates de longueurs différentes."))
    if n < 2:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS,
                                 _("Il faut au moins deux événements pour chercher des répétitions proches."), events=n)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(np.isfinite(t_days))):
        raise AnalysisInputError(AnalyticsErrorCode.COORDINATES_INVALID, _("Des coordonnées ou des dates manquent."))
    if not 1 <= permutations <= MAX_PERMUTATIONS:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID,
                                 _("Le nombre de permutations doit être compris entre 1 et %(max)s.") % {
                                     "max": MAX_PERMUTATIONS})
    s_edges = _check_edges(spatial_edges, _("spatiales"))
    t_edges = _check_edges(temporal_edges, _("temporelles"))
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        raise AnalysisInputError(AnalyticsErrorCode.NO_SPREAD, _(
            "Tous les événements sont au même endroit : le test ne peut pas distinguer des répétitions proches."))
    if np.ptp(t_days) == 0:
        raise AnalysisInputError(AnalyticsErrorCode.NO_SPREAD, _(
            "Tous les événements ont la même date : le test ne peut pas distinguer des répétitions proches."))

    codes, code_edges, unit = _time_codes(t_days, t_edges)
    if precision_m and precision_m > 0:
        x = np.round(x / precision_m) * precision_m
        y = np.round(y / precision_m) * precision_m
    # Internally "same location" is the band [0, tiny): identical coordinates at the precision.
    band_edges = np.concatenate([[1e-9], s_edges]) if same_location else s_edges
    rows, columns = len(band_edges) + 1, len(t_edges) + 1

    # Pairs closer than the largest spatial edge, each once (i < j).
    tree = cKDTree(np.column_stack([x, y]))
    max_edge = float(s_edges[-1])
    if n * (n - 1) // 2 > MAX_CLOSE_PAIRS and _estimated_close_pairs(tree, max_edge, seed) > MAX_CLOSE_PAIRS:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_MANY_PAIRS, _(
            "Trop de paires d'événements proches pour ces bandes : réduisez la distance maximale ou la sélection."))
    pairs = tree.query_pairs(max_edge, output_type="ndarray")
    # Renumber the events in the tree's leaf order: neighbours get nearby numbers, so the two gathers
    # of each run read memory that is already in the cache (about 25 % faster on 5 million pairs).
    renumber = np.empty(n, dtype=np.intp)
    renumber[tree.indices] = np.arange(n)
    codes = codes[tree.indices]
    i, j = renumber[pairs[:, 0]], renumber[pairs[:, 1]]
    distance = np.hypot(x[pairs[:, 0]] - x[pairs[:, 1]], y[pairs[:, 0]] - y[pairs[:, 1]])
    keep = distance < max_edge
    i, j, distance = i[keep], j[keep], distance[keep]
    spatial_band = np.searchsorted(band_edges, distance, side="right").astype(np.int64)
    order = np.lexsort((j, i, spatial_band))
    i = i[order]
    j = j[order]
    spatial_band = spatial_band[order]
    del pairs, distance, order, renumber


    total_pairs = n * (n - 1) // 2
    row_totals = np.bincount(spatial_band, minlength=rows - 1).astype(np.int64)
    row_totals = np.append(row_totals, total_pairs - row_totals.sum())
    column_totals = _temporal_margin(codes, code_edges, total_pairs)

    close_columns = columns - 1
    max_code_edge = int(code_edges[-1])
    key_base = spatial_band * close_columns

    cells = (rows - 1) * close_columns
    pair_count = len(i)

    slice_size = max(1, min(CHUNK, pair_count))
    times32 = codes.astype(np.int32)
    offset = np.int32(max_code_edge - 1)
    window = np.uint32(2 * max_code_edge - 1)

    def buffers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.empty(slice_size, dtype=np.int32), np.empty(slice_size, dtype=np.int32),
                np.empty(slice_size, dtype=bool))

    def close_counts(times: np.ndarray, scratch: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        # In slices that stay in the CPU cache: about 3x faster than whole-array temporaries.
        # |t_i - t_j| < E  <=>  (t_i + E - 1) - t_j, read as unsigned, < 2E - 1: one pass fewer than abs.
        shifted = times + offset
        first, second, near_mask = scratch
        counts = np.zeros(cells, dtype=np.int64)
        for start in range(0, pair_count, slice_size):
            size = min(slice_size, pair_count - start)
            a, b, mask = first[:size], second[:size], near_mask[:size]
            np.take(shifted, i[start:start + size], out=a, mode="clip")
            np.take(times, j[start:start + size], out=b, mode="clip")
            np.subtract(a, b, out=a)
            np.less(a.view(np.uint32), window, out=mask)
            near = np.flatnonzero(mask)
            if len(near):
                difference = np.abs(a[near] - offset)
                # a binary search over a few edges: a lookup table in minutes would miss the cache
                columns_of = np.searchsorted(code_edges, difference, side="right")
                counts += np.bincount(key_base[start + near] + columns_of, minlength=cells)
        return counts.reshape(rows - 1, close_columns)

    observed_close = close_counts(times32, buffers())
    observed = _full_table(observed_close, row_totals, column_totals)

    # One random stream per block of runs, whatever the number of threads: same seed, same result.
    blocks = [range(start, min(start + BLOCK, permutations)) for start in range(0, permutations, BLOCK)]
    streams = np.random.SeedSequence(seed).spawn(len(blocks))
    runs = np.empty((permutations, rows - 1, close_columns), dtype=np.int64)

    def one_block(index: int) -> int:
        generator = np.random.default_rng(streams[index])
        scratch = buffers()
        for run in blocks[index]:
            runs[run] = close_counts(times32[generator.permutation(n)], scratch)
        return len(blocks[index])

    # Blocks of runs on threads: numpy releases the GIL while it shuffles and inside each slice.
    workers = workers or min(4, os.cpu_count() or 1, len(blocks))
    done = 0
    if workers == 1:
        block_iter = map(one_block, range(len(blocks)))
        pool = None
    else:
        pool = ThreadPoolExecutor(max_workers=workers)
        block_iter = pool.map(one_block, range(len(blocks)))
    try:
        for finished in block_iter:
            done += finished
            if progress:
                progress(done, permutations)
    finally:
        if pool is not None:
            pool.shutdown()

    full_runs = _full_tables(runs, row_totals, column_totals)
    at_least = (full_runs >= observed[None, :, :]).sum(axis=0)
    notes = []
    if len(i) == 0:
        notes.append(_("Aucune paire d'événements n'est plus proche que la dernière bande spatiale."))
    return KnoxResult(
        spatial_edges=s_edges.tolist(), temporal_edges=t_edges.tolist(), same_location=same_location,
        observed=observed,
        expected=full_runs.mean(axis=0), spread=full_runs.std(axis=0, ddof=1) if permutations > 1 else
        np.zeros_like(observed, dtype=float), p_values=(1 + at_least) / (permutations + 1),
        minimum=full_runs.min(axis=0), maximum=full_runs.max(axis=0), permutations=permutations, seed=seed,
        events=n, close_pairs=len(i), time_unit=unit, notes=notes,
    )


def _estimated_close_pairs(tree: cKDTree, radius: float, seed: int) -> float:
    """Close pairs estimated from 2,000 sampled events: a memory guard, not a count."""
    n = tree.n
    sample = np.random.default_rng(seed).choice(n, size=min(n, 2000), replace=False)
    neighbours = cKDTree(tree.data[sample]).count_neighbors(tree, radius) - len(sample)
    return neighbours * n / len(sample) / 2


def _temporal_margin(codes: np.ndarray, code_edges: np.ndarray, total_pairs: int) -> np.ndarray:
    """Pairs per temporal band over all pairs: on sorted times, j - i for t[j] - t[i] < edge."""
    ordered = np.sort(codes.astype(np.int64))
    index = np.arange(len(ordered))
    below = np.array([
        int((np.searchsorted(ordered, ordered + edge, side="left") - index - 1).sum()) for edge in code_edges
    ], dtype=np.int64)
    per_band = np.diff(np.concatenate([[0], below]))
    return np.append(per_band, total_pairs - below[-1])


def _full_tables(close: np.ndarray, row_totals: np.ndarray, column_totals: np.ndarray) -> np.ndarray:
    """Whole tables (runs, rows, columns) from their close cells and the two fixed margins."""
    runs, rows, columns = close.shape[0], close.shape[1] + 1, close.shape[2] + 1
    table = np.zeros((runs, rows, columns), dtype=np.int64)
    table[:, :-1, :-1] = close
    table[:, :-1, -1] = row_totals[:-1] - close.sum(axis=2)
    table[:, -1, :-1] = column_totals[:-1] - close.sum(axis=1)
    table[:, -1, -1] = row_totals[-1] - table[:, -1, :-1].sum(axis=1)
    return table


def _full_table(close: np.ndarray, row_totals: np.ndarray, column_totals: np.ndarray) -> np.ndarray:
    return _full_tables(close[None], row_totals, column_totals)[0]
