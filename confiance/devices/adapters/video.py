"""What every video-analytics adapter does on arrival: keep only the fields that may be stored or matched.

Whitelisting, not deletion: the adapters never copy a payload, they read a camera name, labels, zones, a score and
a time into a `DetectionDraft`, each bounded and of a strict shape (slugs for names). Faces, plates, sub-labels,
recognised identities, snapshots, boxes and attributes are simply never read; the detector's event id becomes a
digest at once. Labels that name a biometric or a plate (`face`, `license_plate`...) are refused outright: no
mapping can turn them into an event type. Nothing here logs a payload.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime

from confiance.core.parsing import MAX_YEAR, MIN_YEAR
from confiance.devices.choices import IDENTITY_LABELS

MAX_EVENT_BYTES = 64 * 1024
MAX_NAMES = 32
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_MIN_EPOCH = datetime(MIN_YEAR, 1, 1, tzinfo=UTC).timestamp()
_MAX_EPOCH = datetime(MAX_YEAR, 12, 31, tzinfo=UTC).timestamp()


def name(value: object) -> str | None:
    """A camera, label or zone name: a slug of at most 64 characters, else None."""
    if isinstance(value, str) and _NAME.fullmatch(value):
        return value
    return None


def label(value: object) -> str | None:
    """A detector label in lower case ("person-verified" is "person"); None for an identity label or a non-slug."""
    found = name(value)
    if found is None:
        return None
    found = found.lower().removesuffix("-verified")
    return None if found in IDENTITY_LABELS else found


def names(values: object, *, of=name) -> tuple[str, ...]:
    """The valid names of a list (others skipped), at most MAX_NAMES, in order, without repeats."""
    if not isinstance(values, list):
        return ()
    kept: list[str] = []
    for value in values[:MAX_NAMES * 4]:
        found = of(value)
        if found is not None and found not in kept:
            kept.append(found)
        if len(kept) >= MAX_NAMES:
            break
    return tuple(kept)


def score(value: object) -> float | None:
    """A detector score in [0, 1] (a percentage is read as such), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if 1 < value <= 100:
        value = value / 100
    return round(float(value), 4) if 0 <= value <= 1 else None


def epoch(value: object) -> datetime | None:
    """A UNIX time in seconds (Frigate's start_time), between the parsers' years, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if not _MIN_EPOCH <= value <= _MAX_EPOCH:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def event_key(*parts: object) -> str:
    """The digest that identifies an event across redeliveries; the detector's id itself is never kept."""
    text = "\x1f".join(str(part)[:200] for part in parts)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]
