"""SMS channel through a pluggable gateway: `CONFIANCE_SMS_BACKEND` names the class, throttled by the worker.

A backend has `send(*, phone, text, key)` (raise on refusal) and `already_sent(key)` (False when it cannot tell).
`FileSmsBackend`, for the demo and tests, writes one line per SMS to `CONFIANCE_SMS_FILE`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from confiance.alerts.channels import Outgoing, Report


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


def send_batch(items: Sequence[Outgoing], report: Report) -> None:
    gateway = backend()
    for item in items:
        if item.retried and gateway.already_sent(item.key):
            report(item, None)
            continue
        try:
            gateway.send(phone=item.address, text=item.short_text, key=item.key)
        except Exception as error:
            report(item, str(error)[:300] or error.__class__.__name__)
            continue
        report(item, None)
