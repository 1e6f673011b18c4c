"""Delivery channels of population alerts: one module per kind (email, sms, push), each with `send_batch`.

A channel receives `Outgoing` messages, hands each to its gateway and reports, per message, None (handed over) or
an error text. Each message carries a stable key (`alerte-<alert>-<delivery>`): the e-mail's Message-ID, the SMS
gateway's client reference, the push Topic; a message handed over just before a crash and sent again after the
restart carries the same key, by which the gateway (or the reader's mail program) recognises it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """One message to hand to a gateway."""

    key: str
    address: str  # e-mail address, phone number or push endpoint
    subject: str
    text: str
    short_text: str
    url: str
    unsubscribe_url: str
    retried: bool = False  # claimed before: ask the gateway whether it already has it, where it can tell
    push_keys: tuple[str, str] = ("", "")


# Called once per message, as soon as it is handed over (None) or refused (an error text): the caller records it
# at once, so a crash loses at most the message in flight.
Report = Callable[[Outgoing, str | None], None]
