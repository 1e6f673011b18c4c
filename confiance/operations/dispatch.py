"""Dispatch recommendation: which units to send, ranked, with the reasons the operator sees.

Eligible: active, available, with a fresh position, of the intervention's commune or shared with it by an active
crisis sharing. Ranked by straight-line distance; when a road graph is loaded, the nearest few (the shortlist)
are ranked again by travel time on the roads. The operator confirms; nothing is engaged here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.utils import timezone

from confiance.core.geo import degree_lengths
from confiance.operations.choices import Milestone
from confiance.operations.models import Assignment, Intervention, Unit
from confiance.operations.roads import road_graph
from confiance.operations.selectors import shared_with, stale_before


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


def recommend(*, intervention: Intervention, limit: int = 5, now: datetime | None = None,
              ) -> Recommendation:
    """Ranked units for an intervention (the caller checked that the actor may see it)."""
    now = now or timezone.now()
    communes = shared_with({intervention.commune_id})
    rows = list(Unit.objects.filter(commune_id__in=communes, active=True)
                .values_list("id", "name", "commune__name", "milestone", "lat", "lon", "position_at", "status_at"))
    engaged = dict(Assignment.objects.filter(unit__commune_id__in=communes, finished_at__isnull=True)
                   .values_list("unit_id", "intervention__number"))
    fresh_after = stale_before(now)
    excluded, eligible = [], []
    for row in rows:
        unit_id, name, _commune, milestone, lat, _lon, position_at, _status_at = row
        if unit_id in engaged:
            excluded.append({"unit_id": unit_id, "name": name, "reason": f"engagée sur {engaged[unit_id]}"})
        elif milestone != Milestone.AVAILABLE:
            excluded.append({"unit_id": unit_id, "name": name, "reason": str(Milestone(milestone).label).lower()})
        elif lat is None or position_at is None:
            excluded.append({"unit_id": unit_id, "name": name, "reason": "aucune position"})
        elif position_at < fresh_after:
            excluded.append({"unit_id": unit_id, "name": name, "reason": "position périmée"})
        else:
            eligible.append(row)
    if not eligible:
        return Recommendation([], excluded, by_road=False)
    lats = np.array([row[4] for row in eligible])
    lons = np.array([row[5] for row in eligible])
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
    candidates = []
    for index in shortlist[:limit].tolist():
        unit_id, name, commune, *_, position_at, status_at = eligible[index]
        candidate = Candidate(unit_id, name, commune, float(straight[index]))
        candidate.reasons.append(f"{_distance(candidate.distance_m)} à vol d'oiseau")
        if graph is not None:
            seconds = travel_of[index]
            if np.isfinite(seconds):
                candidate.travel_s = seconds
                candidate.reasons.append(f"{_duration(seconds)} par la route")
            else:
                candidate.reasons.append("pas d'itinéraire routier connu")
        candidate.reasons.append(f"disponible depuis {_duration((now - status_at).total_seconds())}")
        candidate.reasons.append(f"position d'il y a {_duration((now - position_at).total_seconds())}")
        if commune != intervention.commune.name:
            candidate.reasons.append(f"unité de {commune} (mode crise)")
        candidates.append(candidate)
    return Recommendation(candidates, excluded, by_road=graph is not None)
