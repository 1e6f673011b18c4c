"""Next week's hot spots, evaluated on past weeks: hit rate, PAI and PEI against the share of area.

PAI (Chainey et al. 2008) = hit rate / area share. PEI (Hunt 2016) = hit rate / the best hit rate any
selection of the same area could have reached that week (perfect knowledge of the week's counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from scipy import ndimage

from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode

AREA_SHARES = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)


@dataclass
class PredictionEvaluation:
    area_shares: list[float]
    hit_rate: list[float]
    pai: list[float]
    pei: list[float]
    naive_hit_rate: list[float]
    naive_pai: list[float]
    weeks: int
    events: int
    cells: int
    method: str

    def as_dict(self) -> dict:
        def rounded(values):
            return [None if v is None or np.isnan(v) else round(float(v), 3) for v in values]
        return {"area_shares": list(self.area_shares), "hit_rate": rounded(self.hit_rate), "pai": rounded(self.pai),
                "pei": rounded(self.pei), "naive_hit_rate": rounded(self.naive_hit_rate),
                "naive_pai": rounded(self.naive_pai), "weeks": self.weeks, "events": self.events,
                "cells": self.cells, "method": self.method}


def risk_surface(week_counts: np.ndarray, *, sigma_cells: float = 1.5, half_life_weeks: float = 4.0) -> np.ndarray:
    """Risk for the next week: past weekly count grids, weighted by recency, smoothed in space."""
    weeks = week_counts.shape[0]
    weights = 0.5 ** (np.arange(weeks)[::-1] / half_life_weeks)
    recent = np.tensordot(weights, week_counts, axes=1)
    return ndimage.gaussian_filter(recent, sigma=sigma_cells, mode="constant", truncate=3.0)


def _rank_hits(score: np.ndarray, actual: np.ndarray, valid: np.ndarray, shares: tuple[float, ...]) -> np.ndarray:
    """Events of `actual` captured by the top cells of `score` for each area share (ties broken by index)."""
    order = np.lexsort((np.arange(valid.sum()), -score[valid]))
    cumulative = np.concatenate([[0], np.cumsum(actual[valid][order])])
    n_cells = int(valid.sum())
    return np.array([cumulative[max(1, round(share * n_cells))] for share in shares], dtype=float)


def evaluate(week_grids: np.ndarray, valid: np.ndarray, *, training_weeks: int = 12,
             shares: tuple[float, ...] = AREA_SHARES) -> PredictionEvaluation:
    """Rolling evaluation: for each week after the first `training_weeks`, predict from the weeks
    before it and score against what happened. `week_grids` is (weeks, rows, columns); `valid` masks
    the cells of the study area."""
    weeks = week_grids.shape[0]
    tested = [w for w in range(training_weeks, weeks) if week_grids[w][valid].sum() > 0]
    if not tested:
        raise AnalysisInputError(AnalyticsErrorCode.HISTORY_TOO_SHORT, _(
            "Pas assez de semaines avec des événements pour évaluer une prévision (il en faut au moins %(n)s "
            "d'apprentissage et une de test).") % {"n": training_weeks + 1})
    hits = np.zeros(len(shares))
    best = np.zeros(len(shares))
    naive = np.zeros(len(shares))
    total = 0.0
    for w in tested:
        actual = week_grids[w]
        surface = risk_surface(week_grids[max(0, w - 52):w])
        hits += _rank_hits(surface, actual, valid, shares)
        best += _rank_hits(actual.astype(float), actual, valid, shares)
        naive += _rank_hits(week_grids[w - 1].astype(float), actual, valid, shares)
        total += float(actual[valid].sum())
    hit_rate = hits / total
    naive_rate = naive / total
    share_array = np.array(shares)
    with np.errstate(divide="ignore", invalid="ignore"):
        pei = np.where(best > 0, hits / best, np.nan)
    return PredictionEvaluation(
        area_shares=list(shares), hit_rate=hit_rate.tolist(), pai=(hit_rate / share_array).tolist(),
        pei=pei.tolist(), naive_hit_rate=naive_rate.tolist(), naive_pai=(naive_rate / share_array).tolist(),
        weeks=len(tested), events=int(total), cells=int(valid.sum()),
        method=_("noyau gaussien (1,5 maille) sur les semaines passées pondérées (demi-vie 4 semaines)"),
    )
