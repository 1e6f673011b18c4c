"""Summary figures shared by every indicator table, so two columns of one table never disagree on a definition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` quantile (0..1) of the values, linearly interpolated between closest ranks (NumPy's default,
    Hyndman and Fan's definition 7); None when there are no values."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("share must lie between 0 and 1")
    if len(values) == 0:
        return None
    return float(np.quantile(np.asarray(values, dtype=float), share))


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A figure rounded for display, None kept."""
    return None if value is None else round(value, digits)
