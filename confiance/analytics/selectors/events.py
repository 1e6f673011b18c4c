"""The events to analyse: the query, the point set built from the other apps' selectors (or from an imported
dataset), the period and the communes an actor may analyse."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.analytics import disclosure
from confiance.analytics.choices import UNAVAILABLE_SOURCES, EventSource
from confiance.analytics.errors import AnalysisInputError, AnalyticsErrorCode
from confiance.analytics.models import DatasetEvent
from confiance.analytics.selectors.runs import dataset_get_for_actor, require_dataset_area
from confiance.analytics.stats.points import WGS84, project, transform
from confiance.core.errors import NotFoundError
from confiance.operations import selectors as operations_selectors
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
