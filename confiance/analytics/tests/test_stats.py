"""Hot spots, time profiles, forecasts, prediction scores and open-data aggregation on known data."""

from datetime import date

import numpy as np
import pytest
from scipy import sparse

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.stats import hotspots, opendata, prediction, temporal
from confiance.analytics.stats.points import project, read_events_csv


def test_grid_counts_put_each_point_in_its_cell():
    grid = hotspots.Grid.around(np.array([0.0, 150.0, 250.0]), np.array([0.0, 50.0, 260.0]), 100)
    counts = grid.counts(np.array([0.0, 150.0, 250.0, 251.0]), np.array([0.0, 50.0, 260.0, 299.0]))
    assert counts.shape == (3, 3) and counts.sum() == 4
    assert counts[0, 0] == 1 and counts[0, 1] == 1 and counts[2, 2] == 2


def test_grid_refuses_an_extent_that_means_wrong_coordinates():
    # degrees read as metres next to metres: an absurd extent
    with pytest.raises(AnalysisInputError) as caught:
        hotspots.Grid.around(np.array([2.3, 652_000.0]), np.array([48.8, 6_862_000.0]), 10)
    assert caught.value.code == AnalyticsErrorCode.EXTENT_TOO_LARGE


def test_kernel_density_keeps_the_mass_and_reports_its_bandwidth():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 500, 5000), rng.normal(0, 500, 5000)
    density = hotspots.kernel_density(x, y, cell=50)
    assert density.bandwidth_source == "rule"
    assert density.bandwidth_m == pytest.approx(1.06 * 500 * 5000 ** (-1 / 6), rel=0.1)
    total = density.values.sum() * (50 * 50) / 1e6
    assert total == pytest.approx(5000, rel=1e-3)
    peak = np.unravel_index(np.argmax(density.values), density.values.shape)
    cx, cy = density.grid.centres()
    assert abs(cx[peak]) < 150 and abs(cy[peak]) < 150
    given = hotspots.kernel_density(x, y, cell=50, bandwidth=200)
    assert given.bandwidth_m == 200 and given.bandwidth_source == "given"


def test_kernel_density_of_points_at_one_place_needs_a_bandwidth():
    with pytest.raises(AnalysisInputError) as caught:
        hotspots.kernel_density(np.zeros(10), np.zeros(10))
    assert caught.value.code == AnalyticsErrorCode.NO_SPREAD
    assert hotspots.kernel_density(np.zeros(10), np.zeros(10), bandwidth=100).values.max() > 0


def test_h3_counts():
    counts = hotspots.h3_counts(np.array([48.5, 48.5, 48.6]), np.array([2.4, 2.4, 2.4]), 9)
    assert sorted(counts.values()) == [1, 2]
    with pytest.raises(AnalysisInputError):
        hotspots.h3_counts(np.array([48.5]), np.array([2.4]), 16)


def _brute_gi_star(y, weights, draws):
    """Gi* pseudo p-values computed the slow, obvious way with the same random draws."""
    n = len(y)
    k = np.diff(weights.indptr)
    p = np.zeros(n)
    permutations = draws.shape[0]
    for i in range(n):
        pool = np.delete(np.arange(n), i)
        pool = np.concatenate([pool[:i], pool[i:]])  # indices of the other cells, in order
        # the engine maps draw r to y[r] except r == i, which stands for the last cell
        mapped = np.where(draws[:, :k[i]] == i, n - 1, draws[:, :k[i]])
        simulated = y[mapped].sum(axis=1)
        observed = weights[i] @ y
        at_least = (simulated >= observed - 1e-9).sum()
        p[i] = (min(at_least, permutations - at_least) + 1) / (permutations + 1)
    return p


def test_gi_star_matches_a_brute_force_evaluation_and_finds_the_planted_hot_spot():
    rng = np.random.default_rng(3)
    active = np.ones((20, 20), dtype=bool)
    values = rng.poisson(2, (20, 20)).astype(float)
    values[8:11, 8:11] += 12
    weights = hotspots.queen_weights(active)
    assert weights.shape == (400, 400) and weights[0].nnz == 3 and weights[21].nnz == 8
    result = hotspots.gi_star(values.ravel(), weights, permutations=999, seed=11)
    draws_rng = np.random.default_rng(11)
    draws = np.array([draws_rng.choice(399, size=8, replace=False) for _ in range(999)])
    assert np.allclose(result.p_sim, _brute_gi_star(values.ravel(), weights, draws))
    classes = result.classes().reshape(20, 20)
    assert classes[9, 9] == 1
    assert classes[0:4, 0:4].max() <= 0
    # analytic z against the textbook formula for one cell
    y = values.ravel()
    n, w = 400, 9
    z = (y[189] + weights[189] @ y - y.mean() * w) / (y.std() * np.sqrt((n * w - w * w) / (n - 1)))
    assert result.z[189] == pytest.approx(z)


