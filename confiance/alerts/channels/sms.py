"""SMS channel of the alerts through the platform's gateway (`core/sms.py`, `CONFIANCE_SMS_BACKEND`), throttled by
the delivery worker. `FileSmsBackend` and `backend` are the core's, named here too for the settings of earlier
installations."""

from __future__ import annotations

from collections.abc import Sequence

from confiance.alerts.channels import Outgoing, Report
from confiance.core.sms import FileSmsBackend, SmsBackend, backend

__all__ = ["FileSmsBackend", "SmsBackend", "backend", "send_batch"]


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
