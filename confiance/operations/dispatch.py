"""Dispatch recommendation: which units to send, ranked, with the reasons the operator sees.

Eligible: active, available, with a fresh position, of the intervention's commune or shared with it by an active
crisis sharing. Ranked by straight-line distance; when a road graph is loaded, the nearest few (the shortlist)
are ranked again by travel time on the roads. The operator confirms; nothing is engaged here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from confiance.core.geo import degree_lengths
from confiance.operations.choices import Milestone
from confiance.operations.models import Intervention
from confiance.operations.roads import road_graph
from confiance.operations.selectors import stale_before
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


def _moment(value) -> datetime:
    """A time from a plain row: a datetime (PostgreSQL) or ISO text in UTC (SQLite)."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    return timezone.make_aware(parse_datetime(str(value)), UTC)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d}" if minutes else f"{rest} s"


def _distance(metres: float) -> str:
    return f"{metres / 1000:.1f} km".replace(".", ",") if metres >= 1000 else f"{round(metres)} m"


def recommend(*, intervention: Intervention, limit: int = 5, now: datetime | None = None,
              ) -> Recommendation:
    """Ranked units for an intervention (the caller checked that the actor may see it)."""
    now = now or timezone.now()
    communes = crisis_shared_with({intervention.commune_id})
    fresh_after = stale_before(now)
    # Every unit in one plain read (no ORM compilation or per-value conversion for hundreds of rows): its current
    # engagement, whether its position is fresh; times are parsed only for the few units shown.
    placeholders = ", ".join(["%s"] * len(communes))
    # Only "%s" placeholders are formatted into the text; every value goes as a parameter.
    sql = (
        "SELECT u.id, u.name, c.name, u.milestone, u.lat, u.lon, "  # noqa: S608
        "CASE WHEN u.position_at >= %s THEN 1 ELSE 0 END, u.position_at, u.status_at, i.number "
        "FROM operations_unit u JOIN territory_commune c ON c.id = u.commune_id "
        "LEFT JOIN operations_assignment a ON a.unit_id = u.id AND a.finished_at IS NULL "
        "LEFT JOIN operations_intervention i ON i.id = a.intervention_id "
        f"WHERE u.active = %s AND u.commune_id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(fresh_after), True, *sorted(communes)])
        rows = cursor.fetchall()
    excluded, ready, details = [], [], {}
    for unit_id, name, commune, milestone, lat, lon, fresh, position_at, status_at, engaged_on in rows:
        if engaged_on:
            reason = f"engagée sur {engaged_on}"
        elif milestone != Milestone.AVAILABLE:
            reason = str(Milestone(milestone).label).lower()
        elif lat is None or lon is None:
            reason = "aucune position"
        elif not fresh:
            reason = "position périmée"
        else:
            ready.append((unit_id, lat, lon))
            details[unit_id] = (name, commune, position_at, status_at)
            continue
        excluded.append({"unit_id": unit_id, "name": name, "reason": reason})
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
        position_at, status_at = _moment(position_at), _moment(status_at)
        candidate = Candidate(int(eligible[index, 0]), name, commune, float(straight[index]))
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