def test_benjamini_hochberg():
    assert hotspots.benjamini_hochberg(np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]),
                                       0.05) == pytest.approx(0.008)
    assert hotspots.benjamini_hochberg(np.array([0.5, 0.9]), 0.05) == 0


def test_gi_star_refuses_a_flat_surface():
    with pytest.raises(AnalysisInputError) as caught:
        hotspots.gi_star(np.ones(16), hotspots.queen_weights(np.ones((4, 4), dtype=bool)), permutations=9)
    assert caught.value.code == AnalyticsErrorCode.NO_SPREAD
    with pytest.raises(AnalysisInputError):
        hotspots.gi_star(np.ones(2), sparse.eye(2, format="csr"))


def _days(year_from=2022, years=3, seed=1, weekly_peak=None):
    rng = np.random.default_rng(seed)
    start = int(np.datetime64(f"{year_from}-01-03", "D").astype(int))  # a Monday
    length = 365 * years
    day = np.arange(length) + start
    rate = 4 + 1.5 * np.sin(2 * np.pi * day / 365.2425) + np.where((day + 3) % 7 >= 5, 3, 0)
    counts = rng.poisson(rate)
    if weekly_peak is not None:
        counts[weekly_peak * 7:(weekly_peak + 1) * 7] += 15
    return np.repeat(day, counts), start, start + length - 1


def test_hour_of_week_profile():
    days = np.array([0, 0, 4, 11])  # Thursday, Thursday, Monday, Monday
    hours = np.array([10, 10, 3, 23])
    profile = temporal.hour_of_week(days, hours)
    assert profile["counts"][3][10] == 2 and profile["counts"][0][3] == 1 and profile["counts"][0][23] == 1
    with pytest.raises(AnalysisInputError):
        temporal.hour_of_week(np.array([], dtype=int), np.array([], dtype=int))


def test_local_days_follow_paris_time():
    # 2024-03-30 23:30 UTC is 00:30 on Sunday 31 March in Paris (UTC+1); 2024-07-01 22:30 UTC is 00:30 (UTC+2)
    seconds = np.array([np.datetime64("2024-03-30T23:30").astype("datetime64[s]").astype(int),
                        np.datetime64("2024-07-01T22:30").astype("datetime64[s]").astype(int)])
    days, hours = temporal.local_days_and_hours(seconds)
    assert [str(np.datetime64(int(d), "D")) for d in days] == ["2024-03-31", "2024-07-02"]
    assert hours.tolist() == [0, 0]


def test_weekly_trend_flags_the_planted_week():
    days, start, end = _days(weekly_peak=80)
    trend = temporal.weekly_trend(days, start, end)
    assert trend.seasonal
    flagged = [str(np.datetime64(int(d), "D")) for d in trend.week_starts[trend.above]]
    assert str(np.datetime64(start + 80 * 7, "D")) in flagged
    assert len(flagged) <= 8  # about 2.5 % of 156 weeks by chance, not dozens
    assert abs(trend.trend_per_year) < 0.1


def test_weekly_trend_needs_eight_weeks():
    with pytest.raises(AnalysisInputError) as caught:
        temporal.weekly_trend(np.array([100, 101]), 100, 130)
    assert caught.value.code == AnalyticsErrorCode.HISTORY_TOO_SHORT
    with pytest.raises(AnalysisInputError):
        temporal.daily_series(np.array([1]), 10, 5)


def test_forecast_beats_the_28_day_mean_on_a_weekly_pattern():
    days, start, end = _days()
    daily = temporal.daily_series(days, start, end)
    result = temporal.backtest(daily, start, weeks=12)
    assert len(result.origins) == 12
    assert result.model_mae < result.baseline_mae
    future = temporal.forecast_days(daily, end + 1, 7)
    weekend = [(d + 3) % 7 >= 5 for d in range(end + 1, end + 8)]
    assert future[weekend].mean() > future[~np.array(weekend)].mean() + 1.5


def test_forecast_needs_history():
    with pytest.raises(AnalysisInputError):
        temporal.forecast_days(np.ones(10), 100, 7)
    with pytest.raises(AnalysisInputError):
        temporal.backtest(np.ones(30), 100)


