"""Writes of the territory: GeoJSON import of communes and sectors, named zones, crisis sharings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from confiance.core.actors import Authorised
from confiance.core.geo import GeometryError, IndexedArea, PolygonIndex, h3_cell, polygon_from_geojson
from confiance.core.live import publish_on_commit
from confiance.privacy.services import audit_record
from confiance.territory.choices import (
    CRISIS_DECLARE_PERMISSION,
    TERRITORY_MANAGE_PERMISSION,
    CrisisKind,
    TerritoryLevel,
    ZoneKind,
)
from confiance.territory.errors import TerritoryError, TerritoryErrorCode
from confiance.territory.events import TerritoryImported, ZoneCreated, ZoneDeleted
from confiance.territory.geojson_import import ParsedFeature, parse_features
from confiance.territory.models import Commune, CrisisSharing, Intercommunality, Sector, TerritoryRevision, Zone


@dataclass(frozen=True)
class ImportResult:
    level: str
    created: int
    updated: int


def area_fields(geometry: BaseGeometry) -> dict[str, Any]:
    """GeoJSON, centroid and H3 cell of a polygon, as stored on every area."""
    point = geometry.representative_point() if not geometry.centroid.within(geometry) else geometry.centroid
    return {
        "geometry": mapping(geometry),
        "centroid_lat": point.y,
        "centroid_lon": point.x,
        "h3_cell": h3_cell(point.y, point.x),
    }


def _invalid(errors: list[dict[str, Any]]) -> TerritoryError:
    return TerritoryError(
        TerritoryErrorCode.IMPORT_INVALID,
        f"Import refusé : {len(errors)} erreur(s) ; rien n'a été importé.",
        details={"errors": errors},
    )


@transaction.atomic
def territory_import(
    *, actor: Authorised | None, data: bytes | str | dict, level: str = TerritoryLevel.COMMUNES,
    intercommunality_name: str = "", commune_insee: str = "",
) -> ImportResult:
    """Import communes or sectors from GeoJSON: all of it, or nothing with every fault named."""
    if level not in TerritoryLevel.values:
        raise TerritoryError(TerritoryErrorCode.IMPORT_INVALID, f"Niveau inconnu : {level}.")
    parsed = parse_features(data, level=level)
    if parsed.errors:
        raise _invalid(parsed.errors)
    if level == TerritoryLevel.COMMUNES:
        created, updated = _import_communes(actor, parsed.features, intercommunality_name)
    else:
        created, updated = _import_sectors(actor, parsed.features, commune_insee)
    TerritoryRevision.objects.create(reason=f"import {level}")
    audit_record(actor=actor, action="territory.import", target=("territory", level),
                 extra={"created": created, "updated": updated, "codes": [f.code for f in parsed.features][:500]})
    publish_on_commit(TerritoryImported(level=level, created=created, updated=updated,
                                        level_label=str(TerritoryLevel(level).label)), commune_id=None)
    return ImportResult(level=level, created=created, updated=updated)


def _check_may_manage(actor: Authorised | None, commune_ids: set[int]) -> None:
    if actor is None:
        return  # the system: a command run by whoever administers the server
    refused = [cid for cid in commune_ids if not actor.can(TERRITORY_MANAGE_PERMISSION, cid)]
    if refused:
        actor.require(TERRITORY_MANAGE_PERMISSION, refused[0])


def _import_communes(actor: Authorised | None, features: list[ParsedFeature], grouping: str) -> tuple[int, int]:
    if actor is not None and not actor.agent.is_superuser:
        raise TerritoryError(TerritoryErrorCode.IMPORT_INVALID,
                             "Seul un administrateur de la plateforme importe des communes.", status_code=403)
    intercommunality = None
    if grouping:
        intercommunality, _ = Intercommunality.objects.get_or_create(name=grouping.strip()[:200])
    existing = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=[f.code for f in features])}
    created = updated = 0
    now = timezone.now()
    for feature in features:
        fields = {"name": feature.name, **area_fields(feature.geometry), "updated_at": now}
        if intercommunality is not None:
            fields["intercommunality"] = intercommunality
        commune = existing.get(feature.code)
        if commune is None:
            Commune.objects.create(insee_code=feature.code, **fields)
            created += 1
        else:
            for name, value in fields.items():
                setattr(commune, name, value)
            commune.save()
            updated += 1
    return created, updated


def _parent_commune_ids(features: list[ParsedFeature], commune_insee: str) -> dict[int, int]:
    """feature index -> commune id: from the file, the option, or the commune containing the sector."""
    communes = {c.insee_code: c.pk for c in Commune.objects.only("id", "insee_code")}
    locator = None
    parents: dict[int, int] = {}
    errors = []
    for feature in features:
        code = feature.parent_code or commune_insee
        if code:
            if code not in communes:
                errors.append({"feature": feature.index, "code": feature.code,
                               "message": f"commune {code} inconnue : importez d'abord les communes"})
                continue
            parents[feature.index] = communes[code]
            continue
        if locator is None:
            locator = PolygonIndex([IndexedArea(c.pk, polygon_from_geojson(c.geometry)) for c in Commune.objects.all()])
        point = feature.geometry.representative_point()
        commune_id = locator.locate(point.x, point.y)
        if commune_id is None:
            errors.append({"feature": feature.index, "code": feature.code,
                           "message": "aucune commune ne contient ce secteur ; précisez la propriété \"commune\""})
            continue
        parents[feature.index] = commune_id
    if errors:
        raise _invalid(errors)
    return parents


def _import_sectors(actor: Authorised | None, features: list[ParsedFeature], commune_insee: str) -> tuple[int, int]:
    parents = _parent_commune_ids(features, commune_insee)
    _check_may_manage(actor, set(parents.values()))
    existing = {(s.commune_id, s.code): s for s in Sector.objects.filter(commune_id__in=set(parents.values()))}
    created = updated = 0
    now = timezone.now()
    for feature in features:
        commune_id = parents[feature.index]
        fields = {"name": feature.name, **area_fields(feature.geometry), "updated_at": now}
        sector = existing.get((commune_id, feature.code))
        if sector is None:
            Sector.objects.create(commune_id=commune_id, code=feature.code, **fields)
            created += 1
        else:
            for name, value in fields.items():
                setattr(sector, name, value)
            sector.save()
            updated += 1
    return created, updated


@transaction.atomic
def zone_create(
    *, actor: Authorised | None, commune: Commune, name: str, kind: str, geometry: dict[str, Any], description: str = ""
) -> Zone:
    """Create a named zone in a commune the actor manages."""
    _check_may_manage(actor, {commune.pk})
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise TerritoryError(TerritoryErrorCode.ZONE_INVALID, "Le nom de la zone est requis (200 caractères au plus).",
                             details={"field": "name"})
    if kind not in ZoneKind.values:
        raise TerritoryError(TerritoryErrorCode.ZONE_INVALID, f"Type de zone inconnu : {kind}.",
                             details={"field": "kind", "allowed": list(ZoneKind.values)})
    try:
        polygon = polygon_from_geojson(geometry)
    except GeometryError as exc:
        raise TerritoryError(TerritoryErrorCode.ZONE_INVALID, f"Géométrie refusée : {exc}.",
                             details={"field": "geometry"}) from exc
    try:
        with transaction.atomic():
            zone = Zone.objects.create(commune=commune, name=name, kind=kind, description=description[:5000],
                                       **area_fields(polygon))
    except IntegrityError as exc:
        raise TerritoryError(TerritoryErrorCode.ZONE_NAME_TAKEN, "Une zone porte déjà ce nom dans la commune.",
                             details={"field": "name"}, status_code=409) from exc
    audit_record(actor=actor, action="territory.zone_create", target=zone, extra={"name": name, "kind": kind})
    publish_on_commit(ZoneCreated(zone_id=zone.pk, name=zone.name, kind=zone.kind), commune_id=commune.pk)
    return zone


@transaction.atomic
def zone_delete(*, actor: Authorised | None, zone: Zone) -> None:
    """Delete a named zone."""
    _check_may_manage(actor, {zone.commune_id})
    audit_record(actor=actor, action="territory.zone_delete", target=zone, extra={"name": zone.name})
    publish_on_commit(ZoneDeleted(zone_id=zone.pk, name=zone.name), commune_id=zone.commune_id)
    zone.delete()


# --- Crisis sharing -----------------------------------------------------------------------------


@transaction.atomic
def crisis_start(
    *, actor: Authorised, name: str, commune_ids: Sequence[int], now: datetime | None = None,
    kind: str = CrisisKind.OTHER, zone: dict | None = None,
) -> CrisisSharing:
    """Declare a crisis over several communes (their sharing starts now); the actor must be allowed to declare a
    crisis in each of them."""
    now = now or timezone.now()
    commune_ids = sorted(set(commune_ids))
    if not commune_ids:  # one commune is a crisis of its own; the others join it later (crisis_commune_add)
        raise TerritoryError(TerritoryErrorCode.CRISIS_COMMUNES_TOO_FEW,
                             _("Une crise concerne au moins une commune."), details={"communes": commune_ids})
    for commune_id in commune_ids:
        actor.require(CRISIS_DECLARE_PERMISSION, commune_id)
    name = (name or "").strip()
    if len(name) > 200:
        raise TerritoryError(TerritoryErrorCode.CRISIS_NAME_TOO_LONG, _("Nom : 200 caractères au plus."),
                             details={"length": len(name), "max": 200})
    kind = kind if kind in CrisisKind.values else CrisisKind.OTHER
    name = name or str(CrisisKind(kind).label)
    sharing = CrisisSharing.objects.create(name=name, kind=kind, zone=zone, started_at=now,
                                           started_by_id=actor.agent.pk)
    sharing.communes.set(commune_ids)
    audit_record(actor=actor, action="territory.crisis_start", target=sharing,
                 extra={"communes": commune_ids, "kind": kind})
    return sharing


@transaction.atomic
def crisis_commune_add(*, actor: Authorised, sharing: CrisisSharing, commune_id: int,
                       now: datetime | None = None) -> bool:
    """Widen a crisis in force to one more commune (the actor must declare crises there and in one of its
    communes); False when the commune was already in it."""
    now = now or timezone.now()
    sharing = CrisisSharing.objects.select_for_update(no_key=True).get(pk=sharing.pk)
    if not sharing.active_at(now):
        raise TerritoryError(TerritoryErrorCode.CRISIS_ENDED, _("Cette crise est terminée."))
    members = set(sharing.communes.values_list("id", flat=True))
    actor.require(CRISIS_DECLARE_PERMISSION, commune_id)
    if not any(actor.can(CRISIS_DECLARE_PERMISSION, member) for member in members):
        actor.require(CRISIS_DECLARE_PERMISSION, min(members))
    if commune_id in members:
        return False
    sharing.communes.add(commune_id)
    audit_record(actor=actor, action="territory.crisis_commune_add", target=sharing, extra={"commune": commune_id})
    return True


@transaction.atomic
def crisis_end(*, actor: Authorised, sharing: CrisisSharing, now: datetime | None = None) -> CrisisSharing:
    """End a crisis (once): its sharing stops at this instant. The actor must be allowed to declare a crisis in one
    of its communes (an élu or chef de poste of any of them closes it for all)."""
    now = now or timezone.now()
    sharing = CrisisSharing.objects.select_for_update(no_key=True).get(pk=sharing.pk)
    members = sorted(sharing.communes.values_list("id", flat=True))
    if not any(actor.can(CRISIS_DECLARE_PERMISSION, member) for member in members):
        actor.require(CRISIS_DECLARE_PERMISSION, members[0] if members else 0)
    if sharing.ended_at is None:
        sharing.ended_at = max(now, sharing.started_at)
        sharing.ended_by_id = actor.agent.pk if getattr(actor, "agent", None) else None
        sharing.save(update_fields=["ended_at", "ended_by"])
        audit_record(actor=actor, action="territory.crisis_end", target=sharing)
    return sharing
