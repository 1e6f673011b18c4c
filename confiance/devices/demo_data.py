"""Demo sensors of the territory: the Essonne's level at Mennecy and Ormoy, air quality, noise, rain, a LoRaWAN
gateway, and the rules that watch them (Essonne vigilance at 1.8 m and alerte at 2.3 m, with hysteresis).

Loaded through the registry import (the same checks as a real file), so loading twice changes nothing. One sensor
keeps an outdated firmware and the gateway its maker's password, so the health page has something to show. The
gateway's token is the demo one (CONFIANCE_DEMO_GATEWAY_TOKEN, demo mode only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from shapely.geometry import Point, shape

from confiance.devices.choices import Comparison, DeviceKind, Quantity, RuleKind, Severity, VideoEventType
from confiance.devices.demo_cameras import load_cameras
from confiance.devices.models import DetectorMapping, Device, Gateway, Rule, VideoAnalyticsBasis
from confiance.devices.services.registry import devices_import, token_hash
from confiance.devices.services.video import video_basis_record
from confiance.territory.models import Commune

ORDER = 50
MENNECY, ORMOY = "91386", "91468"
GATEWAY = "gw-mennecy-centre"


@dataclass(frozen=True)
class DemoDevice:
    identifier: str
    name: str
    commune: str
    kind: str
    quantities: str
    offset: tuple[float, float]  # degrees (lat, lon) from the commune's representative point
    interval_s: int
    firmware: str = "2.3.1"
    expected: str = "2.3.1"
    gateway: str = ""
    address: str = ""


DEVICES = [
    DemoDevice("essonne-mennecy", "Essonne à Mennecy (pont)", MENNECY, DeviceKind.WATER_LEVEL,
               "water_level:m;battery:%;signal:dBm", (-0.006, -0.008), 30, gateway=GATEWAY,
               address="Pont de l'Essonne, Mennecy"),
    DemoDevice("essonne-ormoy", "Essonne à Ormoy (moulin)", ORMOY, DeviceKind.WATER_LEVEL,
               "water_level:m;battery:%", (0.004, -0.006), 30, address="Ancien moulin, Ormoy"),
    DemoDevice("air-mennecy-centre", "Qualité de l'air — centre-ville", MENNECY, DeviceKind.AIR_QUALITY,
               "pm10:µg/m³;pm25:µg/m³;no2:µg/m³", (0.001, 0.002), 60, firmware="1.2.0", expected="1.4.2",
               gateway=GATEWAY, address="Place de la mairie, Mennecy"),
    DemoDevice("air-ormoy", "Qualité de l'air — Ormoy", ORMOY, DeviceKind.AIR_QUALITY, "pm10:µg/m³;no2:µg/m³",
               (0.0, 0.0), 60),
    DemoDevice("bruit-mennecy-gare", "Bruit — abords de la gare", MENNECY, DeviceKind.NOISE,
               "noise_laeq:dB(A);battery:%", (0.004, 0.006), 60, gateway=GATEWAY),
    DemoDevice("pluie-mennecy", "Pluviomètre des services techniques", MENNECY, DeviceKind.RAIN,
               "rainfall:mm;battery:%", (-0.003, 0.004), 60, gateway=GATEWAY),
]

RULES = [  # commune, device, name, kind, quantity, threshold, clear, min duration (s), severity, escalate (min)
    (MENNECY, "essonne-mennecy", "Essonne à Mennecy — vigilance crue (1,80 m)", RuleKind.THRESHOLD,
     Quantity.WATER_LEVEL, 1.8, 1.7, 60, Severity.WARNING, 15),
    (MENNECY, "essonne-mennecy", "Essonne à Mennecy — alerte crue (2,30 m)", RuleKind.THRESHOLD,
     Quantity.WATER_LEVEL, 2.3, 2.2, 60, Severity.MAJOR, 5),
    (ORMOY, "essonne-ormoy", "Essonne à Ormoy — vigilance crue (1,80 m)", RuleKind.THRESHOLD,
     Quantity.WATER_LEVEL, 1.8, 1.7, 60, Severity.WARNING, 15),
    (ORMOY, "essonne-ormoy", "Essonne à Ormoy — alerte crue (2,30 m)", RuleKind.THRESHOLD,
     Quantity.WATER_LEVEL, 2.3, 2.2, 60, Severity.MAJOR, 5),
    (MENNECY, "air-mennecy-centre", "PM10 — seuil d'information (50 µg/m³)", RuleKind.THRESHOLD,
     Quantity.PM10, 50.0, 45.0, 300, Severity.INFO, None),
    (MENNECY, "bruit-mennecy-gare", "Bruit au-delà de 75 dB(A)", RuleKind.THRESHOLD,
     Quantity.NOISE_LAEQ, 75.0, 70.0, 120, Severity.INFO, None),
    (MENNECY, "", "Capteur muet à Mennecy", RuleKind.SILENCE, "", None, None, 0, Severity.WARNING, 30),
    (ORMOY, "", "Capteur muet à Ormoy", RuleKind.SILENCE, "", None, None, 0, Severity.WARNING, 30),
]


def _place(commune: Commune, offset: tuple[float, float]) -> tuple[float, float]:
    polygon = shape(commune.geometry)
    anchor = polygon.representative_point()
    point = Point(anchor.x + offset[1], anchor.y + offset[0])
    chosen = point if polygon.contains(point) else anchor
    return round(chosen.y, 6), round(chosen.x, 6)


def demo_collection() -> dict | None:
    """The demo registry as a GeoJSON FeatureCollection (None when the demo territory is missing)."""
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=[MENNECY, ORMOY])}
    if len(communes) < 2:
        return None
    features = [{"type": "Feature", "geometry": None, "properties": {
        "type": "gateway", "identifier": GATEWAY, "name": "Passerelle LoRaWAN — mairie de Mennecy",
        "commune": MENNECY, "model": "Kerlink iFemtoCell", "firmware_version": "5.1.2",
        "expected_firmware_version": "5.1.2", "owner": "Ville de Mennecy", "default_credentials": True}}]
    for device in DEVICES:
        lat, lon = _place(communes[device.commune], device.offset)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {
            "identifier": device.identifier, "name": device.name, "commune": device.commune, "kind": device.kind,
            "quantities": device.quantities, "reporting_interval_s": device.interval_s, "gateway": device.gateway,
            "firmware_version": device.firmware, "expected_firmware_version": device.expected,
            "owner": "Ville de Mennecy" if device.commune == MENNECY else "Ville d'Ormoy",
            "manufacturer": "Démo", "address": device.address, "mqtt_client_id": f"demo-{device.identifier}"}})
    return {"type": "FeatureCollection", "features": features}


def _rules() -> int:
    created = 0
    devices = dict(Device.objects.filter(identifier__in=[d.identifier for d in DEVICES]).values_list("identifier",
                                                                                                    "id"))
    communes = dict(Commune.objects.filter(insee_code__in=[MENNECY, ORMOY]).values_list("insee_code", "id"))
    for code, device, name, kind, quantity, threshold, clear, duration, severity, escalate in RULES:
        _, made = Rule.objects.get_or_create(commune_id=communes[code], name=name, defaults={
            "kind": kind, "quantity": quantity, "device_id": devices.get(device), "comparison": Comparison.ABOVE,
            "threshold": threshold, "clear_threshold": clear, "min_duration_s": duration, "severity": severity,
            "escalate_after_min": escalate, "silence_intervals": 3})
        created += made
    return created


def _gateway_token() -> None:
    token = settings.CONFIANCE_DEMO_GATEWAY_TOKEN
    if not token or "." not in token:
        return
    prefix, secret = token.split(".", 1)
    gateway = Gateway.objects.get(identifier=GATEWAY)
    if (gateway.token_prefix, gateway.token_hash) != (prefix, token_hash(secret)):
        gateway.token_prefix, gateway.token_hash = prefix, token_hash(secret)
        gateway.save(update_fields=["token_prefix", "token_hash"])


# Video analytics: two cameras at Mennecy station; the legal basis covers the first only, so the simulator's events
# of the second are refused (and counted). Labels are Frigate's.
VIDEO_CAMERAS = [("cam-gare-mennecy-parvis", "Caméra gare de Mennecy — parvis", (-0.002, 0.003)),
                 ("cam-gare-mennecy-quai", "Caméra gare de Mennecy — quai 1", (-0.0025, 0.0035))]
VIDEO_MAPPINGS = [("fire", "", VideoEventType.FIRE_START), ("smoke", "", VideoEventType.FIRE_START),
                  ("knife", "", VideoEventType.WEAPON), ("backpack", "parvis", VideoEventType.ABANDONED_OBJECT),
                  ("suitcase", "parvis", VideoEventType.ABANDONED_OBJECT),
                  ("person", "voies", VideoEventType.FORBIDDEN_ZONE),
                  ("car", "sens_interdit", VideoEventType.WRONG_DIRECTION)]
VIDEO_LEGAL_TEXT = ("Loi n° 2023-380 du 19 mai 2023, article 10 ; décret n° 2023-828 du 28 août 2023 ; arrêté "
                    "préfectoral de l'Essonne n° DEMO-2026-VA-001 (démonstration).")


def _video(actor) -> int:
    commune = Commune.objects.get(insee_code=MENNECY)
    cameras = []
    for identifier, name, offset in VIDEO_CAMERAS:
        lat, lon = _place(commune, offset)
        camera, _ = Device.objects.get_or_create(identifier=identifier, defaults={
            "commune": commune, "name": name, "kind": DeviceKind.CAMERA, "lat": lat, "lon": lon,
            "address": "Place de la gare, Mennecy", "owner": "Ville de Mennecy", "reporting_interval_s": 3600})
        cameras.append(camera)
        for label, zone, event_type in VIDEO_MAPPINGS:
            DetectorMapping.objects.get_or_create(camera=camera, label=label, zone=zone,
                                                  defaults={"event_type": event_type, "min_score": 0.5})
    if VideoAnalyticsBasis.objects.filter(commune=commune).exists():
        return 0
    now = timezone.now()
    video_basis_record(actor=actor, commune_id=commune.pk, legal_text=VIDEO_LEGAL_TEXT,
                       starts_at=now - timedelta(days=30), ends_at=now + timedelta(days=180),
                       camera_ids=[cameras[0].pk])
    return len(cameras)


def load(*, actor, stdout) -> None:
    collection = demo_collection()
    if collection is None:
        stdout.write("Capteurs : territoire de démonstration absent, rien à charger.")
        return
    result = devices_import(actor=actor, data=json.dumps(collection), fmt="geojson")
    _gateway_token()
    rules = _rules()
    cameras = _video(actor)
    if cameras:
        stdout.write(f"Vidéo-analyse : {cameras} caméra(s) et un cadre légal de démonstration.")
    stdout.write(f"Capteurs : {result.created} créé(s), {result.updated} mis à jour, {result.unchanged} "
                 f"inchangé(s) ; {rules} règle(s) créée(s).")
    stdout.write(load_cameras())
