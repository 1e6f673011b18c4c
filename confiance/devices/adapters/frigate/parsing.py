"""Frigate's MQTT messages, read into `DetectionDraft`s (docs/devices.md, "Vidéo-analyse").

`<prefix>/events`: `{"type": "new"|"update"|"end", "before": {...}, "after": {"id", "camera", "label", "sub_label",
"score", "top_score", "start_time", "current_zones", "entered_zones", "false_positive", "recognized_license_plate",
"attributes", "current_attributes", "snapshot", ...}}`.
`<prefix>/reviews`: `{"type": "new"|"update"|"end"|"genai", "before": {...}, "after": {"id", "camera", "start_time",
"end_time", "severity", "data": {"detections", "objects", "sub_labels", "zones", "audio"}}}`.

Only `after` is read, and in it only the camera, the labels (`label`, or `data.objects`), the zones, the score, the
start time and the id (turned into a digest). Everything else, `sub_label`, `sub_labels`, recognised plates, face
attributes, snapshots, boxes, is never read (adapters/video.py).
"""

from __future__ import annotations

import json
from datetime import datetime

from confiance.devices.adapters import video
from confiance.devices.drafts import DetectionDraft

MESSAGE_TYPES = frozenset({"new", "update", "end", "genai"})


def _document(payload: bytes) -> dict | None:
    """The message as JSON, at most MAX_EVENT_BYTES. Not walked whole by `core.parsing.check_document` (a Frigate
    message nests `before` and `after`, and this is the worker's hot path): only a few fields are read, each checked
    for its own shape (slugs, bounded numbers), and the size bounds the rest; a nesting too deep is refused."""
    if len(payload) > video.MAX_EVENT_BYTES:
        return None
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str) or (
            document["type"] not in MESSAGE_TYPES):
        return None
    after = document.get("after")
    return document if isinstance(after, dict) else None


def _time(after: dict) -> datetime | None:
    return video.epoch(after.get("start_time")) or video.epoch(after.get("frame_time"))


def parse_event(payload: bytes) -> DetectionDraft | None:
    """A `frigate/events` message, or None when it cannot be read (malformed, no camera, no time)."""
    document = _document(payload)
    if document is None:
        return None
    after = document["after"]
    camera, observed_at = video.name(after.get("camera")), _time(after)
    if camera is None or observed_at is None:
        return None
    found = video.label(after.get("label"))
    labels = () if found is None or after.get("false_positive") is True else (found,)
    zones = video.names(after.get("entered_zones")) + video.names(after.get("current_zones"))
    zones = tuple(dict.fromkeys(zones))
    score = video.score(after.get("top_score"))
    return DetectionDraft(camera=camera, key=video.event_key("frigate-event", camera, after.get("id", observed_at)),
                          observed_at=observed_at, labels=labels, zones=zones,
                          score=score if score is not None else video.score(after.get("score")),
                          final=document["type"] == "end")


def parse_review(payload: bytes) -> DetectionDraft | None:
    """A `frigate/reviews` message, or None when it cannot be read."""
    document = _document(payload)
    if document is None:
        return None
    after = document["after"]
    camera, observed_at = video.name(after.get("camera")), _time(after)
    data = after.get("data")
    if camera is None or observed_at is None or not isinstance(data, dict):
        return None
    return DetectionDraft(camera=camera, key=video.event_key("frigate-review", camera, after.get("id", observed_at)),
                          observed_at=observed_at, labels=video.names(data.get("objects"), of=video.label),
                          zones=video.names(data.get("zones")), final=document["type"] == "end")


def parse_message(kind: str, payload: bytes) -> DetectionDraft | None:
    """`kind` is "events" or "reviews" (the last level of the topic)."""
    return parse_event(payload) if kind == "events" else parse_review(payload) if kind == "reviews" else None
