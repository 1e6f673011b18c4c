"""Demo video-protection: cameras over every demo commune (through the registry's services, so the law's checks
run), their public notices, individual authorisations of the demo operator, and two requisitions in the register of
extractions, one still pending under legal hold.

Authorisations are spread so that the pages have something to show: most are valid, two expire within three
months, one lapsed last month (written after registration: the service refuses to register a lapsed one, as it
should; a camera whose authorisation lapses later is the case the flags are for). Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from shapely.geometry import Point, shape

from confiance.accounts.access import Actor
from confiance.devices.choices import CameraPurpose as P
from confiance.devices.drafts import CameraDraft, ExtractionDraft, MediumDraft
from confiance.devices.models import Camera, CameraAuthorisation, Extraction
from confiance.devices.services.cameras import camera_authorisation_grant, camera_register, notice_save
from confiance.devices.services.extractions import extraction_deliver, extraction_record
from confiance.territory.models import Commune


@dataclass(frozen=True)
class Site:
    slug: str
    name: str
    purposes: tuple[str, ...]
    direction: int
    retention: int = 15


SITES = [
    Site("mairie", "Parvis de la mairie", (P.PUBLIC_BUILDINGS, P.PERSONS_PROPERTY), 180),
    Site("gare", "Abords de la gare", (P.PERSONS_PROPERTY, P.TERRORISM), 90, 21),
    Site("ecole", "Entrée du groupe scolaire", (P.PUBLIC_BUILDINGS,), 270),
    Site("marche", "Place du marché", (P.PERSONS_PROPERTY,), 45),
    Site("carrefour", "Carrefour de la route départementale", (P.TRAFFIC_REGULATION, P.TRAFFIC_OFFENCES), 0, 10),
    Site("decheterie", "Chemin de la déchetterie", (P.ILLEGAL_DUMPING,), 135, 30),
    Site("stade", "Parking du stade", (P.PERSONS_PROPERTY,), 315),
    Site("riviere", "Berges de l'Essonne", (P.NATURAL_RISKS, P.RESCUE), 225, 7),
]
# How many sites per commune (the first ones of SITES), by INSEE code; the others get three.
SITES_PER_COMMUNE = {"91386": 8, "91468": 5}
# (INSEE code, site slug) -> days since the authorisation: two to renew within 3 months, one lapsed.
EXPIRING = {("91386", "gare"): 5 * 365 - 40, ("91468", "mairie"): 5 * 365 - 75}
LAPSED = {("91386", "decheterie"): 5 * 365 + 31}
OFFSETS = [(0.0, 0.0), (0.003, 0.004), (-0.003, 0.003), (0.002, -0.004), (-0.004, -0.003), (0.005, 0.0),
           (0.0, 0.006), (-0.005, 0.001)]
OPERATOR, CHIEF = "operateur", "chef"


def _place(commune: Commune, index: int) -> tuple[float, float]:
    polygon = shape(commune.geometry)
    anchor = polygon.representative_point()
    dlat, dlon = OFFSETS[index % len(OFFSETS)]
    point = Point(anchor.x + dlon, anchor.y + dlat)
    chosen = point if polygon.contains(point) else anchor
    return round(chosen.y, 6), round(chosen.x, 6)


def _draft(commune: Commune, index: int, site: Site, today: date) -> CameraDraft:
    lat, lon = _place(commune, index)
    age = EXPIRING.get((commune.insee_code, site.slug), 200 + 97 * index)
    return CameraDraft(
        identifier=f"cam-{commune.insee_code}-{site.slug}", name=f"{site.name}", lat=lat, lon=lon,
        address=f"{site.name}, {commune.name}", purposes=site.purposes,
        authorisation_reference=f"AP-91-{today.year - age // 365}-{commune.insee_code}-{index + 1:02d}",
        authorisation_date=today - timedelta(days=age), authorisation_retention_days=30,
        retention_days=site.retention, direction_deg=site.direction, angle_deg=70, range_m=60,
        camera_type="PTZ" if index % 3 == 0 else "FIXED", vms_reference=f"{commune.insee_code}-CAM{index + 1:02d}",
        vms_url=f"https://vms.{commune.insee_code}.demo.invalid/viewer/cam{index + 1:02d}", onvif_profile="S",
        privacy_masks=_mask(lat, lon) if site.slug in {"marche", "mairie"} else ())


def _mask(lat: float, lon: float) -> tuple[dict, ...]:
    """A dwelling's windows across the street, declared as a small triangle."""
    ring = [[lon + 0.0002, lat + 0.0002], [lon + 0.0004, lat + 0.0002], [lon + 0.0004, lat + 0.0003],
            [lon + 0.0002, lat + 0.0002]]
    return ({"type": "Polygon", "coordinates": [ring]},)


