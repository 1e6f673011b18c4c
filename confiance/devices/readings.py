"""The platform's own JSON measurement format, shared by the MQTT topics and the gateways' HTTP batches.

One message (docs/devices.md):

    {"device": "essonne-mennecy-1", "time": "2026-12-01T10:15:00Z", "values": {"water_level": 1.42, "battery": 87}}

`device` may be omitted where the transport names it (the MQTT topic `confiance/v1/<device>/up`); `time` is ISO 8601
with a time zone, or seconds since the epoch; `values` maps quantities (`choices.Quantity`) to numbers. A batch is a
JSON array of messages, or `{"messages": [...]}`. Parsing never raises: what cannot be read becomes a `Rejected`
with its reason, and the rest of the batch goes on.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from confiance.core.parsing import ParseError, check_datetime, parse_json
from confiance.devices.choices import DeadLetterReason
from confiance.devices.drafts import Parsed, Reading, Rejected

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_MESSAGES_PER_BATCH = 5000
MAX_VALUES_PER_MESSAGE = 64
_EXCERPT = 500


def _excerpt(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text[:_EXCERPT].replace("\x00", "")


def finite(value: Any) -> bool:
    """A finite JSON number: not a boolean, and not an integer too large for a float (math.isfinite would raise)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 with a zone or epoch seconds; None when unreadable or zoneless."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not finite(value) or not 0 <= value < 4_102_444_800:  # before 2100
            return None
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    try:
        return check_datetime(moment)  # 2000-2100 (confiance.core.parsing)
    except (ParseError, OverflowError):
        return None


def load_json(raw: bytes | str, *, topic: str = "", device: str = "") -> tuple[Any, Rejected | None]:
    """The decoded document, or why it cannot be read (oversize, malformed, nested too deep)."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_PAYLOAD_BYTES:
        return None, Rejected(reason=DeadLetterReason.OVERSIZE, detail=f"{size} octets", device=device,
                              payload=_excerpt(raw), topic=topic)
    try:
        return parse_json(raw), None  # nested at most MAX_JSON_DEPTH deep, no NUL (confiance.core.parsing)
    except ParseError as error:
        return None, Rejected(reason=DeadLetterReason.MALFORMED, detail=str(error)[:300], device=device,
                              payload=_excerpt(raw), topic=topic)


def parse_message(document: Any, *, device: str = "", topic: str = "", raw: bytes | str = b"") -> Parsed:
    """Readings of one message (a JSON object); `device` is the transport's, when it names one."""
    parsed = Parsed()
    if not isinstance(document, dict):
        parsed.rejected.append(Rejected(reason=DeadLetterReason.MALFORMED, detail="objet JSON attendu",
                                        device=device, payload=_excerpt(raw), topic=topic))
        return parsed
    named = document.get("device", device)
    if not isinstance(named, str) or not named or len(named) > 64 or (device and named != device):
        parsed.rejected.append(Rejected(reason=DeadLetterReason.MALFORMED, detail="identifiant de capteur invalide",
                                        device=device or (named if isinstance(named, str) else "")[:64],
                                        payload=_excerpt(raw), topic=topic))
        return parsed
    observed = parse_time(document.get("time"))
    if observed is None:
        parsed.rejected.append(Rejected(reason=DeadLetterReason.TIME_INVALID, detail=repr(document.get("time"))[:300],
                                        device=named, payload=_excerpt(raw), topic=topic))
        return parsed
    values = document.get("values")
    if not isinstance(values, dict) or not values or len(values) > MAX_VALUES_PER_MESSAGE:
        parsed.rejected.append(Rejected(reason=DeadLetterReason.MALFORMED, detail="« values » attendu",
                                        device=named, payload=_excerpt(raw), topic=topic))
        return parsed
    for quantity, value in values.items():
        if not finite(value):
            detail = f"{quantity[:40]}: {value!r}"[:300]
            parsed.rejected.append(Rejected(reason=DeadLetterReason.WRONG_TYPE, detail=detail, device=named,
                                            payload=_excerpt(raw), topic=topic))
            continue
        parsed.readings.append(Reading(device=named, quantity=quantity[:40],
                                       observed_at=observed, value=float(value)))
    return parsed


def parse_payload(raw: bytes | str, *, device: str = "", topic: str = "") -> Parsed:
    """Readings of a raw payload: one message, a JSON array of messages, or `{"messages": [...]}`."""
    document, refused = load_json(raw, topic=topic, device=device)
    if refused is not None:
        return Parsed(rejected=[refused])
    if isinstance(document, dict) and isinstance(document.get("messages"), list):
        document = document["messages"]
    if isinstance(document, list):
        parsed = Parsed()
        if len(document) > MAX_MESSAGES_PER_BATCH:
            parsed.rejected.append(Rejected(reason=DeadLetterReason.OVERSIZE, detail=f"{len(document)} messages",
                                            device=device, payload=_excerpt(raw), topic=topic))
            return parsed
        for item in document:
            parsed.extend(parse_message(item, device=device, topic=topic, raw=raw))
        return parsed
    return parse_message(document, device=device, topic=topic, raw=raw)
