"""Writes of the camera registry: register and update a camera (a `Device` of kind camera with its legal record),
grant and revoke individual authorisations, open the VMS link (access log with motive), the public notice.

The law is checked here, whatever the interface: at least one purpose from the closed list of CSI L.251-2, a
retention of 1 to 30 days never above the authorisation's (L.252-5), an authorisation dated in the past whose
5-year validity has not ended (L.252-4), privacy masks as valid polygons. Each save appends a `CameraRevision` (signals
of selectors/public_cameras.py) so the public pages' per-process cache is rebuilt at the next read in every process.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.geo import GeometryError, polygon_from_geojson
from confiance.devices.choices import CameraPurpose, CameraType, DeviceKind, OnvifProfile
from confiance.devices.drafts import CameraDraft
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.models import (
    RETENTION_MAX_DAYS,
    Camera,
    CameraAuthorisation,
    Device,
    VideoProtectionNotice,
)
from confiance.devices.selectors.cameras import (
    authorisation_expiry,
    camera_get_for_actor,
    camera_is_authorised,
)
from confiance.devices.services.registry import device_location_check
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record, audit_record
from confiance.territory.models import Commune

MAX_MASKS = 50
STREAM_MOTIVE_ACTION = "cameras.stream"


def _invalid(code: DevicesErrorCode, message: str, field: str) -> DevicesError:
    return DevicesError(code, message, details={"field": field})


def camera_purposes_check(purposes: tuple[str, ...] | list[str]) -> list[str]:
    """The purposes in the order of the law, refusing any outside CSI L.251-2 and an empty list."""
    allowed = set(CameraPurpose.values)
    given = [str(value) for value in purposes]
    unknown = [value for value in given if value not in allowed]
    if unknown or not given:
        raise _invalid(DevicesErrorCode.CAMERA_PURPOSE_INVALID,
                       _("Choisissez une finalité au moins, dans la liste de l'article L.251-2 du code de la "
                         "sécurité intérieure."), "purposes")
    return [value for value in CameraPurpose.values if value in given]


def camera_retention_check(*, retention_days: int, authorised_days: int) -> None:
    if not 1 <= authorised_days <= RETENTION_MAX_DAYS:
        raise _invalid(DevicesErrorCode.CAMERA_RETENTION_INVALID,
                       _("La durée autorisée est de 1 à 30 jours (article L.252-5)."),
                       "authorisation_retention_days")
    if not 1 <= retention_days <= authorised_days:
        raise _invalid(DevicesErrorCode.CAMERA_RETENTION_INVALID,
                       _("La conservation est de 1 jour au moins et de %(days)d jours au plus (durée de "
                         "l'autorisation, 30 jours au plus).") % {"days": authorised_days}, "retention_days")


def camera_authorisation_check(authorisation_date: date, *, today: date | None = None) -> None:
    """An authorisation already given (not dated in the future) and still valid (its five years not over)."""
    today = today or timezone.localdate()
    if authorisation_date > today:
        raise _invalid(DevicesErrorCode.CAMERA_AUTHORISATION_FUTURE,
                       _("La date de l'autorisation préfectorale ne peut pas être dans le futur."),
                       "authorisation_date")
    if authorisation_expiry(authorisation_date) <= today:
        raise _invalid(DevicesErrorCode.CAMERA_AUTHORISATION_EXPIRED,
                       _("Cette autorisation préfectorale a expiré (validité de 5 ans) : enregistrez son "
                         "renouvellement."), "authorisation_date")


def camera_masks_check(masks) -> list[dict]:
    """Privacy masks as a list of GeoJSON Polygon or MultiPolygon geometries (a FeatureCollection is accepted)."""
    if isinstance(masks, dict) and masks.get("type") == "FeatureCollection":
        masks = [feature.get("geometry") if isinstance(feature, dict) else None
                 for feature in masks.get("features") or []]
    if not isinstance(masks, list | tuple) or len(masks) > MAX_MASKS:
        raise _invalid(DevicesErrorCode.CAMERA_MASK_INVALID,
                       _("Les masques sont une liste de %(max)d polygones au plus.") % {"max": MAX_MASKS},
                       "privacy_masks")
    checked = []
    for geometry in masks:
        try:
            polygon_from_geojson(geometry)
        except GeometryError as error:
            raise _invalid(DevicesErrorCode.CAMERA_MASK_INVALID,
                           _("Masque de confidentialité invalide : %(reason)s.") % {"reason": error},
                           "privacy_masks") from None
        checked.append({"type": geometry["type"], "coordinates": geometry["coordinates"]})
    return checked


def _check(draft: CameraDraft, *, new: bool) -> list[str]:
    purposes = camera_purposes_check(draft.purposes)
    camera_retention_check(retention_days=draft.retention_days,
                           authorised_days=draft.authorisation_retention_days)
    camera_authorisation_check(draft.authorisation_date)
    if draft.camera_type not in CameraType.values:
        raise _invalid(DevicesErrorCode.CAMERA_INVALID, _("Type de caméra inconnu."), "camera_type")
    if draft.onvif_profile and draft.onvif_profile not in OnvifProfile.values:
        raise _invalid(DevicesErrorCode.CAMERA_INVALID, _("Profil ONVIF inconnu."), "onvif_profile")
    if not draft.authorisation_reference.strip():
        raise _invalid(DevicesErrorCode.CAMERA_INVALID, _("La référence de l'autorisation est obligatoire."),
                       "authorisation_reference")
    if draft.vms_url and not draft.vms_url.startswith(("https://", "http://", "rtsp://", "rtsps://")):
        raise _invalid(DevicesErrorCode.CAMERA_INVALID, _("Le lien du flux doit être une adresse https ou rtsp."),
                       "vms_url")
    return purposes


def _legal_fields(draft: CameraDraft, purposes: list[str]) -> dict:
    return {"camera_type": draft.camera_type, "direction_deg": draft.direction_deg, "angle_deg": draft.angle_deg,
            "range_m": draft.range_m, "purposes": purposes,
            "authorisation_reference": draft.authorisation_reference.strip()[:100],
            "authorisation_date": draft.authorisation_date,
            "authorisation_retention_days": draft.authorisation_retention_days,
            "retention_days": draft.retention_days, "privacy_masks": camera_masks_check(list(draft.privacy_masks)),
            "vms_reference": draft.vms_reference[:120], "vms_url": draft.vms_url[:500],
            "onvif_profile": draft.onvif_profile}


def _require_manage(actor: Actor | None, commune_id: int) -> None:
    if actor is not None:  # None: the system (demo loader, a command run by the server's administrator)
        actor.require(Permission.CAMERAS_MANAGE, commune_id)


@transaction.atomic
def camera_register(*, actor: Actor | None, commune: Commune, draft: CameraDraft) -> Camera:
    """A new camera: its device (kind camera, located in the commune) and its legal record."""
    _require_manage(actor, commune.pk)
    purposes = _check(draft, new=True)
    if Device.objects.filter(identifier=draft.identifier).exists():
        raise _invalid(DevicesErrorCode.CAMERA_INVALID, _("Cet identifiant est déjà pris."), "identifier")
    sector_id = device_location_check(commune_id=commune.pk, lat=draft.lat, lon=draft.lon)
    device = Device.objects.create(
        commune=commune, identifier=draft.identifier, name=draft.name[:200], kind=DeviceKind.CAMERA,
        lat=draft.lat, lon=draft.lon, address=draft.address[:300], sector_id=sector_id, reporting_interval_s=3600)
    camera = Camera.objects.create(device=device, **_legal_fields(draft, purposes))
    audit_record(actor=actor, action="cameras.register", target=camera, commune_id=commune.pk,
                 extra={"identifier": device.identifier, "purposes": purposes,
                        "authorisation": camera.authorisation_reference})
    return camera


@transaction.atomic
def camera_update(*, actor: Actor | None, camera_id: int, draft: CameraDraft) -> Camera:
    """New legal record of a camera (renewed authorisation, purposes, retention, masks, VMS) and location."""
    camera = Camera.objects.select_for_update(of=("self",), no_key=True).select_related("device").get(pk=camera_id)
    _require_manage(actor, camera.device.commune_id)
    purposes = _check(draft, new=False)
    device = camera.device
    device.sector_id = device_location_check(commune_id=device.commune_id, lat=draft.lat, lon=draft.lon)
    device.name, device.lat, device.lon, device.address = draft.name[:200], draft.lat, draft.lon, draft.address[:300]
    device.updated_at = timezone.now()
    device.save(update_fields=["name", "lat", "lon", "address", "sector", "updated_at"])
    for name, value in _legal_fields(draft, purposes).items():
        setattr(camera, name, value)
    camera.updated_at = timezone.now()
    camera.save()
    audit_record(actor=actor, action="cameras.update", target=camera, commune_id=device.commune_id,
                 extra={"purposes": purposes, "authorisation": camera.authorisation_reference,
                        "retention_days": camera.retention_days})
    return camera


@transaction.atomic
def camera_authorisation_grant(*, actor: Actor, camera_id: int, agent, valid_until: datetime | None = None,
                               valid_from: datetime | None = None) -> CameraAuthorisation:
    """Authorise one agent, of the camera's commune, to view and export its images."""
    camera = camera_get_for_actor(actor=actor, camera_id=camera_id, permission=Permission.CAMERAS_MANAGE)
    commune_id = camera.device.commune_id
    if not Actor(agent=agent).can(Permission.CAMERAS_VIEW, commune_id):
        raise _invalid(DevicesErrorCode.CAMERA_INVALID,
                       _("Cet agent n'a pas accès au registre des caméras de cette commune."), "agent")
    start = valid_from or timezone.now()
    if valid_until is not None and valid_until <= start:
        raise _invalid(DevicesErrorCode.CAMERA_INVALID, _("La fin de l'habilitation doit suivre son début."),
                       "valid_until")
    grant = CameraAuthorisation.objects.create(camera=camera, agent=agent, granted_by=actor.agent,
                                               valid_from=start, valid_until=valid_until)
    audit_record(actor=actor, action="cameras.authorisation_grant", target=grant, commune_id=commune_id,
                 extra={"camera": camera.device.identifier, "agent": agent.get_username(),
                        "until": valid_until.isoformat() if valid_until else None})
    return grant