def _notice(commune: Commune) -> None:
    if hasattr(commune, "video_notice"):
        return
    notice_save(actor=None, commune=commune, controller=f"Le maire de {commune.name}",
                controller_address=f"Hôtel de ville, {commune.name}",
                dpo_contact=f"dpo@{commune.insee_code}.demo.invalid — Délégué mutualisé de l'agglomération",
                rights_contact=f"Police municipale de {commune.name}, accueil de la mairie",
                panel_text=(f"{commune.name} — espace placé sous vidéoprotection (CSI L.251-2). Images conservées "
                            "30 jours au plus. Responsable : le maire. Droit d'accès : mairie."),
                detailed_notice=(
                    f"La commune de {commune.name} exploite des caméras de vidéoprotection sur la voie publique, "
                    "autorisées par arrêté du préfet de l'Essonne.\n\nFinalités : celles de l'article L.251-2 du "
                    "code de la sécurité intérieure indiquées pour chaque caméra.\n\nDurée de conservation : celle "
                    "de chaque caméra, 30 jours au plus, sauf réquisition judiciaire.\n\nDestinataires : les agents "
                    "de police municipale et les opérateurs du centre de supervision individuellement habilités ; "
                    "les officiers de police judiciaire sur réquisition.\n\nVos droits : vous pouvez demander "
                    "l'accès aux images vous concernant auprès de la mairie, et saisir la CNIL."))


def _cameras(today: date) -> int:
    created = 0
    for commune in Commune.objects.order_by("insee_code"):
        _notice(commune)
        for index, site in enumerate(SITES[:SITES_PER_COMMUNE.get(commune.insee_code, 3)]):
            draft = _draft(commune, index, site, today)
            if Camera.objects.filter(device__identifier=draft.identifier).exists():
                continue
            camera = camera_register(actor=None, commune=commune, draft=draft)
            lapsed = LAPSED.get((commune.insee_code, site.slug))
            if lapsed:
                Camera.objects.filter(pk=camera.pk).update(authorisation_date=today - timedelta(days=lapsed))
            created += 1
    return created


def _agent(username: str):
    return get_user_model().objects.filter(username=username).first()


def _authorisations() -> None:
    chief, operator = _agent(CHIEF), _agent(OPERATOR)
    if chief is None or operator is None:
        return
    for camera in Camera.objects.filter(device__commune__insee_code="91386").order_by("pk")[:4]:
        if not CameraAuthorisation.objects.filter(camera=camera, agent=operator).exists():
            camera_authorisation_grant(actor=Actor(agent=chief), camera_id=camera.pk, agent=operator)


def _extractions() -> None:
    chief = _agent(CHIEF)
    commune = Commune.objects.filter(insee_code="91386").first()
    if chief is None or commune is None or Extraction.objects.filter(commune=commune).exists():
        return
    cameras = list(Camera.objects.filter(device__commune=commune).order_by("pk"))
    if len(cameras) < 2:
        return
    actor, now = Actor(agent=chief), timezone.now()
    extraction_record(actor=actor, commune=commune, draft=ExtractionDraft(
        officer_name="Capitaine Lemoine (OPJ)", officer_service="Brigade de gendarmerie de Mennecy",
        requisition_reference="PV 2026/00417 — vol avec violence", camera_ids=(cameras[0].pk, cameras[1].pk),
        span_start=now - timedelta(days=12, hours=3), span_end=now - timedelta(days=12, hours=1)))
    delivered = extraction_record(actor=actor, commune=commune, draft=ExtractionDraft(
        officer_name="Lieutenant Garnier (OPJ)", officer_service="Commissariat d'Évry-Courcouronnes",
        requisition_reference="Réquisition 2026-1189 — accident de la circulation", camera_ids=(cameras[4].pk,),
        span_start=now - timedelta(days=6, hours=5), span_end=now - timedelta(days=6, hours=4)))
    extraction_deliver(actor=actor, extraction_id=delivered.pk, media=[
        MediumDraft("carrefour-rd191-2026-11-25.mp4",
                    "9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6")])
    # The first stays pending under hold: the register shows it as the one to extract before the purge.


def load_cameras() -> str:
    created = _cameras(timezone.localdate())
    _authorisations()
    _extractions()
    return (f"Caméras : {created} créée(s) ; {Camera.objects.count()} au registre, "
            f"{Extraction.objects.filter(hold_released_at__isnull=True).count()} extraction(s) sous gel.")
