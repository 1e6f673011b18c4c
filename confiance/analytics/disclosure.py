"""What an analysis may disclose, and to whom: the one place where outputs are coarsened and small counts hidden.

LEGAL.md asks two things of analytics: police files (interventions, main courante) are for the police
municipale and the supervision centre only, and analytics and open data are aggregates with small counts
suppressed. An élu holds ``analytics.view`` but not ``operations.view``: they may read aggregates of police
interventions, never something that places one of them.

The policy:

- An actor *sees a source event by event* when they hold that source's permission (``SOURCE_PERMISSIONS``) in
  every commune of the query. An imported dataset (burglaries, thefts: police figures brought from elsewhere) is
  seen event by event by those who may see the police files of its commune (``DATASET_PERMISSION``); an élu
  analyses it protected and never exports its events one by one, only their counts per 500 m cell
  (``selectors.event_cells``).
- A run over a source its author does not see event by event is **protected**. Before anything is computed,
  each event is moved to the centre of its cell in a fixed lattice of ``LATTICE_M`` (500 m) squares, aligned on
  multiples of 500 m in the analysis' metric system, and takes the sector found at that centre. Every region an
  output can describe (grid cell, H3 cell, sector) is then a union of whole lattice cells, so no combination of
  outputs, in one run or across runs, places an event more finely than its 500 m cell.
- Lattice cells holding fewer than ``MIN_COUNT`` (5) events of one commune are left out of every map: they are
  neither drawn nor flagged, so every cell drawn holds at least 5 events and no difference of drawn cells falls
  under 5.
- Grid cells are whole multiples of 500 m; H3 cells at most resolution ``MAX_H3_RESOLUTION`` (8: about 0.74 km²,
  edge about 530 m, the size of a lattice cell); Knox bands at least 500 m and one day; the period is widened to
  whole ISO weeks (Monday to Sunday), so that two runs differ by weeks, not by days.
- In tables and curves (hour of the week, weeks, days, Knox pairs, loads per sector) every count from 1 to 4 is
  masked, and where a total is known (published, or derivable) one more cell is masked when the masked ones would
  otherwise add up to fewer than 5 or be a single cell (complementary suppression). Statistics of a masked cell
  (expected, ratio, p-value) are masked with it.
- Fewer than 5 events in all: nothing is computed.
- A run is readable by its author and by those who may analyse all its communes, provided that, for a run that is
  *not* protected, the reader also sees every source event by event in those communes. The check is made when
  the run is read, with the reader's rights of the moment; a run from before this policy counts as unprotected.

Open data (sector, ISO week, category) and indicators by phase follow the same threshold; they are built
protected for everyone.

What this does not close: two runs over periods a week apart (or over different categories) can be differenced;
the difference is a count in a 500 m cell and a week that may be under 5. It never places an event more finely
than its 500 m cell and week.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics.choices import EventSource
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.formatting import day, number
from confiance.analytics.stats.opendata import SUPPRESSION_THRESHOLD

MIN_COUNT = SUPPRESSION_THRESHOLD  # 5, as in open data
LATTICE_M = 500.0
MAX_H3_RESOLUTION = 8
MIN_KNOX_DAYS = 1.0

SOURCE_PERMISSIONS: dict[str, Permission] = {
    EventSource.REPORTS: Permission.REPORTS_VIEW,
    EventSource.INTERVENTIONS: Permission.OPERATIONS_VIEW,
    EventSource.LOGBOOK: Permission.OPERATIONS_VIEW,
}
# A source not listed here (alarms, not installed) is treated as one nobody sees event by event.
DATASET = "dataset"
DATASET_PERMISSION = Permission.OPERATIONS_VIEW


# --- Who sees what -------------------------------------------------------------------------------

def hidden_sources(actor: Actor, *, sources: Iterable[str], commune_ids: Iterable[int],
                   dataset_id: int | None = None) -> list[str]:
    """The sources of a query that the actor may not see event by event in every commune of it (an imported
    dataset counts as the one source ``DATASET``)."""
    communes = set(commune_ids)
    if dataset_id is not None:
        return [] if communes <= actor.commune_ids(DATASET_PERMISSION) else [DATASET]
    hidden = []
    for source in sources:
        permission = SOURCE_PERMISSIONS.get(source)
        if permission is None or not communes <= actor.commune_ids(permission):
            hidden.append(source)
    return hidden


def query_protected(actor: Actor, query: Any) -> bool:
    """Whether an analysis of `query` (an EventQuery) by `actor` must be protected."""
    return bool(hidden_sources(actor, sources=query.sources, commune_ids=query.commune_ids,
                               dataset_id=query.dataset_id))


def run_protected(run: Any) -> bool:
    """Whether a run's outputs were protected: said by its result once computed, by its parameters before."""
    if isinstance(run.result, dict) and "disclosure" in run.result:
        return bool(run.result["disclosure"].get("protected"))
    return bool((run.params or {}).get("protected"))


