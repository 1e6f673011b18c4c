from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from confiance.core.errors import ApplicationError
from confiance.core.geo import valid_lat_lon
from confiance.core.parsing import BoundedPagination, DbId
from confiance.territory.errors import TerritoryErrorCode
from confiance.territory.schemas import (
    CommuneDetailOut,
    CommuneOut,
    LocationOut,
    SectorOut,
    ZoneCreate,
    ZoneOut,
)
from confiance.territory.selectors import (
    commune_get_for_actor,
    commune_list_for_actor,
    location_describe,
    sector_list_for_actor,
    zone_get_for_actor,
    zone_list_for_actor,
)
from confiance.territory.services import zone_create, zone_delete

router = Router(tags=["territoire"])


class PointQuery(Schema):
    lat: float
    lon: float


@router.get("/communes", response=list[CommuneOut], summary="Communes visibles par l'agent")
@paginate(BoundedPagination)
def communes(request):
    return commune_list_for_actor(actor=request.auth)


@router.get("/communes/{insee_code}", response=CommuneDetailOut, summary="Une commune, avec son contour")
def commune_detail(request, insee_code: str):
    return commune_get_for_actor(actor=request.auth, insee_code=insee_code)


@router.get("/communes/{insee_code}/sectors", response=list[SectorOut], summary="Secteurs d'une commune")
@paginate(BoundedPagination)
def commune_sectors(request, insee_code: str):
    commune = commune_get_for_actor(actor=request.auth, insee_code=insee_code)
    return sector_list_for_actor(actor=request.auth, commune_ids={commune.pk})


@router.get("/locate", response=LocationOut, summary="Commune et secteur d'un point WGS84")
def locate(request, point: Query[PointQuery]):
    if not valid_lat_lon(point.lat, point.lon):
        raise ApplicationError(TerritoryErrorCode.POINT_INVALID, "Latitude ou longitude hors limites.",
                               details={"lat": point.lat, "lon": point.lon})
    return location_describe(lat=point.lat, lon=point.lon)


@router.get("/zones", response=list[ZoneOut], summary="Zones nommées visibles")
@paginate(BoundedPagination)
def zones(request):
    return zone_list_for_actor(actor=request.auth)


@router.post("/zones", response={201: ZoneOut}, summary="Créer une zone nommée")
def create_zone(request, payload: ZoneCreate):
    commune = commune_get_for_actor(actor=request.auth, insee_code=payload.commune_insee)
    zone = zone_create(actor=request.auth, commune=commune, name=payload.name, kind=payload.kind,
                       geometry=payload.geometry, description=payload.description)
    return Status(201, zone_get_for_actor(actor=request.auth, zone_id=zone.pk))


@router.get("/zones/{zone_id}", response=ZoneOut, summary="Une zone nommée")
def zone_detail(request, zone_id: DbId):
    return zone_get_for_actor(actor=request.auth, zone_id=zone_id)


@router.delete("/zones/{zone_id}", response={204: None}, summary="Supprimer une zone nommée")
def delete_zone(request, zone_id: DbId):
    zone_delete(actor=request.auth, zone=zone_get_for_actor(actor=request.auth, zone_id=zone_id))
    return Status(204, None)