@transaction.atomic
def camera_authorisation_revoke(*, actor: Actor, authorisation_id: int) -> CameraAuthorisation:
    grant = (CameraAuthorisation.objects.select_for_update(of=("self",), no_key=True)
             .select_related("camera__device", "agent").filter(pk=authorisation_id).first())
    if grant is None:
        raise DevicesError(DevicesErrorCode.CAMERA_INVALID, _("Habilitation introuvable."), status_code=404)
    camera_get_for_actor(actor=actor, camera_id=grant.camera_id, permission=Permission.CAMERAS_MANAGE)
    if grant.revoked_at is None:
        grant.revoked_at, grant.revoked_by = timezone.now(), actor.agent
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action="cameras.authorisation_revoke", target=grant,
                     commune_id=grant.camera.device.commune_id,
                     extra={"camera": grant.camera.device.identifier, "agent": grant.agent.get_username()})
    return grant


@transaction.atomic
def camera_stream_open(*, actor: Actor, camera_id: int, motive: str, export: bool = False) -> str:
    """The VMS link of a camera for an individually authorised agent, after writing the view (or export) to the
    access log with its motive. Anyone else gets a refusal and nothing is logged as viewed."""
    camera = camera_get_for_actor(actor=actor, camera_id=camera_id)
    if not camera_is_authorised(agent=actor.agent, camera=camera):
        raise DevicesError(DevicesErrorCode.CAMERA_NOT_AUTHORISED,
                           _("Vous n'êtes pas habilité individuellement sur cette caméra."), status_code=403)
    if not camera.vms_url:
        raise DevicesError(DevicesErrorCode.CAMERA_NO_STREAM, _("Aucun lien de flux n'est déclaré pour cette "
                                                                "caméra."), status_code=409)
    access_log_record(actor=actor, target=camera, motive=motive, motive_code=AccessMotive.VIDEO,
                      extra={"what": "export" if export else "view", "camera": camera.device.identifier,
                             "vms_reference": camera.vms_reference})
    return camera.vms_url


@transaction.atomic
def notice_save(*, actor: Actor | None, commune: Commune, controller: str, dpo_contact: str, panel_text: str,
                detailed_notice: str, controller_address: str = "", rights_contact: str = "") -> VideoProtectionNotice:
    """The commune's public information about its cameras (controller, DPO, panel text, detailed notice)."""
    _require_manage(actor, commune.pk)
    if not controller.strip() or not dpo_contact.strip() or not panel_text.strip():
        raise _invalid(DevicesErrorCode.CAMERA_INVALID,
                       _("Le responsable, le contact du DPO et le texte des panneaux sont obligatoires."),
                       "controller")
    notice, _created = VideoProtectionNotice.objects.update_or_create(commune=commune, defaults={
        "controller": controller[:200], "controller_address": controller_address[:300],
        "dpo_contact": dpo_contact[:300], "rights_contact": rights_contact[:300], "panel_text": panel_text[:600],
        "detailed_notice": detailed_notice[:20_000], "updated_at": timezone.now()})
    audit_record(actor=actor, action="cameras.notice_save", target=notice, commune_id=commune.pk)
    return notice
