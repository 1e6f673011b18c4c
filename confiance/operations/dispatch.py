"""Dispatch recommendation: which units to send, ranked, with the reasons the operator sees.

Eligible: active, available, with a fresh position, of the intervention's commune, of a commune linked to it by a
pooling agreement in force (convention de mise en commun) or by an active crisis sharing; units come from the
per-process index (unit_index.py), so a recommendation reads no unit rows. Whenever a road graph is loaded, the
nearest few by straight line (the shortlist) are ranked by travel time on the roads, and the answer says so even
when no unit is ready (`by_road` tells whether a network is loaded, not whether a unit was ranked). Units of
other communes are marked with what lends them ("convention" or "crise"). The operator confirms; nothing is
engaged here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from confiance.core.geo import degree_lengths
from confiance.operations.access import pooling_partners
from confiance.operations.choices import Milestone
from confiance.operations.models import Intervention
from confiance.operations.roads import road_graph
from confiance.operations.selectors import stale_before
from confiance.operations.unit_index import IndexedUnit, UnitSnapshot, unit_index, units_from_database
from confiance.territory.selectors import crisis_shared_with


@dataclass
class Candidate:
    unit_id: int
    name: str
    commune: str
    distance_m: float
    travel_s: float | None = None
    reasons: list[str] = field(default_factory=list)
    sharing: str = ""  # "", "convention" or "crise": what lends a unit of another commune
    sharing_label: str = ""

    def as_dict(self) -> dict:
        travel = None if self.travel_s is None else round(self.travel_s)
        return {"unit_id": self.unit_id, "name": self.name, "commune": self.commune,
                "distance_m": round(self.distance_m), "travel_s": travel, "reasons": self.reasons,
                "sharing": self.sharing, "sharing_label": self.sharing_label}


@dataclass
class Recommendation:
    candidates: list[Candidate]
    excluded: list[dict]
    by_road: bool


def _duration(seconds: float) -> str:
    """A duration as an operator reads it: seconds, minutes, hours, then days."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    hours, minutes_left = divmod(minutes, 60)
    if hours >= 24:
        return _("%(days)s j") % {"days": hours // 24}
    if hours:
        return f"{hours} h {minutes_left:02d}"
    return f"{minutes} min {rest:02d}" if minutes else f"{rest} s"


def _distance(metres: float) -> str:
    return f"{metres / 1000:.1f} km".replace(".", ",") if metres >= 1000 else f"{round(metres)} m"


@functools.lru_cache(maxsize=8)
def _reason_labels(language: str | None) -> dict[str, str]:
    """The reasons' texts in one language, translated once (a recommendation writes a few dozen)."""
    return {"engaged": _("engagée sur %(number)s"), "no_position": _("aucune position"),
            "stale": _("position périmée"), "straight": _("%(distance)s à vol d'oiseau"),
            "by_road": _("%(duration)s par la route"), "no_route": _("pas d'itinéraire routier connu"),
            "available": _("disponible depuis %(duration)s"), "position_age": _("position d'il y a %(duration)s"),
            "crisis": _("unité de %(commune)s (mode crise)"),
            "pooling": _("unité de %(commune)s (convention %(reference)s)"),
            "pooling_mark": _("convention"), "crisis_mark": _("crise")}


def _snapshot_of(communes: set[int], *, from_database: bool) -> UnitSnapshot:
    """From the per-process index, or from the database for a caller inside its own write transaction (automatic
    dispatch while an intervention is being created), which must see that transaction's uncommitted writes."""
    if from_database:
        return UnitSnapshot.of(units_from_database(communes))
    return unit_index.snapshot(communes)


def _excluded(units: list[IndexedUnit], labels: dict[str, str], intervention: Intervention) -> list[dict]:
    """The units not recommended, each with why; only a unit engaged on another intervention may be reassigned."""
    rows = []
    for unit in units:
        elsewhere = bool(unit.engaged_on) and unit.engaged_on_id != intervention.pk
        if unit.engaged_on:
            reason = labels["engaged"] % {"number": unit.engaged_on}
        elif unit.milestone != Milestone.AVAILABLE:
            reason = str(Milestone(unit.milestone).label).lower()
        elif unit.lat is None or unit.lon is None:
            reason = labels["no_position"]
        else:
            reason = labels["stale"]
        rows.append({"unit_id": unit.id, "name": unit.name, "reason": reason, "reassignable": elsewhere,
                     "engaged_here": bool(unit.engaged_on) and not elsewhere})
    return sorted(rows, key=lambda row: row["name"])


def _mark(candidate: Candidate, unit: IndexedUnit, intervention: Intervention, pooled: dict[int, str],
          labels: dict[str, str]) -> None:
    """A unit of another commune: lent by a pooling agreement (preferred: it is the standing frame) or a crisis."""
    if unit.commune_id == intervention.commune_id:
        return
    if unit.commune_id in pooled:
        candidate.sharing, candidate.sharing_label = "convention", labels["pooling_mark"]
        candidate.reasons.append(labels["pooling"] % {"commune": unit.commune, "reference": pooled[unit.commune_id]})
    else:
        candidate.sharing, candidate.sharing_label = "crise", labels["crisis_mark"]
        candidate.reasons.append(labels["crisis"] % {"commune": unit.commune})


def _candidate(unit: IndexedUnit, distance_m: float, travel_s: float | None, *, by_road: bool,
               intervention: Intervention, now: datetime, labels: dict[str, str]) -> Candidate:
    """One recommended unit with the reasons the operator reads (the ranking criterion first)."""
    candidate = Candidate(unit.id, unit.name, unit.commune, distance_m)
    if by_road and travel_s is not None and np.isfinite(travel_s):
        candidate.travel_s = travel_s
        candidate.reasons.append(labels["by_road"] % {"duration": _duration(travel_s)})
    elif by_road:
        candidate.reasons.append(labels["no_route"])
    candidate.reasons.append(labels["straight"] % {"distance": _distance(distance_m)})
    candidate.reasons.append(labels["available"] % {"duration": _duration((now - unit.status_at).total_seconds())})
    if unit.position_at is not None:
        age = (now - unit.position_at).total_seconds()
        candidate.reasons.append(labels["position_age"] % {"duration": _duration(age)})
    return candidate


def recommend(*, intervention: Intervention, limit: int = 5, now: datetime | None = None,
              from_database: bool = False) -> Recommendation:
    """Ranked units for an intervention (the caller checked that the actor may see it). A service recommending
    inside its own transaction passes `from_database=True`; everyone else reads the per-process index."""
    now = now or timezone.now()
    labels = _reason_labels(get_language())
    pooled = pooling_partners({intervention.commune_id}, timezone.localdate(now))
    communes = crisis_shared_with({intervention.commune_id}) | set(pooled)
    fresh_after = stale_before(now)
    snapshot = _snapshot_of(communes, from_database=from_database)
    is_ready = snapshot.available & (snapshot.position_ts >= fresh_after.timestamp())
    excluded = _excluded([snapshot.units[index] for index in np.flatnonzero(~is_ready)], labels, intervention)
    ready = np.flatnonzero(is_ready)
    graph = road_graph()
    if not ready.size:
        # No unit ready is no reason to say the roads are not loaded (the console said "à vol d'oiseau").
        return Recommendation([], excluded, by_road=graph is not None)
    lats, lons = snapshot.lats[ready], snapshot.lons[ready]
    ky, kx = degree_lengths(intervention.lat)
    straight = np.hypot((lats - intervention.lat) * ky, (lons - intervention.lon) * kx)
    order = np.argsort(straight, kind="stable")
    shortlist = order[:max(limit, settings.CONFIANCE_DISPATCH_SHORTLIST)]
    travel_of: dict[int, float] = {}
    if graph is not None:
        travel = graph.travel_seconds(intervention.lat, intervention.lon, lats[shortlist], lons[shortlist],
                                      needed=limit)
        travel_of = {int(index): float(seconds) for index, seconds in zip(shortlist.tolist(), travel, strict=True)}
        shortlist = shortlist[np.lexsort((straight[shortlist], travel))]
    candidates = []
    for index in shortlist[:limit].tolist():
        unit = snapshot.units[int(ready[index])]
        candidate = _candidate(unit, float(straight[index]), travel_of.get(index), by_road=graph is not None,
                               intervention=intervention, now=now, labels=labels)
        _mark(candidate, unit, intervention, pooled, labels)
        candidates.append(candidate)
    return Recommendation(candidates, excluded, by_road=graph is not None)
