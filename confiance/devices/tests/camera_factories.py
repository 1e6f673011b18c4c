"""Camera test fixtures: cameras registered through the service (the law's checks run), a notice, an agent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import count

from django.utils import timezone

from confiance.devices.choices import CameraPurpose
from confiance.devices.drafts import CameraDraft
from confiance.devices.models import Camera
from confiance.devices.services.cameras import camera_register, notice_save
from confiance.territory.models import Commune

_numbers = count(1)


def camera_draft(commune: Commune, **changes) -> CameraDraft:
    number = next(_numbers)
    draft = CameraDraft(
        identifier=f"cam-{commune.insee_code}-{number}", name=f"Caméra {number}",
        lat=commune.centroid_lat, lon=commune.centroid_lon, address=f"{number} rue de la Mairie",
        purposes=(CameraPurpose.PERSONS_PROPERTY, CameraPurpose.PUBLIC_BUILDINGS),
        authorisation_reference=f"AP-2024-{number:03d}", authorisation_date=timezone.localdate() - timedelta(days=400),
        authorisation_retention_days=30, retention_days=15, direction_deg=90, angle_deg=70, range_m=60,
        vms_reference=f"VMS-{number}", vms_url=f"https://vms.example.test/viewer/{number}", onvif_profile="S")
    return replace(draft, **changes)


def make_camera(commune: Commune, *, authorised_on: date | None = None, **changes) -> Camera:
    """A camera through the service; `authorised_on` in the past beyond validity is written afterwards (an
    authorisation that lapsed since registration, as happens in life)."""
    camera = camera_register(actor=None, commune=commune, draft=camera_draft(commune, **changes))
    if authorised_on is not None:
        Camera.objects.filter(pk=camera.pk).update(authorisation_date=authorised_on)
        camera.refresh_from_db()
    return camera


def make_notice(commune: Commune):
    return notice_save(actor=None, commune=commune, controller=f"Le maire de {commune.name}",
                       dpo_contact="dpo@mairie.example.test",
                       panel_text="Espace placé sous vidéoprotection. Images conservées 15 jours.",
                       detailed_notice="Notice détaillée.\n\nVos droits.", rights_contact="Police municipale")