def test_prediction_scores_on_a_stable_hot_spot():
    rng = np.random.default_rng(5)
    weeks, rows, columns = 30, 20, 20
    grids = rng.poisson(0.05, (weeks, rows, columns))
    grids[:, 5, 5] += rng.poisson(4, weeks)
    grids[:, 14, 3] += rng.poisson(3, weeks)
    valid = np.ones((rows, columns), dtype=bool)
    result = prediction.evaluate(grids, valid, training_weeks=8)
    assert result.weeks == 22
    one_percent = result.area_shares.index(0.01)
    assert result.pai[one_percent] > 10  # 2 cells of 400 hold most events
    assert 0 < result.pei[one_percent] <= 1
    assert all(0 <= h <= 1 for h in result.hit_rate)
    assert result.hit_rate == sorted(result.hit_rate)
    with pytest.raises(AnalysisInputError):
        prediction.evaluate(grids[:5], valid, training_weeks=8)


def test_open_data_suppresses_small_counts():
    rows = [("S1", "Centre", "91386", date(2026, 3, 2), "Tags")] * 7 + [
        ("S1", "Centre", "91386", date(2026, 3, 4), "Éclairage")] * 2
    result = opendata.aggregate(rows)
    assert {r["categorie"]: r["nombre"] for r in result} == {"Tags": 7, "Éclairage": None}
    assert result[0]["semaine_iso"] == "2026-W10" and result[0]["debut_semaine"] == "2026-03-02"
    assert all(set(r) == set(opendata.FIELDS) for r in result)


def test_csv_reader_lat_lon_and_bad_rows():
    text = "date,heure,categorie,lat,lon\n2026-03-01,14,Tags,48.52,2.39\n01/03/2026,9:30,Tags,48.53,2.40\n"
    points = read_events_csv(text)
    assert len(points) == 2 and points.crs == "EPSG:2154"
    assert str(points.time[1]) == "2026-03-01T08:30:00"  # 9:30 in Paris (UTC+1) is 8:30 UTC
    x, _y, _crs = project(np.array([48.52]), np.array([2.39]))
    assert points.x[0] == pytest.approx(x[0])
    bad = text + "".join(f"2026-03-0{k % 9 + 1},x,Tags,48.5,2.4\n" for k in range(3))
    with pytest.raises(AnalysisInputError) as caught:
        read_events_csv(bad)
    assert caught.value.code == AnalyticsErrorCode.IMPORT_INVALID and "illisibles" in caught.value.message


@pytest.mark.parametrize(("text", "crs", "fragment"), [
    ("", None, "vide"),
    ("a,b\n1,2\n", None, "date"),
    ("date,foo\n2026-01-01,1\n", None, "position"),
    ("date,x,y\n2026-01-01,652000,6862000\n", None, "système"),
    ("date,x,y\n2026-01-01,652000,6862000\n", "EPSG:999999", "inconnu"),
    ("date,x,y\n2026-01-01,2.35,48.85\n", "EPSG:2154", "zone"),  # degrees given as Lambert-93
    ("date,x,y\n2026-01-01,652000,6862000\n", "EPSG:4326", "degrés"),
    ("date,lat,lon\n2026-01-01,95,2\n", None, "illisibles"),
])
def test_csv_reader_bad_input(text, crs, fragment):
    with pytest.raises(AnalysisInputError) as caught:
        read_events_csv(text, crs=crs)
    assert fragment in caught.value.message


def test_csv_reader_times_are_wall_time_in_the_files_zone():
    # Toronto style: the date as UTC midnight of the local day, the hour in a column of its own
    text = "occurrencedate,occurrencehour,MCI,Lat,Long\n2014/03/02 05:00:00+00,8,Break and Enter,43.7,-79.4\n"
    points = read_events_csv(text, tz="America/Toronto")
    assert str(points.time[0]) == "2014-03-02T13:00:00"  # 8:00 EST
    summer = read_events_csv("date,heure,lat,lon\n2026-07-14,22:15,48.5,2.4\n")
    assert str(summer.time[0]) == "2026-07-14T20:15:00"  # Paris is UTC+2 in July
    offset = read_events_csv("datetime,lat,lon\n2026-07-14T22:15:00+00:00,48.5,2.4\n")
    assert str(offset.time[0]) == "2026-07-14T22:15:00"  # an explicit offset wins
    with pytest.raises(AnalysisInputError):
        read_events_csv("date,lat,lon\n2026-07-14,48.5,2.4\n", tz="Mars/Olympus")
