"""The point set itself, for analysts' own tools: events one by one for who may see them, else counts per
lattice cell."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.analytics import disclosure
from confiance.analytics.choices import EventSource
from confiance.analytics.errors import AnalysisInputError
from confiance.analytics.selectors.events import PARIS, EventQuery, analysable_communes, event_set
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.territory import selectors as territory_selectors

# --- The point set itself, for analysts' own tools -----------------------------------------------

SOURCE_PERMISSIONS = disclosure.SOURCE_PERMISSIONS
EXPORT_FIELDS = ("source", "categorie", "date_heure", "lat", "lon", "x_m", "y_m", "systeme_metrique",
                 "commune_insee", "secteur_code")


def may_export_events(actor: Actor, query: EventQuery) -> bool:
    """Whether the actor may take the query's events one by one: each source (or the imported dataset) needs the
    right to see its events one by one in every commune asked (``disclosure``)."""
    try:
        communes = analysable_communes(actor, query.commune_ids)
    except (AnalysisInputError, NotFoundError):
        return False
    return not disclosure.hidden_sources(actor, sources=query.sources, commune_ids=communes,
                                         dataset_id=query.dataset_id)


def event_points(*, actor: Actor, query: EventQuery) -> list[dict[str, Any]]:
    """The analysed events one by one (time, place, category, source; no identifier, person or text).

    Unlike the analyses, which are aggregates, a point set shows where and when each event happened: each
    source needs its own right in every commune asked (reports: reports.view; interventions, main courante and
    imported datasets: operations.view), so an élu can map hot spots of police interventions or of imported
    burglaries without listing them (they get ``event_cells`` instead).
    """
    communes = analysable_communes(actor, query.commune_ids)
    if query.dataset_id is not None:
        if disclosure.hidden_sources(actor, sources=[], commune_ids=communes, dataset_id=query.dataset_id):
            raise PermissionDeniedError(message=_(
                "Les événements d'un jeu de données importé ne s'exportent un par un que pour ceux qui peuvent "
                "consulter les fichiers de la police municipale de la commune. Vous pouvez télécharger leurs "
                "nombres par maille de 500 m."))
    else:
        for source in query.sources:
            permission = SOURCE_PERMISSIONS.get(source)
            if permission is not None and not communes <= actor.commune_ids(permission):
                raise PermissionDeniedError(message=_(
                    "Exporter les événements « %(source)s » demande le droit de les consulter dans chaque commune "
                    "choisie.") % {"source": EventSource(source).label})
    events = event_set(actor=actor, query=query)
    insee = territory_selectors.commune_codes(commune_ids=set(events.commune_id.tolist()))
    sectors = territory_selectors.sector_labels(commune_ids=set(events.commune_id.tolist()))
    rows: list[dict[str, Any]] = []
    for k in range(len(events)):
        moment = datetime.fromtimestamp(int(events.seconds[k]), PARIS)
        rows.append({
            "source": str(events.source[k]), "categorie": str(events.category[k]),
            "date_heure": moment.isoformat(timespec="minutes"), "lat": round(float(events.lat[k]), 6),
            "lon": round(float(events.lon[k]), 6), "x_m": round(float(events.x[k]), 1),
            "y_m": round(float(events.y[k]), 1), "systeme_metrique": events.crs,
            "commune_insee": insee.get(int(events.commune_id[k]), ""),
            "secteur_code": sectors.get(int(events.sector_id[k]), ("",))[0]})
    rows.sort(key=lambda row: row["date_heure"])
    return rows


CELL_FIELDS = ("commune_insee", "maille_centre_lat", "maille_centre_lon", "maille_cote_m", "categorie",
               "periode_debut", "periode_fin", "nombre")


def event_cells(*, actor: Actor, query: EventQuery) -> dict[str, Any]:
    """The query's events counted per 500 m lattice cell and category, over whole weeks: what anyone who may
    analyse the communes may take away (``disclosure``). A cell and category with fewer than 5 events is left
    out, and so is the number of events it leaves out when that number alone would be under 5."""
    start, end = disclosure.widen_period(query.start, query.end)
    widened = EventQuery(commune_ids=query.commune_ids, start=start, end=end, sources=list(query.sources),
                         sector_ids=list(query.sector_ids), categories=list(query.categories),
                         dataset_id=query.dataset_id)
    events = event_set(actor=actor, query=widened, protected=True)
    insee = territory_selectors.commune_codes(commune_ids=set(events.commune_id.tolist()))
    counts: dict[tuple[int, float, float, str], int] = {}
    for k in range(len(events)):
        key = (int(events.commune_id[k]), round(float(events.lat[k]), 5), round(float(events.lon[k]), 5),
               str(events.category[k]))
        counts[key] = counts.get(key, 0) + 1
    rows: list[dict[str, Any]] = [
        {"commune_insee": insee.get(commune, ""), "maille_centre_lat": lat, "maille_centre_lon": lon,
         "maille_cote_m": int(disclosure.LATTICE_M), "categorie": category, "periode_debut": start.isoformat(),
         "periode_fin": end.isoformat(), "nombre": n}
        for (commune, lat, lon, category), n in sorted(counts.items()) if n >= disclosure.MIN_COUNT]
    left_out = len(events) - sum(int(row["nombre"]) for row in rows)
    return {"rows": rows, "fields": CELL_FIELDS, "events": len(events),
            "left_out": left_out if left_out == 0 or left_out >= disclosure.MIN_COUNT else None,
            "start": start, "end": end}
