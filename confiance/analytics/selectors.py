"""Reads for analytics: event point sets from the other apps' selectors, runs, datasets, indicators, open data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics import disclosure
from confiance.analytics.choices import UNAVAILABLE_SOURCES, EventSource
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.models import AnalysisRun, Dataset, DatasetEvent
from confiance.analytics.stats import opendata
from confiance.analytics.stats.points import WGS84, project, transform
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations import selectors as operations_selectors
from confiance.prevention.selectors import indicators as prevention_indicators
from confiance.prevention.selectors import otv as prevention_selectors
from confiance.reports import selectors as reports_selectors
from confiance.territory import selectors as territory_selectors

PARIS = ZoneInfo("Europe/Paris")
EARLIEST = date(2000, 1, 1)
MAX_PERIOD_DAYS = 366 * 10


@dataclass
class EventQuery:
    """What to analyse: communes, optional sectors, sources or an imported dataset, categories, period."""

    commune_ids: list[int]
    start: date
    end: date
    sources: list[str] = field(default_factory=lambda: [EventSource.REPORTS, EventSource.INTERVENTIONS,
                                                        EventSource.LOGBOOK])
    sector_ids: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    dataset_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"commune_ids": self.commune_ids, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "sources": list(self.sources), "sector_ids": self.sector_ids, "categories": self.categories,
                "dataset_id": self.dataset_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventQuery:
        return cls(commune_ids=[int(c) for c in data["commune_ids"]], start=date.fromisoformat(data["start"]),
                   end=date.fromisoformat(data["end"]), sources=list(data.get("sources") or []),
                   sector_ids=[int(s) for s in data.get("sector_ids") or []],
                   categories=list(data.get("categories") or []), dataset_id=data.get("dataset_id"))


@dataclass
class EventSet:
    """Events as arrays, ready for analysis: no identifier, no person, no free text."""

    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray
    y: np.ndarray
    seconds: np.ndarray  # UTC epoch seconds
    category: np.ndarray
    source: np.ndarray
    commune_id: np.ndarray
    sector_id: np.ndarray
    crs: str
    since: datetime
    until: datetime
    sources: list[str]
    unavailable: dict[str, str]
    whole_days: bool = False  # an imported file with dates only: compare calendar days in `zone`
    zone: str = "Europe/Paris"

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, mask: np.ndarray) -> EventSet:
        arrays = {name: getattr(self, name)[mask] for name in
                  ("lat", "lon", "x", "y", "seconds", "category", "source", "commune_id", "sector_id")}
        return EventSet(**arrays, crs=self.crs, since=self.since, until=self.until, sources=self.sources,
                        unavailable=self.unavailable, whole_days=self.whole_days, zone=self.zone)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end + 1 day 00:00) in Paris time, checked."""
    if end < start:
        raise AnalysisInputError(AnalyticsErrorCode.PERIOD_INVALID, _("La fin de la période précède son début."))
    latest = timezone.localdate() + timedelta(days=366)
    if start < EARLIEST or end > latest:
        raise AnalysisInputError(AnalyticsErrorCode.PERIOD_INVALID, _(
            "Les dates doivent être comprises entre le %(first)s et le %(last)s.") % {
            "first": EARLIEST.strftime("%d/%m/%Y"), "last": latest.strftime("%d/%m/%Y")})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise AnalysisInputError(AnalyticsErrorCode.PERIOD_TOO_LONG, _("La période ne peut pas dépasser dix ans."))
    since = datetime.combine(start, time.min, tzinfo=PARIS)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=PARIS)
    return since, until


def analysable_communes(actor: Actor, commune_ids: list[int] | None = None) -> set[int]:
    """The communes the actor may analyse, narrowed to those asked; other communes' ids are refused."""
    visible = set(actor.commune_ids(Permission.ANALYTICS_VIEW))
    if commune_ids is None:
        return visible
    asked = set(commune_ids)
    if not asked:
        raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _("Choisissez au moins une commune."))
    if not asked <= visible:
        raise NotFoundError(message=_("Commune introuvable."))
    return asked


