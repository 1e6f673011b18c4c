"""Time: hour-of-week profiles, trend with seasonality, weeks above expectation, load forecasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from django.utils.translation import gettext as _
from scipy import stats

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode

DAYS_PER_YEAR = 365.2425
BASELINE_DAYS = 28
# Below these counts a fitted trend or forecast would be noise presented as a figure: refused with a message.
MIN_EVENTS_TREND = 20
MIN_EVENTS_FORECAST = 28


def local_days_and_hours(seconds_utc: np.ndarray, tz_name: str = "Europe/Paris") -> tuple[np.ndarray, np.ndarray]:
    """Local calendar day number (days since 1970-01-01) and hour of each UTC time."""
    zone = ZoneInfo(tz_name)
    seconds = np.asarray(seconds_utc, dtype=np.int64)
    if len(seconds) == 0:
        return seconds, seconds
    # The offset changes twice a year: compute it per distinct hour, not per event.
    hours = seconds // 3600
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array([
        int(datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(zone).utcoffset().total_seconds())
        for h in unique_hours], dtype=np.int64)
    local = seconds + offsets[inverse]
    return local // 86400, (local % 86400) // 3600


def hour_of_week(days: np.ndarray, hours: np.ndarray) -> dict:
    """Events per weekday (Monday first) and hour, and the mean per week observed."""
    if len(days) == 0:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _("Aucun événement dans la sélection."))
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    table = np.zeros((7, 24), dtype=np.int64)
    np.add.at(table, (weekday, hours), 1)
    weeks = max(1.0, (days.max() - days.min() + 1) / 7)
    return {"counts": table.tolist(), "per_week": np.round(table / weeks, 3).tolist(), "weeks": round(weeks, 1)}


def daily_series(days: np.ndarray, start: int, end: int) -> np.ndarray:
    """Counts per local day from `start` to `end` inclusive (day numbers)."""
    if end < start:
        raise AnalysisInputError(AnalyticsErrorCode.PERIOD_INVALID, _("La fin de la période précède son début."))
    inside = (days >= start) & (days <= end)
    return np.bincount(days[inside] - start, minlength=end - start + 1).astype(float)


def _daily_design(t: np.ndarray, weekday: np.ndarray, harmonics: int) -> np.ndarray:
    """Intercept, trend, yearly harmonics, and one column per weekday after Monday."""
    columns = [np.ones_like(t), (t - t.mean()) / max(1.0, np.ptp(t))]
    for k in range(1, harmonics + 1):
        angle = 2 * np.pi * k * t / DAYS_PER_YEAR
        columns += [np.sin(angle), np.cos(angle)]
    columns += [(weekday == d).astype(float) for d in range(1, 7)]
    return np.column_stack(columns)


def poisson_fit(design: np.ndarray, counts: np.ndarray, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Poisson regression with a log link by iteratively reweighted least squares; returns β and the
    quasi-Poisson dispersion (Pearson χ² over residual degrees of freedom, at least 1)."""
    mu = np.maximum(counts, 0.5)
    eta = np.log(mu)
    beta = np.zeros(design.shape[1])
    for _iteration in range(iterations):
        z = eta + (counts - mu) / mu
        sqrt_w = np.sqrt(mu)
        new_beta, *_rest = np.linalg.lstsq(design * sqrt_w[:, None], z * sqrt_w, rcond=None)
        eta = np.clip(design @ new_beta, -30, 30)
        mu = np.exp(eta)
        if np.max(np.abs(new_beta - beta)) < 1e-8:
            beta = new_beta
            break
        beta = new_beta
    freedom = max(1, len(counts) - design.shape[1])
    dispersion = max(1.0, float(np.sum((counts - mu) ** 2 / mu) / freedom))
    return beta, dispersion


@dataclass
class WeeklyTrend:
    week_starts: np.ndarray  # day numbers of Mondays
    observed: np.ndarray
    expected: np.ndarray
    upper: np.ndarray  # 95 % upper bound of a quasi-Poisson count around the expectation
    above: np.ndarray  # weeks above the upper bound
    dispersion: float
    seasonal: bool
    trend_per_year: float  # relative change per year implied by the trend term

    def as_dict(self) -> dict:
        return {
            "week_starts": [str(np.datetime64(int(d), "D")) for d in self.week_starts],
            "observed": self.observed.astype(int).tolist(),
            "expected": np.round(self.expected, 2).tolist(),
            "upper": np.round(self.upper, 2).tolist(),
            "above": [str(np.datetime64(int(d), "D")) for d in self.week_starts[self.above]],
            "dispersion": round(self.dispersion, 2),
            "seasonal": self.seasonal,
            "trend_per_year_pct": round(100 * self.trend_per_year, 1),
        }


def weekly_trend(days: np.ndarray, start: int, end: int) -> WeeklyTrend:
    """Counts per week (Monday to Sunday, whole weeks only) with a log-linear trend, a yearly cycle when
    two years or more are covered, and the weeks whose count is above the 95 % bound."""
    first_monday = start + (-(start + 3)) % 7
    weeks = (end - first_monday + 1) // 7
    if weeks < 8:
        raise AnalysisInputError(AnalyticsErrorCode.HISTORY_TOO_SHORT, _(
            "Il faut au moins huit semaines complètes pour estimer une tendance."), weeks=int(max(weeks, 0)))
    daily = daily_series(days, first_monday, first_monday + weeks * 7 - 1)
    observed = daily.reshape(weeks, 7).sum(axis=1)
    if observed.sum() < MIN_EVENTS_TREND:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Trop peu d'événements (%(n)s) pour estimer une tendance : il en faut au moins %(min)s.") % {
            "n": int(observed.sum()), "min": MIN_EVENTS_TREND})
    week_starts = first_monday + 7 * np.arange(weeks)
    t = (week_starts + 3.5).astype(float)
    seasonal = weeks >= 104
    columns = [np.ones_like(t), (t - t.mean()) / np.ptp(t)]
    if seasonal:
        columns += [f(2 * np.pi * k * t / DAYS_PER_YEAR) for k in (1, 2) for f in (np.sin, np.cos)]
    design = np.column_stack(columns)
    beta, dispersion = poisson_fit(design, observed)
    expected = np.exp(design @ beta)
    upper = expected + 1.96 * np.sqrt(dispersion * expected)
    above = observed > upper
    slope_per_day = beta[1] / np.ptp(t)
    return WeeklyTrend(week_starts=week_starts, observed=observed, expected=expected, upper=upper, above=above,
                       dispersion=dispersion, seasonal=seasonal, trend_per_year=float(np.expm1(slope_per_day * 365.25)))


