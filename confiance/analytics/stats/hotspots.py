"""Hot spots: counts on a grid and on H3 cells, kernel density, Getis-Ord Gi* with FDR."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import h3
import numpy as np
from django.utils.translation import gettext as _
from scipy import ndimage, sparse, stats

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode

# A grid larger than this many cells means the extent or the cell size is wrong.
MAX_GRID_CELLS = 25_000_000


@dataclass
class Grid:
    """A regular grid in metres: cell (row, col) covers [x0 + col*size, +size) x [y0 + row*size, +size)."""

    x0: float
    y0: float
    size: float
    rows: int
    columns: int

    @classmethod
    def around(cls, x: np.ndarray, y: np.ndarray, size: float, margin: float = 0.0) -> Grid:
        if not size > 0:
            raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID,
                                     _("La taille de maille doit être positive."))
        if len(x) == 0:
            raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _("Aucun événement dans la sélection."))
        x0 = np.floor((x.min() - margin) / size) * size
        y0 = np.floor((y.min() - margin) / size) * size
        columns = int(np.floor((x.max() + margin - x0) / size)) + 1
        rows = int(np.floor((y.max() + margin - y0) / size)) + 1
        if rows * columns > MAX_GRID_CELLS:
            raise AnalysisInputError(AnalyticsErrorCode.EXTENT_TOO_LARGE, _(
                "L'étendue des événements demande %(cells)s mailles : les coordonnées sont-elles dans le bon "
                "système, et la maille assez grande ?") % {"cells": f"{rows * columns:,}".replace(",", " ")},
                rows=rows, columns=columns)
        return cls(float(x0), float(y0), float(size), rows, columns)

    def index(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.floor((y - self.y0) / self.size).astype(np.int64),
                np.floor((x - self.x0) / self.size).astype(np.int64))

    def counts(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        row, column = self.index(x, y)
        inside = (row >= 0) & (row < self.rows) & (column >= 0) & (column < self.columns)
        flat = row[inside] * self.columns + column[inside]
        return np.bincount(flat, minlength=self.rows * self.columns).reshape(self.rows, self.columns)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        columns = self.x0 + (np.arange(self.columns) + 0.5) * self.size
        rows = self.y0 + (np.arange(self.rows) + 0.5) * self.size
        return np.meshgrid(columns, rows)

    def as_dict(self) -> dict:
        return {"x0": self.x0, "y0": self.y0, "size_m": self.size, "rows": self.rows, "columns": self.columns}


def h3_counts(lat: np.ndarray, lon: np.ndarray, resolution: int) -> dict[str, int]:
    """Events per H3 cell at `resolution`."""
    if not 0 <= resolution <= 15:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID,
                                 _("La résolution H3 doit être comprise entre 0 et 15."))
    return dict(Counter(h3.latlng_to_cell(float(a), float(b), resolution) for a, b in zip(lat, lon, strict=True)))


def bandwidth_rule(x: np.ndarray, y: np.ndarray) -> float:
    """Silverman's rule for a 2-D Gaussian kernel: 1.06 sigma n^(-1/6), sigma robust (min of SD and IQR/1.349)."""
    n = len(x)
    if n < 2:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Il faut au moins deux événements pour choisir une largeur de noyau."))
    spreads = []
    for values in (x, y):
        sd = float(np.std(values, ddof=1))
        iqr = float(np.subtract(*np.percentile(values, [75, 25]))) / 1.349
        spreads.append(min(sd, iqr) if iqr > 0 else sd)
    sigma = float(np.sqrt(np.mean(np.square(spreads))))
    if sigma == 0:
        raise AnalysisInputError(AnalyticsErrorCode.NO_SPREAD, _(
            "Tous les événements sont au même endroit : une densité n'a pas de sens ; choisissez une largeur."))
    return 1.06 * sigma * n ** (-1 / 6)


@dataclass
class Density:
    grid: Grid
    bandwidth_m: float
    bandwidth_source: str  # "rule" or "given"
    values: np.ndarray  # events per km², shape (rows, columns)

    def as_dict(self) -> dict:
        return {"grid": self.grid.as_dict(), "bandwidth_m": round(self.bandwidth_m, 1),
                "bandwidth_source": self.bandwidth_source, "max_per_km2": float(self.values.max())}