def event_set(*, actor: Actor, query: EventQuery, protected: bool = False) -> EventSet:
    """The events of the query, from the apps' own selectors (or from an imported dataset).

    `protected`: each event is moved to the centre of its 500 m lattice cell and takes the sector found there
    (``disclosure``), before the sector filter, so that nothing downstream knows its position more finely."""
    communes = analysable_communes(actor, query.commune_ids)
    since, until = period_bounds(query.start, query.end)
    rows: list[tuple] = []  # (time, lat, lon, category, source, commune id, sector id or -1)
    unavailable: dict[str, str] = {}
    whole_days, zone = False, "Europe/Paris"
    if query.dataset_id is not None:
        dataset = dataset_get_for_actor(actor=actor, dataset_id=query.dataset_id)
        require_dataset_area(dataset, query.commune_ids)
        points = (DatasetEvent.objects.filter(dataset=dataset, occurred_at__gte=since, occurred_at__lt=until)
                  .values_list("occurred_at", "lat", "lon", "category"))
        rows = [(t, a, b, c, "dataset", dataset.commune_id, -1) for t, a, b, c in points]
        sources = ["dataset"]
        whole_days, zone = dataset.date_only, dataset.time_zone
    else:
        sources = []
        for source in query.sources:
            if source in UNAVAILABLE_SOURCES:
                unavailable[source] = str(UNAVAILABLE_SOURCES[source])
                continue
            if source not in EventSource.values:
                raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _("Source inconnue : %(source)s.") % {
                    "source": source})
            sources.append(source)
            if source == EventSource.REPORTS:
                rows += [(t, a, b, c, source, commune, sector if sector is not None else -1)
                         for _id, t, a, b, c, commune, sector in reports_selectors.analysis_rows(
                             commune_ids=communes, since=since, until=until)]
            elif source == EventSource.INTERVENTIONS:
                rows += [(t, a, b, c, source, commune, None) for _id, t, a, b, c, commune in
                         operations_selectors.intervention_analysis_rows(commune_ids=communes, since=since,
                                                                         until=until)]
            elif source == EventSource.LOGBOOK:
                rows += [(t, a, b, c, source, commune, None) for _id, t, a, b, c, commune in
                         operations_selectors.log_entry_analysis_rows(commune_ids=communes, since=since,
                                                                      until=until)]
        if not sources and not unavailable:
            raise AnalysisInputError(AnalyticsErrorCode.PARAMETER_INVALID, _("Choisissez au moins une source."))
    if query.categories:
        wanted = set(query.categories)
        rows = [r for r in rows if r[3] in wanted]
    lat = np.array([r[1] for r in rows], dtype=float)
    lon = np.array([r[2] for r in rows], dtype=float)
    commune_id = np.array([r[5] for r in rows], dtype=np.int64)
    sector = np.array([-1 if r[6] is None else r[6] for r in rows], dtype=np.int64)
    missing = np.array([r[6] is None for r in rows], dtype=bool)
    x, y, crs = project(lat, lon)
    if protected and len(rows):
        x, y = disclosure.snap(x, y)
        lon, lat = transform(crs, WGS84, x, y)
        missing[:] = True
    if missing.any():
        sector[missing] = territory_selectors.sectors_of_points(lats=lat[missing], lons=lon[missing],
                                                                commune_ids=commune_id[missing])
    result = EventSet(
        lat=lat, lon=lon, x=np.asarray(x), y=np.asarray(y),
        seconds=np.array([int(r[0].timestamp()) for r in rows], dtype=np.int64),
        category=np.array([r[3] or "" for r in rows], dtype=object),
        source=np.array([r[4] for r in rows], dtype=object),
        commune_id=commune_id, sector_id=sector, crs=crs, since=since, until=until, sources=sources,
        unavailable=unavailable, whole_days=whole_days, zone=zone)
    if query.sector_ids:
        result = result.subset(np.isin(result.sector_id, query.sector_ids))
    return result


# --- Runs and datasets ----------------------------------------------------------------------------

def run_get_for_actor(*, actor: Actor, run_id: str) -> AnalysisRun:
    """A run the actor asked for, or one on communes they may all analyse; a run that places events more finely
    than the protected form only for those who may see each of its sources event by event (``disclosure``)."""
    run = AnalysisRun.objects.filter(pk=run_id).first() if _is_uuid(run_id) else None
    if run is None:
        raise NotFoundError(message=_("Analyse introuvable."))
    if not disclosure.may_read_run(actor, run) or (run.result and not disclosure.check_result(run.result)):
        raise NotFoundError(message=_("Analyse introuvable."))
    return run


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def run_list_for_actor(*, actor: Actor, limit: int = 20) -> list[AnalysisRun]:
    """The actor's latest runs they may still read (a detailed run of a dataset they no longer see one by one is
    left out, as its page would be)."""
    runs = AnalysisRun.objects.filter(created_by=actor.agent).order_by("-created_at")[:limit]
    return [run for run in runs if disclosure.may_read_run(actor, run)]


def dataset_list_for_actor(*, actor: Actor) -> QuerySet[Dataset]:
    """The datasets of the communes the actor may analyse, with the dates of their first and last events."""
    return (Dataset.objects.filter(commune_id__in=actor.commune_ids(Permission.ANALYTICS_VIEW))
            .select_related("commune", "created_by")
            .annotate(first_event=Min("points__occurred_at"), last_event=Max("points__occurred_at")))


