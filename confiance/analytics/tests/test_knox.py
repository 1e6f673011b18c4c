"""The Knox test against the Near Repeat Calculator's own output on Chicago burglaries."""

import csv

import numpy as np
import pytest

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.stats.knox import bands, knox
from confiance.analytics.stats.points import read_events_csv
from confiance.core.testing import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "near-repeat-chicago"


@pytest.fixture(scope="module")
def chicago():
    assert DATA.exists(), f"reference data missing: {DATA}"
    points = read_events_csv((DATA / "chicago_burglary_2014_2017.csv").read_bytes(), crs="EPSG:26971",
                             tz="America/Chicago")
    assert points.date_only and np.all(points.days() == np.floor(points.days()))
    years = points.time.astype("datetime64[Y]").astype(int) + 1970
    return points, years


def _verbose_table(title: str) -> np.ndarray:
    """A 5 x 3 table of the calculator's verbose CSV, found by its title line."""
    lines = list(csv.reader((DATA / "nrc_output" / "chicago_burglary_2016_NRverbose.csv").open(encoding="latin-1")))
    start = next(k for k, row in enumerate(lines) if row and row[0] == title)
    return np.array([[float(v) for v in row[2:5]] for row in lines[start + 3:start + 8]])


def _verbose_runs() -> np.ndarray:
    """The calculator's simulated counts, (runs, 5, 3)."""
    lines = list(csv.reader((DATA / "nrc_output" / "chicago_burglary_2016_NRverbose.csv").open(encoding="latin-1")))
    cells = {}
    for k, row in enumerate(lines):
        if row and row[0].startswith("Row ") and " Column " in row[0]:
            r, c = int(row[0].split()[1]) - 1, int(row[0].split()[3]) - 1
            cells[r, c] = [float(v) for v in lines[k + 1][1:] if v.strip()]
    runs = np.zeros((len(cells[0, 0]), 5, 3))
    for (r, c), values in cells.items():
        runs[:, r, c] = values
    return runs


def test_chicago_2016_observed_counts_match_the_calculator_exactly(chicago):
    points, years = chicago
    subset = years == 2016
    assert subset.sum() == 11701  # the calculator's "records successfully recorded"
    result = knox(points.x[subset], points.y[subset], points.days()[subset], spatial_edges=bands(100, 3),
                  temporal_edges=bands(2, 2), permutations=99, seed=7)
    expected = _verbose_table("Observed frequencies distribution").astype(np.int64)
    assert result.observed.tolist() == expected.tolist()
    assert result.observed.sum() == 11701 * 11700 // 2
    # Knox ratios within permutation noise: the two mean expectations (ours over 99 runs, the
    # calculator's over its 19 runs, read from its verbose file) differ by less than four standard
    # errors of their difference, cell by cell; and ours lies inside the calculator's range of runs.
    runs = _verbose_runs()
    assert runs.shape == (19, 5, 3)
    assert np.allclose(runs.mean(axis=0), expected / _verbose_table("Observed over mean expected frequencies"),
                       rtol=2e-3)
    error = np.sqrt(result.spread**2 / 99 + runs.var(axis=0, ddof=1) / 19)
    assert np.all(np.abs(result.expected - runs.mean(axis=0)) <= 4 * error + 1e-9)
    assert np.all(result.expected >= runs.min(axis=0)) and np.all(result.expected <= runs.max(axis=0))
    # Significance where the calculator found it: the near-repeat cells are at the smallest p-value.
    assert np.all(result.p_values[:4, :1] == pytest.approx(1 / 100))
    assert result.row_labels()[0] == "même lieu" and result.row_labels()[1] == "]0 ; 100[ m"
    assert result.column_labels() == ["[0 ; 2[ j", "[2 ; 4[ j", "≥ 4 j"]


def test_chicago_2014_ratios_match_the_summary(chicago):
    points, years = chicago
    subset = years == 2014
    assert subset.sum() == 12334
    result = knox(points.x[subset], points.y[subset], points.days()[subset], spatial_edges=[200],
                  temporal_edges=[7], permutations=99, seed=3)
    # The summary gives ratios to two decimals only (99 runs): compare the mean expectations within four
    # standard errors of a difference of two 99-run means, plus the rounding of the printed ratio.
    calculator = np.array([[5.34, 0.84], [1.28, 0.99], [1.00, 1.00]])
    theirs = result.observed / calculator
    rounding = result.observed / calculator**2 * 0.005
    error = np.sqrt(2 * result.spread**2 / 99)
    assert np.all(np.abs(result.expected - theirs) <= 4 * error + rounding)
    assert result.p_values[0, 0] == pytest.approx(0.01) and result.p_values[1, 0] == pytest.approx(0.01)