def forecast_days(history: np.ndarray, first_day: int, horizon: int) -> np.ndarray:
    """Expected counts for the `horizon` days after `history` (daily counts ending the day before).

    Model: Poisson regression on the last 365 days (or fewer) with a trend, the day of the week and, with
    a full year of history, a yearly cycle; its expectation is extrapolated for the horizon.
    """
    window = history[-365:]
    n = len(window)
    if n < 28:
        raise AnalysisInputError(AnalyticsErrorCode.HISTORY_TOO_SHORT, _(
            "Il faut au moins 28 jours d'historique pour une prévision."), days=n)
    if window.sum() < MIN_EVENTS_FORECAST:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Trop peu d'événements (%(n)s) dans l'historique pour une prévision : il en faut au moins %(min)s.") % {
            "n": int(window.sum()), "min": MIN_EVENTS_FORECAST})
    days = first_day - n + np.arange(n + horizon)
    weekday = (days + 3) % 7
    harmonics = 2 if n >= 365 else 0
    t = days.astype(float)
    design = _daily_design(t, weekday, harmonics)
    beta, _dispersion = poisson_fit(design[:n], window)
    return np.exp(design[n:] @ beta)


def baseline(history: np.ndarray, horizon: int) -> np.ndarray:
    """The reference: the mean of the last 28 days, flat."""
    return np.full(horizon, history[-BASELINE_DAYS:].mean())


@dataclass
class Backtest:
    origins: list[int]
    model_mae: float
    baseline_mae: float
    model_weekly_mae: float
    baseline_weekly_mae: float

    def as_dict(self) -> dict:
        return {"origins": len(self.origins), "model_mae_day": round(self.model_mae, 3),
                "baseline_mae_day": round(self.baseline_mae, 3),
                "model_mae_week": round(self.model_weekly_mae, 3),
                "baseline_mae_week": round(self.baseline_weekly_mae, 3),
                "skill_pct": round(100 * (1 - self.model_mae / self.baseline_mae), 1) if self.baseline_mae else None}


def backtest(daily: np.ndarray, first_day: int, *, weeks: int = 12, horizon: int = 7) -> Backtest:
    """Rolling origins, one per week over the last `weeks` weeks: forecast the next 7 days with the model
    and with the 28-day mean, compare with what happened (mean absolute error, daily and weekly)."""
    n = len(daily)
    origins = [n - horizon * (w + 1) for w in range(weeks) if n - horizon * (w + 1) >= 56]
    if not origins:
        raise AnalysisInputError(AnalyticsErrorCode.HISTORY_TOO_SHORT, _(
            "Historique trop court pour un test rétrospectif (au moins 9 semaines)."))
    model_errors, base_errors, model_week, base_week = [], [], [], []
    for origin in origins:
        actual = daily[origin:origin + horizon]
        model = forecast_days(daily[:origin], first_day + origin, horizon)
        reference = baseline(daily[:origin], horizon)
        model_errors.append(np.abs(model - actual).mean())
        base_errors.append(np.abs(reference - actual).mean())
        model_week.append(abs(model.sum() - actual.sum()))
        base_week.append(abs(reference.sum() - actual.sum()))
    return Backtest(origins=origins, model_mae=float(np.mean(model_errors)), baseline_mae=float(np.mean(base_errors)),
                    model_weekly_mae=float(np.mean(model_week)), baseline_weekly_mae=float(np.mean(base_week)))


def poisson_interval(expected: np.ndarray, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Central interval of a Poisson count around each expectation."""
    alpha = (1 - level) / 2
    return stats.poisson.ppf(alpha, expected), stats.poisson.ppf(1 - alpha, expected)


@dataclass
class PeriodComparison:
    previous: int
    current: int
    change: float | None  # relative change, current / previous - 1; None when the previous period has none
    p_value: float  # two-sided, equal rates in both periods


def compare_periods(previous: int, current: int, dispersion: float = 1.0) -> PeriodComparison:
    """Two counts over periods of equal length: their relative change and whether it could be chance.

    Given their sum, the current count is binomial (sum, 1/2) when both periods share one Poisson rate: an exact
    test. With overdispersion (weekly counts more spread than Poisson, factor > 1) the variance is inflated by that
    factor and a normal approximation is used (quasi-Poisson), so that a noisy series does not look significant."""
    total = previous + current
    change = current / previous - 1 if previous > 0 else None
    if total == 0:
        return PeriodComparison(previous=previous, current=current, change=change, p_value=1.0)
    factor = max(1.0, float(dispersion))
    if factor == 1.0:
        p_value = float(stats.binomtest(current, total, 0.5).pvalue)
    else:
        z = (current - previous) / np.sqrt(factor * total)
        p_value = float(2 * stats.norm.sf(abs(z)))
    return PeriodComparison(previous=previous, current=current, change=change, p_value=min(1.0, p_value))
