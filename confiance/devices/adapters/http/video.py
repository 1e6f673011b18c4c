"""The generic video-analytics webhook's payload (docs/devices.md, "Vidéo-analyse : webhook"), read into drafts.

Body: one event, a list of events, or `{"events": [...]}` (at most MAX_EVENTS). An event:
`{"camera": "<camera identifier>", "id": "<event id, optional>", "time": "<ISO 8601 or UNIX seconds>",
"label": "<detector label>" or "labels": [...], "zones": [...] (or "zone"), "score": 0.0-1.0,
"event_type": "<one of the 8 legal types, optional>", "final": true}`.
Any other key (faces, plates, sub-labels, identities, images) is never read (adapters/video.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from confiance.core.parsing import ParseError, parse_datetime, parse_json
from confiance.devices.adapters import video
from confiance.devices.drafts import DetectionDraft

MAX_EVENTS = 500
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class WebhookBatch:
    drafts: list[DetectionDraft] = field(default_factory=list)
    malformed: int = 0  # events that could not be read
    unreadable: str = ""  # why the body as a whole could not be read ("" when it could)


def _time(value: object):
    if isinstance(value, int | float):
        return video.epoch(value)
    try:
        return parse_datetime(value, require_zone=True) if isinstance(value, str) else None
    except ParseError:
        return None


def _labels(event: dict) -> tuple[str, ...]:
    if "labels" in event:
        return video.names(event.get("labels"), of=video.label)
    found = video.label(event.get("label"))
    return (found,) if found else ()


def _zones(event: dict) -> tuple[str, ...]:
    if "zones" in event:
        return video.names(event.get("zones"))
    found = video.name(event.get("zone"))
    return (found,) if found else ()


def parse_event(event: object) -> DetectionDraft | None:
    if not isinstance(event, dict):
        return None
    camera, observed_at = video.name(event.get("camera")), _time(event.get("time"))
    if camera is None or observed_at is None:
        return None
    event_type = event.get("event_type", "")
    event_type = event_type[:40] if isinstance(event_type, str) else "?"
    labels = _labels(event)
    identity = event.get("id")
    identity = str(identity)[:200] if isinstance(identity, str | int) and not isinstance(identity, bool) else ""
    key = video.event_key("webhook", camera, identity) if identity else video.event_key(
        "webhook", camera, event_type, ",".join(labels), observed_at.isoformat())
    return DetectionDraft(camera=camera, key=key, observed_at=observed_at, labels=labels, zones=_zones(event),
                          event_type=event_type, score=video.score(event.get("score")),
                          final=event.get("final", True) is not False)


def parse_body(raw: bytes) -> WebhookBatch:
    if len(raw) > MAX_BODY_BYTES:
        return WebhookBatch(unreadable="oversize")
    try:
        document = parse_json(raw, max_depth=8)
    except ParseError:
        return WebhookBatch(unreadable="malformed")
    if isinstance(document, dict) and "events" in document:
        document = document["events"]
    events = document if isinstance(document, list) else [document]
    if not events or len(events) > MAX_EVENTS:
        return WebhookBatch(unreadable="malformed")
    batch = WebhookBatch()
    for event in events:
        draft = parse_event(event)
        if draft is None:
            batch.malformed += 1
        else:
            batch.drafts.append(draft)
    return batch