def test_same_seed_same_result_and_threads_do_not_matter(chicago):
    points, years = chicago
    subset = years == 2017
    args = (points.x[subset][:3000], points.y[subset][:3000], points.days()[subset][:3000])
    a = knox(*args, spatial_edges=[100, 200], temporal_edges=[7, 14], permutations=40, seed=5, workers=1)
    b = knox(*args, spatial_edges=[100, 200], temporal_edges=[7, 14], permutations=40, seed=5, workers=3)
    c = knox(*args, spatial_edges=[100, 200], temporal_edges=[7, 14], permutations=40, seed=6)
    assert np.array_equal(a.expected, b.expected) and np.array_equal(a.p_values, b.p_values)
    assert not np.array_equal(a.expected, c.expected)
    assert a.observed.tolist() == c.observed.tolist()


def test_minutes_when_times_are_not_whole_days():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 2000, 400), rng.uniform(0, 2000, 400)
    t = rng.uniform(0, 60, 400)
    result = knox(x, y, t, spatial_edges=[100], temporal_edges=[0.5, 1], permutations=19)
    assert result.time_unit == "minute"
    # brute force on all pairs, same convention
    i, j = np.triu_indices(400, 1)
    d = np.hypot(np.round(x[i] / 0.1) * 0.1 - np.round(x[j] / 0.1) * 0.1,
                 np.round(y[i] / 0.1) * 0.1 - np.round(y[j] / 0.1) * 0.1)
    minutes = np.floor((t - t.min()) * 1440 + 1e-9)
    dt = np.abs(minutes[i] - minutes[j])
    assert result.observed[1, 0] == int(((d > 0) & (d < 100) & (dt < 720)).sum())
    assert result.observed[1, 1] == int(((d > 0) & (d < 100) & (dt >= 720) & (dt < 1440)).sum())


@pytest.mark.parametrize(("x", "y", "t", "kwargs", "code"), [
    ([], [], [], {}, AnalyticsErrorCode.TOO_FEW_EVENTS),
    ([1.0], [1.0], [0.0], {}, AnalyticsErrorCode.TOO_FEW_EVENTS),
    ([5.0, 5.0, 5.0], [3.0, 3.0, 3.0], [0.0, 4.0, 9.0], {}, AnalyticsErrorCode.NO_SPREAD),
    ([0.0, 50.0, 900.0], [0.0, 0.0, 0.0], [3.0, 3.0, 3.0], {}, AnalyticsErrorCode.NO_SPREAD),
    ([0.0, 50.0], [0.0, 0.0], [0.0, 1.0], {"spatial_edges": [200, 100]}, AnalyticsErrorCode.BANDS_INVALID),
    ([0.0, 50.0], [0.0, 0.0], [0.0, 1.0], {"temporal_edges": [14, 7]}, AnalyticsErrorCode.BANDS_INVALID),
    ([0.0, 50.0], [0.0, 0.0], [0.0, 1.0], {"spatial_edges": [-5, 100]}, AnalyticsErrorCode.BANDS_INVALID),
    ([0.0, 50.0], [0.0, 0.0], [0.0, 1.0], {"permutations": 0}, AnalyticsErrorCode.PARAMETER_INVALID),
    ([0.0, float("nan")], [0.0, 0.0], [0.0, 1.0], {}, AnalyticsErrorCode.COORDINATES_INVALID),
])
def test_bad_input_gets_a_clear_error(x, y, t, kwargs, code):
    arguments = {"spatial_edges": [100, 200], "temporal_edges": [7, 14], "permutations": 9} | kwargs
    with pytest.raises(AnalysisInputError) as caught:
        knox(np.array(x), np.array(y), np.array(t), **arguments)
    assert caught.value.code == code
    assert caught.value.message


def test_bands_helper_refuses_nonsense():
    assert bands(100, 3) == [100, 200, 300]
    with pytest.raises(AnalysisInputError):
        bands(0, 3)
    with pytest.raises(AnalysisInputError):
        bands(100, 0)


def test_csv_export_has_one_row_per_cell(chicago):
    points, years = chicago
    subset = years == 2015
    result = knox(points.x[subset][:2000], points.y[subset][:2000], points.days()[subset][:2000],
                  spatial_edges=[100], temporal_edges=[7], permutations=9)
    rows = result.csv_rows()
    assert rows[0][0] == "distance" and len(rows) == 1 + 3 * 2
    assert sum(r[2] for r in rows[1:]) == 2000 * 1999 // 2


def test_too_many_close_pairs_is_refused_before_memory_runs_out(monkeypatch):
    from confiance.analytics.stats import knox as knox_module

    monkeypatch.setattr(knox_module, "MAX_CLOSE_PAIRS", 500)
    rng = np.random.default_rng(2)
    x, y, t = rng.uniform(0, 50, 200), rng.uniform(0, 50, 200), rng.integers(0, 30, 200).astype(float)
    with pytest.raises(AnalysisInputError) as caught:
        knox_module.knox(x, y, t, spatial_edges=[100], temporal_edges=[7], permutations=9)
    assert caught.value.code == AnalyticsErrorCode.TOO_MANY_PAIRS
