"""Video-analytics test fixtures: cameras with detector mappings and a legal basis, Frigate payloads with the
identities a recogniser would add (which must never be stored)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from confiance.devices.choices import DeviceKind, VideoEventType
from confiance.devices.models import DetectorMapping, Device, VideoAnalyticsBasis
from confiance.devices.tests.factories import make_device
from confiance.territory.models import Commune

# Planted in every payload that could carry an identity; the every-table test searches the database for them.
PLANTED = ("Gaspard Planté", "GH-417-XK", "gh417xk", "visage-planté-7731", "Plantée-Sous-Étiquette",
           "ident-planted-9f3c")


def make_camera(commune: Commune, identifier: str, **fields) -> Device:
    return make_device(commune, identifier, kind=DeviceKind.CAMERA, quantities=(), **fields)


def map_label(camera: Device, label: str, event_type: str, *, zone: str = "", min_score: float = 0.0):
    return DetectorMapping.objects.create(camera=camera, label=label, zone=zone, event_type=event_type,
                                          min_score=min_score)


def make_basis(commune: Commune, cameras, *, starts_at: datetime | None = None,
               ends_at: datetime | None = None) -> VideoAnalyticsBasis:
    now = timezone.now()
    basis = VideoAnalyticsBasis.objects.create(
        commune=commune, legal_text="Loi n° 2023-380, art. 10 ; décret n° 2023-828 ; arrêté préfectoral test.",
        starts_at=starts_at or now - timedelta(days=1), ends_at=ends_at or now + timedelta(days=30))
    basis.cameras.set(cameras)
    return basis


@dataclass
class VideoWorld:
    commune: Commune
    other: Commune
    camera: Device
    uncovered: Device
    other_camera: Device


def make_video_world(world) -> VideoWorld:
    camera = make_camera(world.commune, "cam-gare")
    uncovered = make_camera(world.commune, "cam-mairie")
    other_camera = make_camera(world.other, "cam-ormoy")
    for device in (camera, uncovered, other_camera):
        map_label(device, "fire", VideoEventType.FIRE_START)
        map_label(device, "backpack", VideoEventType.ABANDONED_OBJECT, zone="parvis")
        map_label(device, "person", VideoEventType.FORBIDDEN_ZONE, zone="voies", min_score=0.6)
    make_basis(world.commune, [camera])
    make_basis(world.other, [other_camera])
    return VideoWorld(world.commune, world.other, camera, uncovered, other_camera)


def frigate_event(camera: str, label: str, *, kind: str = "end", zones=(), at: datetime | None = None,
                  identifier: str = "1700000000.1-abc", score: float = 0.9, planted: bool = True) -> bytes:
    """A `frigate/events` message as Frigate sends it, with what a face and plate recogniser would add."""
    start = (at or timezone.now() - timedelta(seconds=5)).timestamp()
    after = {"id": identifier, "camera": camera, "frame_time": start + 1, "label": label, "score": score,
             "top_score": score, "start_time": start, "end_time": start + 3 if kind == "end" else None,
             "false_positive": False, "current_zones": list(zones), "entered_zones": list(zones),
             "stationary": False, "has_snapshot": True, "has_clip": True, "box": [1, 2, 3, 4],
             "region": [0, 0, 320, 320], "sub_label": None, "attributes": {}, "current_attributes": []}
    if planted:
        after.update({"sub_label": [PLANTED[0], 0.93], "recognized_license_plate": PLANTED[1],
                      "recognized_license_plate_score": 0.91, "plate": PLANTED[2],
                      "attributes": {"face": 0.9, PLANTED[3]: 0.8},
                      "current_attributes": [{"label": "face", "score": 0.9, "box": [5, 5, 9, 9],
                                              "name": PLANTED[0]}],
                      "identity": {"name": PLANTED[5], "face": PLANTED[3]}})
    return json.dumps({"type": kind, "before": after, "after": after}).encode()


def frigate_review(camera: str, objects, *, kind: str = "end", zones=(), at: datetime | None = None,
                   identifier: str = "1700000000.2-rev", planted: bool = True) -> bytes:
    start = (at or timezone.now() - timedelta(seconds=5)).timestamp()
    data = {"detections": ["1700000000.1-abc"], "objects": list(objects), "sub_labels": [], "zones": list(zones),
            "audio": []}
    if planted:
        data["sub_labels"] = [PLANTED[0], PLANTED[4]]
        data["license_plates"] = [PLANTED[1]]
    after = {"id": identifier, "camera": camera, "start_time": start, "end_time": start + 4, "severity": "alert",
             "thumb_path": f"/media/frigate/clips/review/thumb-{camera}-{PLANTED[3]}.webp", "data": data}
    return json.dumps({"type": kind, "before": after, "after": after}).encode()
