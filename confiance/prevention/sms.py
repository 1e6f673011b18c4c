"""SMS of the réserve communale behind a tiny interface (`send_sms`), with a file backend writing to var/.

A stop-gap: the alerts app builds the platform's pluggable SMS gateway; once merged, this module should hand its
messages to that gateway instead (docs/prevention-participation.md). Backends: "file" (one JSON line per SMS in
CONFIANCE_PREVENTION_SMS_DIR/prevention-sms.jsonl), "none" (nothing sent, nothing written).
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone

SMS_MAX_LENGTH = 480  # three concatenated SMS
_lock = threading.Lock()


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> bool: ...


class FileSmsBackend:
    """Appends each SMS to a JSON-lines file: what a real gateway would have sent, for tests and the demo."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / "prevention-sms.jsonl"

    def send(self, *, phone: str, text: str) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False)
        with _lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return True


class NoSmsBackend:
    def send(self, *, phone: str, text: str) -> bool:
        return False


def backend() -> SmsBackend:
    if settings.CONFIANCE_PREVENTION_SMS_BACKEND == "file":
        return FileSmsBackend(settings.CONFIANCE_PREVENTION_SMS_DIR)
    return NoSmsBackend()


def normalised_phone(phone: str) -> str:
    """Digits and a leading + only; "" when it cannot be a phone number."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return digits if 8 <= len(digits.lstrip("+")) <= 15 else ""


def send_sms(*, phone: str, text: str) -> bool:
    """Send one SMS through the configured backend; False when not sent (no backend, no valid number)."""
    number = normalised_phone(phone)
    if not number:
        return False
    return backend().send(phone=number, text=text[:SMS_MAX_LENGTH])
