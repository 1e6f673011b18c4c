"""Camera API under /api/v1/devices/cameras: the registry (no stream link), its Smart Data Models `Camera` export,
the stream link behind a motive for the individually authorised, and the register of extractions (CAMERAS_EXTRACT).
"""

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from confiance.accounts.choices import Permission
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.parsing import BoundedPagination, DbId, ParseError, check_datetime
from confiance.devices.choices import CameraPurpose
from confiance.devices.drafts import ExtractionDraft, MediumDraft
from confiance.devices.schemas import (
    CameraOut,
    CameraQuery,
    DeliveryIn,
    ExtractionIn,
    ExtractionOut,
    SdmQuery,
    StreamIn,
    StreamOut,
)
from confiance.devices.selectors.cameras import (
    authorisation_expiry,
    authorisation_state,
    authorised_camera_ids,
    camera_get_for_actor,
    camera_list_for_actor,
    extraction_get_for_actor,
    extraction_is_urgent,
    extraction_list_for_actor,
    extraction_purge_deadline,
)
from confiance.devices.services.cameras import camera_stream_open
from confiance.devices.services.extractions import extraction_deliver, extraction_record, extraction_release_hold
from confiance.devices.smart_data import camera_entity
from confiance.territory.selectors import commune_list_for_actor

router = Router(tags=["Vidéoprotection"])


def _commune(request: HttpRequest, insee_code: str | None, permission: Permission):
    if not insee_code:
        return None
    commune = commune_list_for_actor(actor=request.auth, permission=permission).filter(
        insee_code=insee_code, pk__in=request.auth.commune_ids(permission)).first()
    if commune is None:
        raise NotFoundError(message=_("Commune inconnue ou hors de vos droits : %(code)s.") % {"code": insee_code})
    return commune


def _camera_out(camera, today, authorised: set[int]) -> dict:
    labels = dict(CameraPurpose.choices)
    state = authorisation_state(camera, today)
    device = camera.device
    return {"id": camera.pk, "identifier": device.identifier, "name": device.name,
            "commune_insee": device.commune.insee_code, "commune_name": device.commune.name, "lat": device.lat,
            "lon": device.lon, "address": device.address, "camera_type": camera.camera_type,
            "direction_deg": camera.direction_deg, "angle_deg": camera.angle_deg, "range_m": camera.range_m,
            "purposes": list(camera.purposes), "purpose_labels": [str(labels[p]) for p in camera.purposes
                                                                  if p in labels],
            "authorisation_reference": camera.authorisation_reference,
            "authorisation_date": camera.authorisation_date,
            "authorisation_expiry": authorisation_expiry(camera.authorisation_date),
            "authorisation_state": state.value, "authorisation_state_label": str(state.label),
            "authorisation_retention_days": camera.authorisation_retention_days,
            "retention_days": camera.retention_days, "privacy_mask_count": len(camera.privacy_masks or []),
            "authorised": camera.pk in authorised}


def _cameras(request, query: CameraQuery):
    commune = _commune(request, query.commune, Permission.CAMERAS_VIEW)
    return camera_list_for_actor(actor=request.auth, commune_id=commune.pk if commune else None)


@router.get("/cameras", response=list[CameraOut], summary="Caméras de vidéoprotection (sans lien de flux)")
@paginate(BoundedPagination)
def cameras(request, query: Query[CameraQuery]):
    return _CameraPage(request, _cameras(request, query))


class _CameraPage:
    """A lazily sliced list of cameras rendered with the actor's individual authorisations (one query each)."""

    def __init__(self, request, rows) -> None:
        self.request, self.rows = request, rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        page = list(self.rows[window])
        authorised = authorised_camera_ids(agent=self.request.auth.agent, camera_ids=[c.pk for c in page])
        today = timezone.localdate()
        return [_camera_out(camera, today, authorised) for camera in page]


@router.get("/cameras/sdm", response=list[dict], summary="Caméras au format Smart Data Models « Camera »")
def cameras_sdm(request, query: Query[SdmQuery]):
    rows = _cameras(request, CameraQuery(commune=query.commune))
    page = rows[query.offset:query.offset + query.limit]
    return JsonResponse([camera_entity(camera) for camera in page], safe=False)


