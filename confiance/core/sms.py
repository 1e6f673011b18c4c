"""The platform's SMS gateway, pluggable: `CONFIANCE_SMS_BACKEND` names the class (docs/configuration.md).

One gateway for every app that texts someone: the population alerts' SMS channel (throttled by its delivery worker)
and the réserve communale's mobilisations. A backend has `send(*, phone, text, key)` (raises on refusal) and
`already_sent(key)` (False when it cannot tell), `key` naming the message once (an alert's delivery row, a
volunteer's call), so a retried send can be recognised. `FileSmsBackend`, for the demo and tests, appends one line
per SMS to `CONFIANCE_SMS_FILE`; an operator's gateway (an HTTP API of a telecom operator) is a class of the same
shape, named in the setting.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
SMS_MAX_LENGTH = 480  # three concatenated SMS


class SmsBackend:
    """The interface of an SMS gateway."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        raise NotImplementedError

    def already_sent(self, key: str) -> bool:
        return False


class FileSmsBackend(SmsBackend):
    """One tab-separated line per SMS (time, key, number, text) appended to a file; knows what it already wrote."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = Path(path) if path else None

    @property
    def path(self) -> Path:
        return self._path or Path(settings.CONFIANCE_SMS_FILE)

    def send(self, *, phone: str, text: str, key: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = "\t".join((datetime.now(UTC).isoformat(timespec="seconds"), key, phone,
                          " ".join(text.split()))) + "\n"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode("utf-8"))  # one write per line: lines never interleave
        finally:
            os.close(descriptor)

    def already_sent(self, key: str) -> bool:
        if not self.path.exists():
            return False
        marker = f"\t{key}\t"
        with self.path.open(encoding="utf-8") as lines:
            return any(marker in line for line in lines)


@lru_cache(maxsize=4)
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


def backend() -> SmsBackend:
    """The gateway named by CONFIANCE_SMS_BACKEND."""
    return _backend(settings.CONFIANCE_SMS_BACKEND)


def normalised_phone(phone: str) -> str:
    """Digits and a leading + only; "" when it cannot be a phone number."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return digits if 8 <= len(digits.lstrip("+")) <= 15 else ""


def send_sms(*, phone: str, text: str, key: str) -> bool:
    """Send one SMS now through the gateway; False when the number cannot be one or the gateway refused (logged)."""
    number = normalised_phone(phone)
    if not number:
        return False
    try:
        backend().send(phone=number, text=text[:SMS_MAX_LENGTH], key=key)
    except Exception:
        logger.exception("SMS %s refused by the gateway", key)
        return False
    return True
