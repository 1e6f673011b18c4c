"""A gateway's HTTP batch read by its content type: the platform JSON (`readings`) or SenML (`senml`)."""

from __future__ import annotations

from datetime import datetime

from confiance.devices.adapters.http.auth import Sender
from confiance.devices.adapters.http.senml import CONTENT_TYPE as SENML
from confiance.devices.adapters.http.senml import parse_senml
from confiance.devices.drafts import Parsed
from confiance.devices.readings import parse_payload

JSON_TYPES = frozenset({"", "application/json", "text/json"})
ACCEPTED = ("application/json", SENML)


def media_type(content_type: str) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def accepted(content_type: str) -> bool:
    media = media_type(content_type)
    return media in JSON_TYPES or media == SENML


def parse_batch(raw: bytes, *, content_type: str, sender: Sender, now: datetime) -> Parsed:
    """Readings of a batch; a device's own token limits them to that device (others are refused by the parsers)."""
    if media_type(content_type) == SENML:
        return parse_senml(raw, device=sender.own_device, now=now)
    return parse_payload(raw, device=sender.own_device)
