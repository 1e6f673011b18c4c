"""Registry API under /api/v1/devices: devices (filters, one device), gateways, Smart Data Models `Device` export."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.parsing import BoundedPagination, DbId
from confiance.devices.schemas import DeviceOut, DeviceQuery, GatewayOut, SdmQuery
from confiance.devices.selectors.registry import (
    DeviceFilters,
    device_detail_for_actor,
    device_list_for_actor,
    gateway_list_for_actor,
)
from confiance.devices.smart_data import device_entity
from confiance.territory.selectors import commune_list_for_actor

router = Router(tags=["Hypervision"])
NGSI_LD_JSON = "application/json"  # key-values with "@context" in the body (NGSI-LD 6.3.5 allows either)


def _commune_ids(request: HttpRequest, insee_code: str | None) -> set[int] | None:
    if not insee_code:
        return None
    commune = (commune_list_for_actor(actor=request.auth, permission=Permission.DEVICES_VIEW)
               .filter(insee_code=insee_code).first())
    if commune is None:
        raise NotFoundError(message=_("Commune inconnue ou hors de vos droits : %(code)s.") % {"code": insee_code})
    return {commune.pk}


def _filters(request: HttpRequest, commune: str | None, kind: str | None, state: str | None = None) -> DeviceFilters:
    return DeviceFilters(commune_ids=_commune_ids(request, commune), kind=kind or "", state=state or "")


@router.get("", response=list[DeviceOut], summary="Capteurs visibles (filtres : commune, type, état)")
@paginate(BoundedPagination)
def devices(request, query: Query[DeviceQuery]):
    return device_list_for_actor(actor=request.auth, filters=_filters(request, query.commune, query.kind,
                                                                      query.state))


@router.get("/gateways", response=list[GatewayOut], summary="Passerelles visibles")
@paginate(BoundedPagination)
def gateways(request, commune: str | None = Query(None, max_length=10)):
    return gateway_list_for_actor(actor=request.auth, commune_ids=_commune_ids(request, commune))


@router.get("/sdm", response=list[dict], summary="Capteurs au format Smart Data Models « Device » (NGSI-LD)")
def devices_sdm(request, query: Query[SdmQuery]):
    rows = device_list_for_actor(actor=request.auth, filters=_filters(request, query.commune, query.kind))
    page = rows[query.offset:query.offset + query.limit]
    return JsonResponse([device_entity(device) for device in page], safe=False, content_type=NGSI_LD_JSON)


@router.get("/{int:device_id}", response=DeviceOut, summary="Un capteur")
def device_detail(request, device_id: DbId):
    return device_detail_for_actor(actor=request.auth, device_id=device_id)


@router.get("/{int:device_id}/sdm", response=dict, summary="Un capteur au format Smart Data Models « Device »")
def device_sdm(request, device_id: DbId):
    return JsonResponse(device_entity(device_detail_for_actor(actor=request.auth, device_id=device_id)),
                        content_type=NGSI_LD_JSON)
