"""Dispatch recommendation: which units to send, ranked, with the reasons the operator sees.

Eligible: active, available, with a fresh position, of the intervention's commune or shared with it by an active
crisis sharing; units come from the per-process index (unit_index.py), so a recommendation reads no unit rows.
Ranked by straight-line distance; when a road graph is loaded, the nearest few (the shortlist)
are ranked again by travel time on the roads. The operator confirms; nothing is engaged here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from confiance.core.geo import degree_lengths
from confiance.operations.choices import Milestone
from confiance.operations.models import Intervention
from confiance.operations.roads import road_graph
from confiance.operations.selectors import stale_before
from confiance.operations.unit_index import IndexedUnit, unit_index, units_from_database
from confiance.territory.selectors import crisis_shared_with


@dataclass
class Candidate:
    unit_id: int
    name: str
    commune: str
    distance_m: float
    travel_s: float | None = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        travel = None if self.travel_s is None else round(self.travel_s)
        return {"unit_id": self.unit_id, "name": self.name, "commune": self.commune,
                "distance_m": round(self.distance_m), "travel_s": travel, "reasons": self.reasons}


@dataclass
class Recommendation:
    candidates: list[Candidate]
    excluded: list[dict]
    by_road: bool


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
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
            "crisis": _("unité de %(commune)s (mode crise)")}


def _in_own_transaction() -> bool:
    """Whether the caller is inside a transaction of its own (not the one a test case wraps around each test)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _units_of(communes: set[int]) -> list[IndexedUnit]:
    """From the per-process index; inside a write transaction (automatic dispatch while an intervention is being
    created) from the database, which shows the transaction's own uncommitted writes."""
    if _in_own_transaction():
        return units_from_database(communes)
    return unit_index.units_of(communes)


def recommend(*, intervention: Intervention, limit: int = 5, now: datetime | None = None,
              ) -> Recommendation:
    """Ranked units for an intervention (the caller checked that the actor may see it)."""
    now = now or timezone.now()
    labels = _reason_labels(get_language())
    communes = crisis_shared_with({intervention.commune_id})
    fresh_after = stale_before(now)
    excluded, ready, details = [], [], {}
    for unit in _units_of(communes):
        if unit.engaged_on:
            reason = labels["engaged"] % {"number": unit.engaged_on}
        elif unit.milestone != Milestone.AVAILABLE:
            reason = str(Milestone(unit.milestone).label).lower()
        elif unit.lat is None or unit.lon is None:
            reason = labels["no_position"]
        elif unit.position_at is None or unit.position_at < fresh_after:
            reason = labels["stale"]
        else:
            ready.append((unit.id, unit.lat, unit.lon))
            details[unit.id] = (unit.name, unit.commune, unit.position_at, unit.status_at)
            continue
        excluded.append({"unit_id": unit.id, "name": unit.name, "reason": reason})
    excluded.sort(key=lambda row: row["name"])
    if not ready:
        return Recommendation([], excluded, by_road=False)
    eligible = np.array(ready, dtype=float)
    lats, lons = eligible[:, 1], eligible[:, 2]
    ky, kx = degree_lengths(intervention.lat)
    straight = np.hypot((lats - intervention.lat) * ky, (lons - intervention.lon) * kx)
    order = np.argsort(straight, kind="stable")
    shortlist = order[:max(limit, settings.CONFIANCE_DISPATCH_SHORTLIST)]
    graph = road_graph()
    travel_of: dict[int, float] = {}
    if graph is not None:
        travel = graph.travel_seconds(intervention.lat, intervention.lon, lats[shortlist], lons[shortlist])
        travel_of = {int(index): float(seconds) for index, seconds in zip(shortlist.tolist(), travel, strict=True)}
        shortlist = shortlist[np.lexsort((straight[shortlist], travel))]
    shown = shortlist[:limit].tolist()
    candidates = []
    for index in shown:
        name, commune, position_at, status_at = details[int(eligible[index, 0])]
        candidate = Candidate(int(eligible[index, 0]), name, commune, float(straight[index]))
        candidate.reasons.append(labels["straight"] % {"distance": _distance(candidate.distance_m)})
        if graph is not None:
            seconds = travel_of[index]
            if np.isfinite(seconds):
                candidate.travel_s = seconds
                candidate.reasons.append(labels["by_road"] % {"duration": _duration(seconds)})
            else:
                candidate.reasons.append(labels["no_route"])
        candidate.reasons.append(labels["available"] % {"duration": _duration((now - status_at).total_seconds())})
        candidate.reasons.append(labels["position_age"] % {"duration": _duration((now - position_at).total_seconds())})
        if commune != intervention.commune.name:
            candidate.reasons.append(labels["crisis"] % {"commune": commune})
        candidates.append(candidate)
    return Recommendation(candidates, excluded, by_road=graph is not None)