def dataset_get_for_actor(*, actor: Actor, dataset_id: int) -> Dataset:
    dataset = Dataset.objects.filter(pk=dataset_id).select_related("commune").first()
    if dataset is None or not actor.can(Permission.ANALYTICS_VIEW, dataset.commune_id):
        raise NotFoundError(message=_("Jeu de données introuvable."))
    return dataset


def require_dataset_area(dataset: Dataset, commune_ids: list[int]) -> None:
    """A dataset covers its own commune: its analysis is over that commune, and that commune alone."""
    if list(commune_ids) != [dataset.commune_id]:
        raise AnalysisInputError(AnalyticsErrorCode.DATASET_OTHER_COMMUNE, _(
            "Le jeu de données « %(name)s » ne couvre que la commune de %(commune)s : l'analyse porte sur cette "
            "seule commune.") % {"name": dataset.name, "commune": dataset.commune.name}, field="dataset_id")


def dataset_first_event(*, actor: Actor, dataset_id: int) -> datetime | None:
    """When the dataset's first event happened: before it, the dataset says nothing (not zero)."""
    dataset = dataset_get_for_actor(actor=actor, dataset_id=dataset_id)
    first: datetime | None = DatasetEvent.objects.filter(dataset=dataset).aggregate(first=Min("occurred_at"))["first"]
    return first


# --- Indicators by phase ------------------------------------------------------------------------

def phase_indicators(*, actor: Actor, commune_ids: list[int], start: date, end: date) -> dict[str, Any]:
    """Avant / pendant / après figures per commune for [start, end] and the period of equal length before it.

    An indicator whose source module does not exist yet says so (``available: False`` and why); it is
    never shown as zero.
    """
    communes = analysable_communes(actor, commune_ids)
    since, until = period_bounds(start, end)
    length = until - since
    previous = (since - length, since)
    names = territory_selectors.commune_names(commune_ids=communes)
    result = []
    for commune_id in sorted(communes, key=lambda c: names.get(c, "")):
        scope = {commune_id}
        police_hidden = bool(disclosure.hidden_sources(actor, sources=[EventSource.INTERVENTIONS], commune_ids=scope))
        reports_hidden = bool(disclosure.hidden_sources(actor, sources=[EventSource.REPORTS], commune_ids=scope))
        current_delays = _masked_figures(operations_selectors.response_delay_figures(
            commune_ids=scope, since=since, until=until), police_hidden, DELAY_FIGURES)
        previous_delays = _masked_figures(operations_selectors.response_delay_figures(
            commune_ids=scope, since=previous[0], until=previous[1]), police_hidden, DELAY_FIGURES)
        current_reports = _masked_figures(_with_resolved_share(reports_selectors.resolution_figures(
            commune_ids=scope, since=since, until=until)), reports_hidden, REPORT_FIGURES)
        previous_reports = _masked_figures(_with_resolved_share(reports_selectors.resolution_figures(
            commune_ids=scope, since=previous[0], until=previous[1])), reports_hidden, REPORT_FIGURES)
        result.append({
            "commune_id": commune_id, "commune": names.get(commune_id, ""),
            "avant": [
                *_otv_indicators(actor, commune_id, since, until, previous),
                *_participation_figures(actor, commune_id, since, until, previous[0]),
            ],
            "pendant": [
                _figure("interventions", _("Interventions"), current_delays["interventions"],
                        previous_delays["interventions"], ""),
                _figure("response_p50", _("Délai d'intervention médian (appel → sur place)"),
                        current_delays["intervention_p50_min"], previous_delays["intervention_p50_min"], "min",
                        better=LOWER),
                _figure("response_p90", _("Délai d'intervention, 90e centile"),
                        current_delays["intervention_p90_min"], previous_delays["intervention_p90_min"], "min",
                        better=LOWER),
                _figure("engage_p50", _("Délai de prise en compte médian (appel → engagement)"),
                        current_delays["prise_en_compte_p50_min"], previous_delays["prise_en_compte_p50_min"], "min",
                        better=LOWER),
            ],
            "apres": [
                _figure("reports", _("Signalements reçus"), current_reports["received"], previous_reports["received"],
                        ""),
                _figure("resolution_p50", _("Délai de résolution médian des signalements"),
                        current_reports["median_hours"], previous_reports["median_hours"], "h", better=LOWER),
                _figure("resolution_rate", _("Part des signalements résolus"),
                        _percent(current_reports["resolved_share"]), _percent(previous_reports["resolved_share"]), "%",
                        better=HIGHER),
                _figure("overdue_share", _("Part des signalements hors délai"),
                        _percent(current_reports["overdue_share"]), _percent(previous_reports["overdue_share"]), "%",
                        better=LOWER),
                _unavailable("extractions", _("Extractions vidéo pour enquête"),
                             _("le module de vidéoprotection (registre des extractions) n'est pas encore installé")),
            ],
        })
    return {"start": start.isoformat(), "end": end.isoformat(),
            "previous_start": previous[0].date().isoformat(),
            "previous_end": (previous[1] - timedelta(days=1)).date().isoformat(), "communes": result}


