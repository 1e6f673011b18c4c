"""Open data: counts per sector, week and category, and the same per sector as GeoJSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.analytics import disclosure
from confiance.analytics.selectors.events import PARIS, EventQuery, event_set
from confiance.analytics.stats import opendata
from confiance.territory import selectors as territory_selectors

# --- Open data ----------------------------------------------------------------------------------

def open_data(*, actor: Actor, commune_ids: list[int], start: date, end: date, sources: list[str]) -> dict[str, Any]:
    """Counts per sector, ISO week and category; counts under 5 blanked; no identifier, time or place of
    any single event. Events outside every sector are counted under the commune ("hors secteur").

    Built protected for everyone (``disclosure``): whole ISO weeks, each event in the sector of its 500 m lattice
    cell's centre, so that these counts and the protected analyses describe the same regions."""
    start, end = disclosure.widen_period(start, end)
    query = EventQuery(commune_ids=commune_ids, start=start, end=end, sources=sources)
    events = event_set(actor=actor, query=query, protected=True)
    labels = territory_selectors.sector_labels(commune_ids=set(events.commune_id.tolist()) or set(commune_ids))
    insee = territory_selectors.commune_codes(commune_ids=set(commune_ids))
    local_days = [datetime.fromtimestamp(int(s), PARIS).date() for s in events.seconds]
    rows = []
    for k in range(len(events)):
        sector = int(events.sector_id[k])
        code, name, commune_code = labels.get(sector, ("HS", str(_("hors secteur")),
                                                       insee.get(int(events.commune_id[k]), "")))
        rows.append((code, name, commune_code, local_days[k], str(events.category[k])))
    return {"rows": opendata.aggregate(rows), "fields": opendata.FIELDS, "dictionary": opendata.DICTIONARY,
            "threshold": opendata.SUPPRESSION_THRESHOLD, "sources": events.sources,
            "unavailable": events.unavailable}


def open_data_geojson(*, actor: Actor, commune_ids: list[int], start: date, end: date,
                      sources: list[str]) -> dict[str, Any]:
    """Sector polygons with the period's count per category (same suppression), as GeoJSON.

    A period total is published only when none of its weeks is blanked in the weekly table: it is then the sum of
    published weekly counts, and no blanked count can be recovered by subtracting them from it."""
    totals: dict[tuple[str, str, str], int] = {}
    weekly: dict[tuple[str, str, str, tuple[int, int]], int] = {}
    names: dict[str, str] = {}
    start, end = disclosure.widen_period(start, end)
    query = EventQuery(commune_ids=commune_ids, start=start, end=end, sources=sources)
    events = event_set(actor=actor, query=query, protected=True)
    labels = territory_selectors.sector_labels(commune_ids=set(commune_ids))
    for k in range(len(events)):
        sector = int(events.sector_id[k])
        if sector not in labels:
            continue
        code, name, insee = labels[sector]
        names[code] = name
        key = (code, insee, str(events.category[k]))
        totals[key] = totals.get(key, 0) + 1
        week = datetime.fromtimestamp(int(events.seconds[k]), PARIS).date().isocalendar()[:2]
        weekly[(*key, week)] = weekly.get((*key, week), 0) + 1
    blanked = {key[:3] for key, count in weekly.items() if count < opendata.SUPPRESSION_THRESHOLD}
    geometries = territory_selectors.sector_geometries(commune_ids=set(commune_ids))
    code_to_id = {code: pk for pk, (code, _name, _insee) in labels.items()}
    features = []
    for (code, insee, category), count in sorted(totals.items()):
        secret = count < opendata.SUPPRESSION_THRESHOLD or (code, insee, category) in blanked
        features.append({"type": "Feature", "geometry": geometries.get(code_to_id[code]), "properties": {
            "secteur_code": code, "secteur_nom": names[code], "commune_insee": insee,
            "periode_debut": start.isoformat(), "periode_fin": end.isoformat(), "categorie": category,
            "nombre": None if secret else count,
            "secret_statistique": secret}})
    return {"type": "FeatureCollection", "features": features, "threshold": opendata.SUPPRESSION_THRESHOLD}
