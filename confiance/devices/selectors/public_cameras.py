"""The public registry of a commune's cameras (CSI L.251-2 information of the public), built once per revision.

What is public: location, address, purposes, retention, the authorisation's reference and expiry (flagged when
expired), the camera's direction; the controller, the DPO's contact and the notice. What is never public: the
stream or viewer link, the VMS reference, the ONVIF profile, the privacy masks (they would show which windows are
hidden, and so which are not), the angle and range (they would draw the blind spots), the individual authorisations
and the extractions.

The page of a commune with hundreds of cameras is read by anyone, often: its data, GeoJSON and CSV are built once
per (commune, day, language) and kept per process while the camera revisions and the devices' registry revisions
stay the same (`core.revisions.RevisionedCache`); the day is in the key because an authorisation expires at
midnight without any write.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from confiance.core.exports import SafeWriter
from confiance.core.revisions import RevisionedCache, Revisions
from confiance.devices.choices import AuthorisationState, CameraPurpose
from confiance.devices.models import (
    Camera,
    CameraRevision,
    RegistryRevision,
    VideoProtectionNotice,
)
from confiance.devices.selectors.cameras import authorisation_expiry, authorisation_state
from confiance.territory.models import Commune, TerritoryRevision

MAX_HELD = 2000


@dataclass(frozen=True)
class PublicCamera:
    number: int  # rank in the commune's list, what the panel and the page call it
    name: str
    address: str
    lat: float
    lon: float
    direction_deg: int | None
    purposes: tuple[str, ...]  # labels
    retention_days: int
    authorisation_reference: str
    authorisation_date: date
    authorisation_expiry: date
    state: str
    state_label: str


@dataclass(frozen=True)
class PublicRegistry:
    commune_id: int
    commune_name: str
    insee_code: str
    notice: VideoProtectionNotice | None
    cameras: tuple[PublicCamera, ...]
    expired: int
    expiring: int
    geojson: bytes
    csv: str
    purposes: tuple[str, ...]  # labels of the purposes some camera serves, in the order of the law
    fragments: dict[str, Any]  # rendered pieces kept with the data (the list, the pages), by name; the view's


def _public_camera(number: int, camera: Camera, today: date, labels: dict[str, str]) -> PublicCamera:
    state = authorisation_state(camera, today)
    return PublicCamera(
        number=number, name=camera.device.name, address=camera.device.address, lat=camera.device.lat,
        lon=camera.device.lon, direction_deg=camera.direction_deg,
        purposes=tuple(labels[value] for value in camera.purposes if value in labels),
        retention_days=camera.retention_days, authorisation_reference=camera.authorisation_reference,
        authorisation_date=camera.authorisation_date,
        authorisation_expiry=authorisation_expiry(camera.authorisation_date), state=state.value,
        state_label=str(state.label))


def _geojson(registry_cameras: tuple[PublicCamera, ...], commune: Commune) -> bytes:
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [camera.lon, camera.lat]},
                 "properties": {"number": camera.number, "name": camera.name, "address": camera.address,
                                "direction_deg": camera.direction_deg, "purposes": list(camera.purposes),
                                "retention_days": camera.retention_days,
                                "authorisation_reference": camera.authorisation_reference,
                                "authorisation_expiry": camera.authorisation_expiry.isoformat(),
                                "expired": camera.state == AuthorisationState.EXPIRED,
                                "state": camera.state, "state_label": camera.state_label}}
                for camera in registry_cameras]
    return json.dumps({"type": "FeatureCollection", "commune": commune.name, "insee_code": commune.insee_code,
                       "features": features}, ensure_ascii=False).encode()


def _csv(registry_cameras: tuple[PublicCamera, ...], notice: VideoProtectionNotice | None) -> str:
    buffer = io.StringIO()
    writer = SafeWriter(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("numéro"), _("caméra"), _("adresse"), _("latitude"), _("longitude"), _("finalités"),
                     _("conservation (jours)"), _("autorisation préfectorale"), _("date de l'autorisation"),
                     _("fin de validité"), _("état de l'autorisation"), _("responsable du traitement"),
                     _("contact du DPO")])
    for camera in registry_cameras:
        writer.writerow([camera.number, camera.name, camera.address, f"{camera.lat:.6f}", f"{camera.lon:.6f}",
                         " | ".join(camera.purposes), camera.retention_days, camera.authorisation_reference,
                         camera.authorisation_date.isoformat(), camera.authorisation_expiry.isoformat(),
                         camera.state_label, notice.controller if notice else "",
                         notice.dpo_contact if notice else ""])
    return buffer.getvalue()


def _build_registry(commune: Commune, today: date) -> PublicRegistry:
    labels = {value: str(label) for value, label in CameraPurpose.choices}
    rows = (Camera.objects.filter(device__commune=commune).select_related("device")
            .only("direction_deg", "purposes", "retention_days", "authorisation_reference", "authorisation_date",
                  "device__name", "device__address", "device__lat", "device__lon")
            .order_by("device__name", "pk"))
    cameras = tuple(_public_camera(number, camera, today, labels) for number, camera in enumerate(rows, start=1))
    notice = VideoProtectionNotice.objects.filter(commune=commune).first()
    used = {label for camera in cameras for label in camera.purposes}
    return PublicRegistry(
        commune_id=commune.pk, commune_name=commune.name, insee_code=commune.insee_code, notice=notice,
        cameras=cameras, expired=sum(camera.state == AuthorisationState.EXPIRED for camera in cameras),
        expiring=sum(camera.state == AuthorisationState.EXPIRING for camera in cameras),
        geojson=_geojson(cameras, commune), csv=_csv(cameras, notice),
        purposes=tuple(label for label in labels.values() if label in used), fragments={})


class _PerRevision:
    """The registries built under one set of revisions, by (commune, day, language), and the communes by INSEE
    code and by the slug of their name (a slug two communes share leads nowhere)."""

    def __init__(self, revisions: Revisions) -> None:
        self.revisions = revisions
        self.lock = threading.Lock()
        self.registries: dict[tuple[int, date, str], PublicRegistry] = {}
        communes = list(Commune.objects.only("id", "name", "insee_code").order_by("pk"))
        self.by_code = {commune.insee_code: commune for commune in communes}
        slugs: dict[str, list[Commune]] = {}
        for commune in communes:
            slugs.setdefault(slugify(commune.name), []).append(commune)
        self.by_slug = {slug: found[0] for slug, found in slugs.items() if len(found) == 1 and slug}


public_cache: RevisionedCache[_PerRevision] = RevisionedCache(CameraRevision, RegistryRevision, TerritoryRevision,
                                                               build=_PerRevision)


@dataclass(frozen=True)
class PublicLookup:
    """What an address of the public pages names: a commune (or none), under the revisions just read."""

    commune: Commune | None
    canonical: bool  # the address used the INSEE code (else: a slug, to redirect)
    held: _PerRevision


def public_commune(code: str) -> PublicLookup:
    """The commune an address names by INSEE code or name slug (one read of the revisions for the request)."""
    held = public_cache.current()
    found = held.by_code.get(code.upper())
    if found is not None:
        return PublicLookup(found, found.insee_code == code, held)
    return PublicLookup(held.by_slug.get(slugify(code)), False, held)


def public_registry(commune: Commune, held: _PerRevision | None = None) -> PublicRegistry:
    """The public registry of a commune's cameras, from the per-process cache when nothing changed (`held`: the
    holder a `public_commune` of the same request returned)."""
    held = held or public_cache.current()
    key = (commune.pk, timezone.localdate(), translation.get_language() or "")
    registry = held.registries.get(key)
    if registry is None:
        with held.lock:
            registry = held.registries.get(key)
            if registry is None:
                if len(held.registries) > MAX_HELD:
                    held.registries.clear()  # days gone by, languages: rebuilt on demand
                registry = held.registries[key] = _build_registry(commune, key[1])
    return registry


def public_payload(registry: PublicRegistry) -> dict[str, Any]:
    """The page's figures, as the template shows them."""
    return {"count": len(registry.cameras), "expired": registry.expired, "expiring": registry.expiring}


def _camera_changed(sender, **kwargs) -> None:
    CameraRevision.objects.create(reason=sender._meta.model_name)


def connect_camera_signals() -> None:
    for model in (Camera, VideoProtectionNotice):
        post_save.connect(_camera_changed, sender=model, dispatch_uid=f"devices-cameras-save-{model.__name__}")
        post_delete.connect(_camera_changed, sender=model, dispatch_uid=f"devices-cameras-delete-{model.__name__}")