def kernel_density(x: np.ndarray, y: np.ndarray, *, cell: float = 100.0, bandwidth: float | None = None,
                   grid: Grid | None = None) -> Density:
    """Gaussian kernel density on a grid: counts per cell convolved with the kernel (separable filter).

    The grid is padded by three bandwidths so that the density does not stop at the last event.
    Values are events per km² and sum (times the cell area) to the number of events on the grid.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    source = "given"
    if bandwidth is None:
        bandwidth = bandwidth_rule(x, y)
        source = "rule"
    if not bandwidth > 0:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _("La largeur du noyau doit être positive."))
    grid = grid or Grid.around(x, y, cell, margin=3 * bandwidth)
    counts = grid.counts(x, y).astype(np.float64)
    sigma_cells = bandwidth / grid.size
    smoothed = ndimage.gaussian_filter(counts, sigma=sigma_cells, mode="constant", truncate=3.0)
    per_km2 = smoothed / (grid.size * grid.size) * 1e6
    return Density(grid=grid, bandwidth_m=float(bandwidth), bandwidth_source=source, values=per_km2)


def queen_weights(active: np.ndarray) -> sparse.csr_matrix:
    """Binary contiguity (the 8 surrounding cells) between the active cells of a grid mask, row order."""
    rows, columns = active.shape
    ids = -np.ones(active.shape, dtype=np.int64)
    ids[active] = np.arange(int(active.sum()))
    sources, targets = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            a = ids[max(0, -dr):rows - max(0, dr), max(0, -dc):columns - max(0, dc)]
            b = ids[max(0, dr):rows + min(0, dr), max(0, dc):columns + min(0, dc)]
            keep = (a >= 0) & (b >= 0)
            sources.append(a[keep])
            targets.append(b[keep])
    source = np.concatenate(sources)
    target = np.concatenate(targets)
    n = int(active.sum())
    return sparse.csr_matrix((np.ones(len(source)), (source, target)), shape=(n, n))


@dataclass
class GiStar:
    z: np.ndarray  # analytical z-scores (Getis & Ord 1992, self included)
    p_norm: np.ndarray  # two-sided normal p-values of z
    p_sim: np.ndarray  # folded pseudo p-values from conditional permutations
    fdr_threshold: float  # Benjamini-Hochberg threshold on p_norm (0 when nothing passes)
    significant: np.ndarray  # p_norm <= threshold
    permutations: int
    seed: int

    def classes(self) -> np.ndarray:
        """+1 hot spot, -1 cold spot, 0 not significant after the FDR correction."""
        return np.where(self.significant, np.sign(self.z), 0).astype(np.int8)


def benjamini_hochberg(p: np.ndarray, q: float = 0.05) -> float:
    """The largest p-value that passes the Benjamini-Hochberg procedure at level q (0 if none)."""
    ordered = np.sort(p)
    m = len(ordered)
    passing = np.flatnonzero(ordered <= q * np.arange(1, m + 1) / m)
    return float(ordered[passing[-1]]) if len(passing) else 0.0


def gi_star(values: np.ndarray, weights: sparse.csr_matrix, *, permutations: int = 999, seed: int = 12345,
            q: float = 0.05) -> GiStar:
    """Gi* of every cell with its neighbours (binary weights, self added), z-scores and pseudo p-values.

    Significance after the false-discovery-rate correction (Benjamini-Hochberg at q) is decided on the
    analytical z-scores, as hot-spot tools usually do: with P permutations no pseudo p-value can go below
    1 / (P + 1), which on 100,000 cells no FDR procedure can accept. The permutation p-values are kept
    beside them as a check that does not rest on the normal approximation.

    Conditional randomisation: each cell keeps its value and its k neighbours are replaced by k values
    drawn without replacement from the other n - 1 cells. As in PySAL, one set of random draws is shared
    by all cells; it is evaluated in O(n log P) by sorting the P random sums for each neighbour count,
    with an exact correction for the few cells that appear among the draws themselves.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < 3:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_CELLS, _("Il faut au moins trois mailles."))
    if not 1 <= permutations <= 9999:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID,
                                 _("Le nombre de permutations doit être compris entre 1 et 9999."))
    weights = sparse.csr_matrix(weights, dtype=float)
    weights.setdiag(0)
    weights.eliminate_zeros()
    weights.data[:] = 1.0
    k = np.diff(weights.indptr).astype(np.int64)
    mean = y.mean()
    s = np.sqrt((y * y).mean() - mean * mean)
    if not s > 0:
        raise AnalysisInputError(AnalyticsErrorCode.NO_SPREAD, _(
            "Toutes les mailles ont la même valeur : aucun point chaud ne peut ressortir."))
    lag = weights @ y + y
    w_sum = k + 1.0
    z = (lag - mean * w_sum) / (s * np.sqrt((n * w_sum - w_sum * w_sum) / (n - 1)))
    p_norm = 2 * stats.norm.sf(np.abs(z))

    rng = np.random.default_rng(seed)
    k_max = int(k.max()) if n else 0
    draws = np.empty((permutations, max(k_max, 1)), dtype=np.int64)
    for p in range(permutations):
        draws[p] = rng.choice(n - 1, size=max(k_max, 1), replace=False)
    # Pool of cell i: the other cells, cell i's slot taken by the last cell (index n - 1).
    sums = np.cumsum(y[draws], axis=1)  # sums[p, m] = sum of the first m + 1 draws
    observed_neighbours = lag - y
    at_least = np.zeros(n, dtype=np.int64)
    for count in np.unique(k):
        members = np.flatnonzero(k == count)
        if count == 0:
            at_least[members] = permutations  # nothing to permute: never extreme
            continue
        ordered = np.sort(sums[:, count - 1])
        at_least[members] = permutations - np.searchsorted(ordered, observed_neighbours[members] - 1e-9, "left")
    affected = np.unique(draws[:, :k_max]) if k_max else np.array([], dtype=np.int64)
    for i in affected[affected < n - 1]:
        count = k[i]
        if count == 0:
            continue
        hit = (draws[:, :count] == i).any(axis=1)
        if not hit.any():
            continue
        simulated = sums[:, count - 1] + hit * (y[n - 1] - y[i])
        at_least[i] = int((simulated >= observed_neighbours[i] - 1e-9).sum())
    folded = np.minimum(at_least, permutations - at_least)
    p_sim = (folded + 1) / (permutations + 1)
    threshold = benjamini_hochberg(p_norm, q)
    return GiStar(z=z, p_norm=p_norm, p_sim=p_sim, fdr_threshold=threshold,
                  significant=p_norm <= threshold if threshold > 0 else np.zeros(n, dtype=bool),
                  permutations=permutations, seed=seed)