# --- OTV indicators (prevention app): counts only; coarsened to fives and masked under 5 for readers who may not
# see the homes (an élu: PREVENTION_VIEW is for the police municipale and the supervision centre).


def _otv_count(value: int, hidden: bool) -> int | str:
    if not hidden:
        return value
    return MASKED if value < disclosure.MIN_COUNT else 5 * round(value / 5)


def _otv_indicators(actor: Actor, commune_id: int, since: datetime, until: datetime,
                    previous: tuple[datetime, datetime]) -> list[dict[str, Any]]:
    hidden = not actor.can(Permission.PREVENTION_VIEW, commune_id)
    current = prevention_selectors.otv_indicator_counts(commune_ids={commune_id}, since=since, until=until)
    before = prevention_selectors.otv_indicator_counts(commune_ids={commune_id}, since=previous[0],
                                                       until=previous[1])
    return [_figure("otv_homes", _("Logements suivis (Opération Tranquillité Vacances)"),
                    _otv_count(current["homes"], hidden), _otv_count(before["homes"], hidden), ""),
            _figure("otv_passages", _("Passages de patrouille aux logements OTV"),
                    _otv_count(current["passages"], hidden), _otv_count(before["passages"], hidden), "")]


# figure -> the count it is computed from: masked for those who may not see the events one by one when that count
# is under 5 (a median of three delays is three delays).
DELAY_FIGURES = {"interventions": "interventions", "intervention_p50_min": "intervention_n",
                 "intervention_p90_min": "intervention_n", "prise_en_compte_p50_min": "prise_en_compte_n"}
REPORT_FIGURES = {"received": "received", "median_hours": "closed", "overdue_share": "with_due_date",
                  "resolved_share": "received"}
# Which way an indicator is better: its delay falls (LOWER), its share of reports resolved rises (HIGHER); a count
# of interventions or reports is neither (more may mean more activity as much as more trouble).
LOWER, HIGHER = "lower", "higher"


def _with_resolved_share(figures: dict[str, Any]) -> dict[str, Any]:
    """The share of the period's reports already closed (resolved), beside the resolution figures."""
    received = figures.get("received") or 0
    return figures | {"resolved_share": round(figures["closed"] / received, 3) if received else None}


def _masked_figures(figures: dict[str, Any], hidden: bool, basis: dict[str, str]) -> dict[str, Any]:
    if not hidden:
        return figures
    result = dict(figures)
    for name, count in basis.items():
        if figures.get(count) is not None and figures[count] < disclosure.MIN_COUNT:
            result[name] = MASKED
    return result


MASKED = "masked"


def _percent(value: float | str | None) -> float | str | None:
    if isinstance(value, str):  # MASKED
        return value

    return None if value is None else round(100 * value, 1)


def _figure(key: str, label: str, current: Any, previous: Any, unit: str, *,
            better: str | None = None) -> dict[str, Any]:
    """One indicator with its previous value, its change, which way is better (``LOWER``, ``HIGHER`` or None)
    and whether the change went that way."""
    masked = {"value_masked": current == MASKED, "previous_masked": previous == MASKED}
    base = {"key": key, "label": str(label), "available": True, "unit": unit, "direction": better}
    if MASKED in (current, previous):
        return base | {"value": None if current == MASKED else current,
                       "previous": None if previous == MASKED else previous, "change_pct": None,
                       "better": None} | masked
    change = None
    if current is not None and previous is not None and previous != 0:
        change = round(100 * (current - previous) / previous, 1)
    improved = None
    if better is not None and current is not None and previous is not None and current != previous:
        improved = (current < previous) == (better == LOWER)
    return base | {"value": current, "previous": previous, "change_pct": change, "better": improved} | masked


def _participation_figures(actor: Actor, commune_id: int, since: datetime, until: datetime,
                           previous_since: datetime) -> list[dict[str, Any]]:
    """Referents in office at the end of each period, observations received in it (prevention's selectors); small
    counts masked for who may not see the records."""
    counts = prevention_indicators.avant_counts(actor=actor, commune_id=commune_id, since=since, until=until,
                                                  previous_since=previous_since)

    def shown(value: int, hidden: bool) -> int | str:
        return MASKED if hidden and value < disclosure.MIN_COUNT else value
    labels = {"referents": _("Référents de participation citoyenne"),
              "observations": _("Observations des référents")}
    return [_figure(key, labels[key], shown(current, hidden), shown(before, hidden), "")
            for key, (current, before, hidden) in counts.items()]


def _unavailable(key: str, label: str, reason: str) -> dict[str, Any]:
    return {"key": key, "label": str(label), "available": False, "reason": str(reason)}


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