def may_read_run(actor: Actor, run: Any) -> bool:
    """The author, or anyone who may analyse all the run's communes; a run that is not protected also needs the
    right to see each of its sources event by event there."""
    communes = set(run.commune_ids)
    if run.created_by_id != actor.agent.pk and not communes <= actor.commune_ids(Permission.ANALYTICS_VIEW):
        return False
    if run_protected(run):
        return True
    query = (run.params or {}).get("query", {})
    return not hidden_sources(actor, sources=query.get("sources") or [], commune_ids=communes,
                              dataset_id=query.get("dataset_id"))


# --- Coarsening ------------------------------------------------------------------------------------

def widen_period(start: date, end: date) -> tuple[date, date]:
    """[Monday of start's week, Sunday of end's week]."""
    return start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())


def snap(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centre of each point's lattice cell."""
    return ((np.floor(np.asarray(x, float) / LATTICE_M) + 0.5) * LATTICE_M,
            (np.floor(np.asarray(y, float) / LATTICE_M) + 0.5) * LATTICE_M)


def dense(x: np.ndarray, y: np.ndarray, commune_id: np.ndarray) -> np.ndarray:
    """Events whose (commune, lattice cell) holds at least MIN_COUNT events."""
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    keys = np.stack([np.floor(np.asarray(x) / LATTICE_M), np.floor(np.asarray(y) / LATTICE_M),
                     np.asarray(commune_id, float)], axis=1)
    _unique, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()] >= MIN_COUNT


def cell_size(size: float) -> float:
    """A grid cell size rounded up to a whole number of lattice cells."""
    return float(max(1, int(np.ceil(size / LATTICE_M - 1e-9))) * LATTICE_M)


def h3_resolution(resolution: int) -> int:
    return min(resolution, MAX_H3_RESOLUTION)


def knox_bandwidths(spatial_m: float, temporal_days: float) -> tuple[float, float]:
    return cell_size(spatial_m), max(temporal_days, MIN_KNOX_DAYS)


def require_enough(events: int) -> None:
    if events < MIN_COUNT:
        raise AnalysisInputError(AnalyticsErrorCode.TOO_FEW_EVENTS, _(
            "Moins de 5 événements dans la sélection : aucun résultat n'est calculé, pour protéger les personnes."))


def describe(*, protected: bool, asked: dict[str, Any] | None = None, used: dict[str, Any] | None = None,
             left_out: int = 0, period: tuple[date, date] | None = None) -> dict[str, Any]:
    """The `disclosure` part of a result, with the French notes the page shows."""
    if not protected:
        return {"protected": False}
    notes = [_("Résultat protégé : vous ne pouvez pas consulter un à un les événements analysés (interventions, "
               "main courante ou jeu de données importé), les positions sont donc ramenées au centre de mailles de "
               "500 m et les nombres de moins de 5 sont masqués.")]
    asked = asked or {}
    for name, value in (used or {}).items():
        if asked.get(name) not in (None, value):
            notes.append(_("%(name)s : %(asked)s demandé, %(used)s retenu (maille élargie pour protéger les "
                           "personnes).") % {"name": str(_LABELS.get(name, name)), "asked": _figure(asked[name]),
                                             "used": _figure(value)})
    if left_out:
        notes.append(_("Les événements des mailles de 500 m qui en comptent moins de 5 ne figurent pas sur la carte."))
    if period is not None:
        notes.append(_("Période élargie aux semaines entières : du %(start)s au %(end)s.") % {
            "start": day(period[0]), "end": day(period[1])})
    return {"protected": True, "lattice_m": LATTICE_M, "min_count": MIN_COUNT, "max_h3_resolution": MAX_H3_RESOLUTION,
            "used": used or {}, "notes": [str(n) for n in notes]}


def _figure(value: Any) -> str:
    try:
        return number(float(value), 2)
    except (TypeError, ValueError):
        return str(value)


_LABELS = {"cell_m": gettext_lazy("Taille de maille (m)"), "h3_resolution": gettext_lazy("Résolution H3"),
           "spatial_bandwidth_m": gettext_lazy("Largeur des bandes spatiales (m)"),
           "temporal_bandwidth_days": gettext_lazy("Largeur des bandes temporelles (jours)")}


# --- Suppression -----------------------------------------------------------------------------------

def _primary(values: np.ndarray) -> np.ndarray:
    return (values > 0) & (values < MIN_COUNT)


