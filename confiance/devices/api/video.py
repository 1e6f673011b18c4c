"""The generic video-analytics webhook: events of any analytics system, authenticated like the gateways' batches.

A gateway's token writes the cameras of its commune, a camera's own token its own events. Events are stripped on
arrival (adapters/http/video.py), stored or counted by `detections_store`; the answer follows the commit. Nothing
of a refused event is kept: not even as a dead letter (a dead letter keeps an excerpt, and this one could carry a
face or a plate).
"""

from __future__ import annotations

from django.http import HttpRequest, UnreadablePostError
from ninja import Router, Status

from confiance.core.ratelimits import rate_limited
from confiance.devices.adapters.http.auth import Sender
from confiance.devices.adapters.http.batch import media_type
from confiance.devices.adapters.http.video import MAX_BODY_BYTES, parse_body
from confiance.devices.api.ingestion import SenderTokenAuth, _sender_name
from confiance.devices.choices import DetectionSource, VideoDropReason
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.schemas import VideoIngestionOut
from confiance.devices.services.video import VideoStoreResult, detections_store

router = Router(tags=["Hypervision : vidéo-analyse"])

_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "description": "Un événement, un tableau d'événements ou {events: [...]} : {camera, id, time, label ou labels, "
                   "zones, score, event_type, final}. Tout autre champ (visages, plaques, identités) est ignoré.",
    "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}}}


def _summary(result: VideoStoreResult) -> dict:
    return {"stored": result.stored, "duplicates": result.duplicates, "refused": result.refused,
            "reasons": {str(reason): count for reason, count in sorted(result.dropped.items())}}


def _read(request: HttpRequest) -> bytes | None:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    try:
        raw = request.read(MAX_BODY_BYTES + 1)
    except UnreadablePostError:
        return b""
    return None if len(raw) > MAX_BODY_BYTES else raw


def _count_unreadable(sender: Sender) -> None:
    detections_store([], source=DetectionSource.WEBHOOK, commune_id=sender.commune_id, malformed=1)


@router.post("/video/events", auth=SenderTokenAuth(), response={200: VideoIngestionOut},
             summary="Événements de vidéo-analyse (webhook générique)", openapi_extra=_BODY)
@rate_limited("gateway", account=lambda request: _sender_name(request.auth))
def video_events(request: HttpRequest):
    sender: Sender = request.auth
    raw = _read(request)
    if raw is None:
        _count_unreadable(sender)
        raise DevicesError(DevicesErrorCode.PAYLOAD_TOO_LARGE,
                           f"Corps trop volumineux : au plus {MAX_BODY_BYTES} octets.", status_code=413)
    if media_type(request.headers.get("Content-Type", "")) not in {"", "application/json"}:
        _count_unreadable(sender)
        raise DevicesError(DevicesErrorCode.PAYLOAD_MALFORMED,
                           "Type de contenu non pris en charge (attendu : application/json).", status_code=415)
    batch = parse_body(raw)
    if batch.unreadable:
        _count_unreadable(sender)
        raise DevicesError(DevicesErrorCode.PAYLOAD_MALFORMED, "Corps illisible : JSON d'un ou plusieurs événements "
                           "attendu (au plus 500).", status_code=400,
                           details={"reason": str(VideoDropReason.MALFORMED)})
    result = detections_store(batch.drafts, source=DetectionSource.WEBHOOK, commune_id=sender.commune_id,
                              own_device=sender.own_device, malformed=batch.malformed)
    return Status(200, _summary(result))
