"""Reads of the territory, filtered by what the actor may see, and point lookup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from confiance.core.actors import Authorised
from confiance.core.errors import NotFoundError
from confiance.core.geo import IndexedArea, PolygonIndex, h3_cell, polygon_from_geojson
from confiance.core.revisions import RevisionedCache, Revisions, as_revision
from confiance.territory.choices import TERRITORY_VIEW_PERMISSION
from confiance.territory.models import Commune, CrisisSharing, Sector, TerritoryRevision, Zone
from confiance.territory.sql import crisis_sharing_members


def commune_list_for_actor(*, actor: Authorised, permission: str = TERRITORY_VIEW_PERMISSION) -> QuerySet[Commune]:
    """The communes the actor may see, by name."""
    return (Commune.objects.filter(pk__in=actor.commune_ids(permission))
            .select_related("intercommunality").order_by("name"))


def commune_get_for_actor(*, actor: Authorised, insee_code: str) -> Commune:
    """One commune the actor may see, by INSEE code, or NotFoundError."""
    commune = commune_list_for_actor(actor=actor).filter(insee_code=insee_code).first()
    if commune is None:
        raise NotFoundError(message="Commune introuvable.")
    return commune


def commune_codes(*, commune_ids: set[int]) -> dict[int, str]:
    """INSEE code of each commune id."""
    return dict(Commune.objects.filter(pk__in=commune_ids).values_list("id", "insee_code"))


def sector_list_for_actor(*, actor: Authorised, commune_ids: set[int] | None = None) -> QuerySet[Sector]:
    visible = actor.commune_ids(TERRITORY_VIEW_PERMISSION)
    if commune_ids is not None:
        visible = visible & frozenset(commune_ids)
    return Sector.objects.filter(commune_id__in=visible).select_related("commune").order_by("commune__name", "name")


def zone_list_for_actor(*, actor: Authorised, commune_ids: set[int] | None = None) -> QuerySet[Zone]:
    visible = actor.commune_ids(TERRITORY_VIEW_PERMISSION)
    if commune_ids is not None:
        visible = visible & frozenset(commune_ids)
    return Zone.objects.filter(commune_id__in=visible).select_related("commune").order_by("commune__name", "name")


def zone_get_for_actor(*, actor: Authorised, zone_id: int) -> Zone:
    zone = zone_list_for_actor(actor=actor).filter(pk=zone_id).first()
    if zone is None:
        raise NotFoundError(message="Zone introuvable.")
    return zone


def territory_feature_collection(*, actor: Authorised) -> dict[str, Any]:
    """Communes, sectors and zones the actor may see, as one GeoJSON FeatureCollection for the map."""
    features = []
    for commune in commune_list_for_actor(actor=actor):
        features.append(_feature(commune.geometry, layer="commune", name=commune.name, code=commune.insee_code))
    for sector in sector_list_for_actor(actor=actor):
        features.append(_feature(sector.geometry, layer="sector", name=sector.name, code=sector.code,
                                 commune=sector.commune.name))
    for zone in zone_list_for_actor(actor=actor):
        features.append(_feature(zone.geometry, layer="zone", name=zone.name, code=str(zone.pk),
                                 commune=zone.commune.name, kind=zone.get_kind_display()))
    return {"type": "FeatureCollection", "features": features}


def public_commune_collection() -> dict[str, Any]:
    """Outlines of every commune served (public data), for the citizens' map."""
    features = [_feature(geometry, layer="commune", name=name, code=code)
                for code, name, geometry in Commune.objects.order_by("name").values_list("insee_code", "name",
                                                                                            "geometry")]
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: dict, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


# --- Point -> commune and sector ------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where a point falls: its commune and sector, when any."""

    commune_id: int | None
    sector_id: int | None


@dataclass(frozen=True)
class TerritoryIndexes:
    """Prepared indexes of one territory revision: communes by id, sectors by (sector id, commune id)."""

    communes: PolygonIndex
    sectors: PolygonIndex


def _territory_indexes(revisions: Revisions) -> TerritoryIndexes:
    return TerritoryIndexes(
        communes=PolygonIndex([IndexedArea(pk, polygon_from_geojson(geometry))
                               for pk, geometry in Commune.objects.values_list("id", "geometry")]),
        sectors=PolygonIndex([
            IndexedArea((pk, commune_id), polygon_from_geojson(geometry))
            for pk, commune_id, geometry in Sector.objects.values_list("id", "commune_id", "geometry")]),
    )