@router.get("/cameras/extractions", response=list[ExtractionOut], summary="Registre des extractions")
@paginate(BoundedPagination)
def extractions(request, commune: str | None = Query(None, max_length=10)):
    if not request.auth.can_anywhere(Permission.CAMERAS_EXTRACT):
        raise ApplicationError("permission_denied", _("Le registre des extractions est réservé."), status_code=403)
    found = _commune(request, commune, Permission.CAMERAS_EXTRACT)
    return _ExtractionPage(extraction_list_for_actor(actor=request.auth, commune_id=found.pk if found else None))


def _extraction_out(extraction, now) -> dict:
    return {"id": extraction.pk, "commune_insee": extraction.commune.insee_code,
            "officer_name": extraction.officer_name, "officer_service": extraction.officer_service,
            "requisition_reference": extraction.requisition_reference, "requested_at": extraction.requested_at,
            "span_start": extraction.span_start, "span_end": extraction.span_end, "status": extraction.status,
            "status_label": extraction.get_status_display(), "delivered_at": extraction.delivered_at,
            "hold_in_force": extraction.hold_released_at is None,
            "purge_deadline": extraction_purge_deadline(extraction), "urgent": extraction_is_urgent(extraction, now),
            "camera_ids": sorted(camera.pk for camera in extraction.cameras.all()),
            "media": [{"file_name": medium.file_name, "sha256": medium.sha256} for medium in extraction.media.all()]}


class _ExtractionPage(_CameraPage):
    def __init__(self, rows) -> None:
        self.rows = rows

    def __getitem__(self, window):
        now = timezone.now()
        return [_extraction_out(extraction, now) for extraction in self.rows[window]]


@router.get("/cameras/{int:camera_id}", response=CameraOut, summary="Une caméra")
def camera_detail(request, camera_id: DbId):
    camera = camera_get_for_actor(actor=request.auth, camera_id=camera_id)
    return _camera_out(camera, timezone.localdate(), authorised_camera_ids(agent=request.auth.agent,
                                                                           camera_ids=[camera.pk]))


@router.get("/cameras/{int:camera_id}/sdm", response=dict, summary="Une caméra au format Smart Data Models")
def camera_sdm(request, camera_id: DbId):
    return JsonResponse(camera_entity(camera_get_for_actor(actor=request.auth, camera_id=camera_id)))


@router.post("/cameras/{int:camera_id}/stream", response=StreamOut,
             summary="Lien du flux (agents habilités ; consultation journalisée avec son motif)")
def camera_stream(request, camera_id: DbId, body: StreamIn):
    return {"url": camera_stream_open(actor=request.auth, camera_id=camera_id, motive=body.motive,
                                      export=body.export)}


def _bounded(moment, field: str):
    try:
        return check_datetime(moment)
    except ParseError as error:
        raise ApplicationError("invalid_input", str(error), details={"field": field}) from None


@router.post("/cameras/extractions", response={201: ExtractionOut}, summary="Enregistrer une réquisition")
def extraction_create(request, body: ExtractionIn):
    commune = _commune(request, body.commune, Permission.CAMERAS_EXTRACT)
    if commune is None:
        raise ApplicationError("invalid_input", _("Indiquez la commune de la réquisition."),
                               details={"field": "commune"})
    draft = ExtractionDraft(officer_name=body.officer_name, officer_service=body.officer_service,
                            requisition_reference=body.requisition_reference, camera_ids=tuple(body.camera_ids),
                            span_start=_bounded(body.span_start, "span_start"),
                            span_end=_bounded(body.span_end, "span_end"))
    extraction = extraction_record(actor=request.auth, commune=commune, draft=draft)
    return Status(201, _extraction_out(extraction_get_for_actor(actor=request.auth, extraction_id=extraction.pk),
                                       timezone.now()))


@router.post("/cameras/extractions/{int:extraction_id}/delivery", response=ExtractionOut,
             summary="Enregistrer la remise des images (noms de fichiers et SHA-256)")
def extraction_delivery(request, extraction_id: DbId, body: DeliveryIn):
    extraction_deliver(actor=request.auth, extraction_id=extraction_id,
                       media=[MediumDraft(file_name=item.file_name, sha256=item.sha256) for item in body.media])
    return _extraction_out(extraction_get_for_actor(actor=request.auth, extraction_id=extraction_id),
                           timezone.now())


@router.post("/cameras/extractions/{int:extraction_id}/release", response=ExtractionOut,
             summary="Lever le gel des images")
def extraction_release(request, extraction_id: DbId):
    extraction_release_hold(actor=request.auth, extraction_id=extraction_id)
    return _extraction_out(extraction_get_for_actor(actor=request.auth, extraction_id=extraction_id),
                           timezone.now())