def _complete_line(values: np.ndarray, mask: np.ndarray) -> bool:
    """Mask one more cell of a line whose total is known, when its masked cells add up to fewer than 5 or are a
    single non-zero cell. True when something was added."""
    hidden = values[mask]
    if not (hidden > 0).any():
        return False
    if hidden.sum() >= MIN_COUNT and (hidden > 0).sum() >= 2:
        return False
    candidates = np.flatnonzero(~mask)
    if not len(candidates):
        return False
    positive = candidates[values[candidates] > 0]
    pool = positive if len(positive) else candidates
    mask[pool[np.argmin(values[pool])]] = True
    return True


def suppress_mask(values: Sequence[float] | np.ndarray, *, total_known: bool = True) -> np.ndarray:
    """Masked cells of a vector of counts: 1 to 4, plus complementary cells when its total is known."""
    values = np.asarray(values, dtype=float)
    mask = _primary(values)
    if total_known:
        while _complete_line(values, mask):
            pass
    return mask


def suppress_table_mask(table: np.ndarray) -> np.ndarray:
    """Masked cells of a 2-D table of counts whose row and column totals are known."""
    values = np.asarray(table, dtype=float)
    mask = _primary(values)
    changed = True
    while changed:
        changed = False
        for r in range(values.shape[0]):
            changed |= _complete_line(values[r], mask[r])
        for c in range(values.shape[1]):
            column = mask[:, c].copy()
            if _complete_line(values[:, c], column):
                mask[:, c] = column
                changed = True
    return mask


def masked(values: Sequence[Any] | np.ndarray, mask: np.ndarray) -> list[Any]:
    return [None if hide else value for value, hide in zip(list(values), mask.tolist(), strict=True)]


def masked_table(table: Sequence[Sequence[Any]], mask: np.ndarray) -> list[list[Any]]:
    return [masked(row, mask[r]) for r, row in enumerate(table)]


# --- Protected forms of the results ----------------------------------------------------------------

KNOX_CELL_FIELDS = ("observed", "expected", "knox_ratio", "p_value", "expected_sd", "expected_min", "expected_max")


def protect_knox(knox: dict[str, Any]) -> dict[str, Any]:
    """The Knox table with pair counts under 5 masked (rows and columns), and every figure of a masked cell."""
    mask = suppress_table_mask(np.asarray(knox["observed"], dtype=float))
    result = dict(knox) | {name: masked_table(knox[name], mask) for name in KNOX_CELL_FIELDS}
    result["close_pairs"] = None  # a partial margin of the table
    result["masked_cells"] = int(mask.sum())
    return result


def knox_csv(knox: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["distance", "delai", "observe", "attendu_moyen", "attendu_min", "attendu_max",
                              "rapport_knox", "p_valeur"]]
    for r, row_label in enumerate(knox["rows"]):
        for c, column_label in enumerate(knox["columns"]):
            observed = knox["observed"][r][c]
            rows.append([row_label, column_label] + (
                [_("moins de 5 ou masqué"), "", "", "", "", ""] if observed is None else
                [observed, knox["expected"][r][c], knox["expected_min"][r][c], knox["expected_max"][r][c],
                 "" if knox["knox_ratio"][r][c] is None else knox["knox_ratio"][r][c], knox["p_value"][r][c]]))
    return rows


def protect_counts(values: Sequence[int] | np.ndarray) -> list[int | None]:
    """A vector of counts whose total is known."""
    values = np.asarray(values, dtype=np.int64)
    return masked(values.tolist(), suppress_mask(values))


def protect_days(days: Sequence[int] | np.ndarray) -> list[int | None]:
    """Daily counts ending on a Sunday: masked week by week, each week's total being knowable."""
    days = np.asarray(days, dtype=np.int64)
    out: list[int | None] = []
    first = len(days) % 7
    blocks = ([days[:first]] if first else []) + [days[k:k + 7] for k in range(first, len(days), 7)]
    for block in blocks:
        out += protect_counts(block)
    return out


def check_result(result: dict[str, Any]) -> bool:
    """A protected result as it must be when read: coarse cells only, no count from 1 to 4 on a map."""
    disclosure = result.get("disclosure") or {}
    if not disclosure.get("protected"):
        return True
    if "h3" in result and result["h3"]["resolution"] > MAX_H3_RESOLUTION:
        return False
    for key in ("grid",):
        if key in result and result[key]["size_m"] % LATTICE_M:
            return False
    features = (result.get("cells") or {}).get("features", []) + (
        (result.get("h3") or {}).get("collection") or {}).get("features", [])
    return all(not 0 < (f["properties"].get("n") or 0) < MIN_COUNT for f in features)