class TerritoryLocator:
    """Point lookup on the prepared indexes of communes and sectors, rebuilt when the territory changes."""

    def __init__(self) -> None:
        self._indexes = RevisionedCache(TerritoryRevision, build=_territory_indexes)

    def indexes(self, territory_revision: Sequence[Any] | None = None) -> TerritoryIndexes:
        """The indexes of the newest territory revision (read here unless the caller has just read it)."""
        return self._indexes.current((as_revision(territory_revision),) if territory_revision is not None else None)

    @property
    def communes(self) -> PolygonIndex:
        return self.indexes().communes

    def sector_index(self) -> PolygonIndex:
        """The current sector index (keys are (sector id, commune id))."""
        return self.indexes().sectors

    def locate(self, lat: float, lon: float, revision: Sequence[Any] | None = None) -> Location:
        indexes = self.indexes(revision)
        commune_id = indexes.communes.locate(lon, lat) if len(indexes.communes) else None
        sector_id = None
        if commune_id is not None and len(indexes.sectors):
            hit = indexes.sectors.locate(lon, lat)
            if hit is not None and hit[1] == commune_id:
                sector_id = hit[0]
        return Location(commune_id=commune_id, sector_id=sector_id)


territory_locator = TerritoryLocator()


def locate_point(*, lat: float, lon: float, revision: Sequence[Any] | None = None) -> Location:
    """The commune and sector containing a WGS84 point (ids, or None outside the territory).

    `revision`: the newest `TerritoryRevision` (id, created_at) when the caller has just read it.
    """
    return territory_locator.locate(lat, lon, revision)


def location_describe(*, lat: float, lon: float) -> dict[str, Any]:
    """Codes and names of the commune and sector of a point (boundaries are public data)."""
    location = locate_point(lat=lat, lon=lon)
    commune = (Commune.objects.filter(pk=location.commune_id).only("insee_code", "name").first()
               if location.commune_id is not None else None)
    sector = (Sector.objects.filter(pk=location.sector_id).only("code", "name").first()
              if location.sector_id is not None else None)
    return {
        "commune_insee": commune.insee_code if commune else None,
        "commune_name": commune.name if commune else None,
        "sector_code": sector.code if sector else None,
        "sector_name": sector.name if sector else None,
        "h3_cell": h3_cell(lat, lon),
    }


def sectors_of_points(*, lats: np.ndarray, lons: np.ndarray, commune_ids: np.ndarray) -> np.ndarray:
    """The sector id of each point (-1 where none, or where the sector belongs to another commune)."""
    sectors = territory_locator.sector_index()
    result = np.full(len(lats), -1, dtype=np.int64)
    if not len(sectors) or not len(lats):
        return result
    index = sectors.locate_many(np.asarray(lons, float), np.asarray(lats, float))
    found = index >= 0
    keys = [sectors.keys[k] for k in index[found]]
    ids = np.array([k[0] for k in keys], dtype=np.int64)
    owners = np.array([k[1] for k in keys], dtype=np.int64)
    same = owners == np.asarray(commune_ids)[found]
    positions = np.flatnonzero(found)[same]
    result[positions] = ids[same]
    return result


def sector_labels(*, commune_ids: set[int] | frozenset[int]) -> dict[int, tuple[str, str, str]]:
    """Sector id -> (code, name, INSEE code of its commune), public boundary data."""
    return {pk: (code, name, insee) for pk, code, name, insee in
            Sector.objects.filter(commune_id__in=commune_ids).values_list("id", "code", "name", "commune__insee_code")}


def commune_geometries(*, commune_ids: set[int] | frozenset[int]) -> dict[int, dict]:
    """Commune id -> GeoJSON geometry (public)."""
    return dict(Commune.objects.filter(pk__in=commune_ids).values_list("id", "geometry"))


def sector_geometries(*, commune_ids: set[int] | frozenset[int]) -> dict[int, dict]:
    """Sector id -> GeoJSON geometry (public)."""
    return dict(Sector.objects.filter(commune_id__in=commune_ids).values_list("id", "geometry"))


def commune_names(*, commune_ids: set[int] | frozenset[int]) -> dict[int, str]:
    return dict(Commune.objects.filter(pk__in=commune_ids).values_list("id", "name"))


# --- Crisis sharing -----------------------------------------------------------------------------


def crisis_sharing_active_q(at: datetime | None = None) -> Q:
    """The crisis sharings in force at `at` (now by default): started, and not ended at that instant."""
    at = at or timezone.now()
    return Q(started_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def crisis_sharing_active_list(at: datetime | None = None) -> list[CrisisSharing]:
    """The crisis sharings in force, with their communes."""
    return list(CrisisSharing.objects.filter(crisis_sharing_active_q(at)).prefetch_related("communes"))


def crisis_shared_with(commune_ids: set[int] | frozenset[int], at: datetime | None = None) -> set[int]:
    """Communes that a crisis sharing in force links to any of these communes (them included)."""
    own = set(commune_ids)
    linked = set(own)
    for members in crisis_sharing_members(at).values():
        if members & own:
            linked |= members
    return linked


def communes_touched_by(geometry: Any) -> list[int]:
    """Ids of the communes whose area a drawn zone touches (GeometryError for a zone that cannot be read)."""
    zone = polygon_from_geojson(geometry)
    touched = []
    for commune_id, area in Commune.objects.values_list("id", "geometry"):
        try:
            if polygon_from_geojson(area).intersects(zone):
                touched.append(commune_id)
        except ValueError:  # a commune whose stored outline is unreadable is simply not touched
            continue
    return sorted(touched)
