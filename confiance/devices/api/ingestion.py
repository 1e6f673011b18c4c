"""Ingestion over HTTP: gateways' batches (platform JSON or SenML) and NGSI-LD notifications of a context broker.

Both endpoints authenticate the sender by its token (`Authorization: Bearer <prefix>.<secret>`: a gateway's, or a
device's own), never by an agent's session or API token. A refused token is a 401 and a (coalesced) security event.
Everything read is handed to `measurements_store`, the one entry point of every adapter; what it refuses is
dead-lettered with its reason and reported in the answer. The answer comes after the transaction has committed:
a 200 means stored (a redelivered batch is stored once). Bad input is a 4xx in the API's error shape, never a 5xx.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, UnreadablePostError
from django.utils import timezone
from ninja import Router, Status
from ninja.security import HttpBearer

from confiance.core.ratelimits import rate_limited
from confiance.devices.adapters.http.auth import Refusal, Sender, identify
from confiance.devices.adapters.http.batch import ACCEPTED, accepted, media_type, parse_batch
from confiance.devices.adapters.ngsild.notification import parse_notification
from confiance.devices.choices import DeadLetterReason, MeasurementSource
from confiance.devices.drafts import Parsed, Rejected
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.readings import MAX_PAYLOAD_BYTES
from confiance.devices.schemas import IngestionOut
from confiance.devices.services.credentials import failed_credentials_record
from confiance.devices.services.measurements import StoreResult, measurements_store

router = Router(tags=["Hypervision : ingestion"])

MAX_REJECTIONS_SHOWN = 100
NGSILD_TYPES = frozenset({"", "application/json", "application/ld+json"})


class SenderTokenAuth(HttpBearer):
    """A gateway's token, or a device's own; every refusal is counted as a security event."""

    openapi_description = ("Jeton de passerelle, ou d'un capteur pour ses propres mesures : "
                           "Authorization: Bearer <préfixe>.<secret>")

    def __call__(self, request: HttpRequest) -> Sender:
        outcome = identify(request.headers.get("Authorization", ""))
        if isinstance(outcome, Sender):
            return outcome
        self._count(request, outcome)
        raise DevicesError(DevicesErrorCode.GATEWAY_TOKEN_INVALID,
                           "Jeton de passerelle absent ou invalide.", status_code=401)

    def authenticate(self, request: HttpRequest, token: str) -> Sender | None:  # pragma: no cover (see __call__)
        outcome = identify(f"Bearer {token}")
        return outcome if isinstance(outcome, Sender) else None

    @staticmethod
    def _count(request: HttpRequest, refusal: Refusal) -> None:
        detail = f"{refusal.detail} ({request.path[:80]})" + (f", préfixe {refusal.prefix}" if refusal.prefix else "")
        failed_credentials_record(
            source=request.META.get("REMOTE_ADDR", ""), detail=detail, now=timezone.now(),
            commune_id=refusal.commune_id, gateway_id=refusal.gateway.id if refusal.gateway else None,
            device_id=refusal.device.id if refusal.device else None)


def _sender_name(sender: Sender) -> str:
    """The account a sender's rate limit counts: its gateway, or its device."""
    if sender.gateway is not None:
        return f"gateway:{sender.gateway.id}"
    return f"device:{sender.device.id}" if sender.device is not None else ""


def _store(parsed: Parsed, sender: Sender, *, source: str, now: datetime) -> StoreResult:
    if sender.gateway is not None:
        return measurements_store(parsed, source=source, gateway=sender.gateway, now=now)
    return measurements_store(parsed, source=source, commune_id=sender.commune_id, now=now)


def _summary(result: StoreResult) -> dict:
    shown = [{"reason": str(item.reason), "label": str(DeadLetterReason(item.reason).label),
              "device": item.device, "detail": item.detail} for item in result.rejections[:MAX_REJECTIONS_SHOWN]]
    return {"stored": result.stored, "duplicates": result.duplicates, "rejected": result.rejected,
            "rejections": shown, "truncated": len(result.rejections) > MAX_REJECTIONS_SHOWN}


def _refuse(parsed: Parsed, sender: Sender, *, source: str, now: datetime, code: str, message: str,
            status: int, extra: dict | None = None) -> DevicesError:
    """Dead-letter what was refused, then the error to raise (its details carry the reasons)."""
    result = _store(parsed, sender, source=source, now=now)
    return DevicesError(code, message, details={**_summary(result), **(extra or {})}, status_code=status)


def _read_body(request: HttpRequest, sender: Sender, *, source: str, now: datetime) -> bytes:
    """The body, at most MAX_PAYLOAD_BYTES (413 and a dead letter beyond)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    raw = b""
    if declared <= MAX_PAYLOAD_BYTES:
        try:
            raw = request.read(MAX_PAYLOAD_BYTES + 1)
        except UnreadablePostError:
            raise _refuse(Parsed(rejected=[Rejected(reason=DeadLetterReason.MALFORMED, device=sender.own_device,
                                                    detail="corps de requête illisible")]),
                          sender, source=source, now=now, code=DevicesErrorCode.PAYLOAD_MALFORMED,
                          message="Corps de requête illisible.", status=400) from None
    size = max(declared, len(raw))
    if size > MAX_PAYLOAD_BYTES:
        letter = Rejected(reason=DeadLetterReason.OVERSIZE, detail=f"{size} octets ou plus", device=sender.own_device,
                          payload=raw[:500].decode("utf-8", "replace"))
        raise _refuse(Parsed(rejected=[letter]), sender, source=source, now=now,
                      code=DevicesErrorCode.PAYLOAD_TOO_LARGE,
                      message=f"Lot trop volumineux : au plus {MAX_PAYLOAD_BYTES} octets.", status=413)
    return raw


def _unsupported(request: HttpRequest, sender: Sender, raw: bytes, *, source: str, now: datetime,
                 expected: str) -> DevicesError:
    shown = media_type(request.headers.get("Content-Type", ""))[:60]
    letter = Rejected(reason=DeadLetterReason.MALFORMED, detail=f"type de contenu {shown!r} non pris en charge",
                      device=sender.own_device, payload=raw[:500].decode("utf-8", "replace"))
    return _refuse(Parsed(rejected=[letter]), sender, source=source, now=now,
                   code=DevicesErrorCode.PAYLOAD_MALFORMED,
                   message=f"Type de contenu non pris en charge (attendu : {expected}).", status=415)


def _unreadable(parsed: Parsed, sender: Sender, *, source: str, now: datetime) -> DevicesError:
    if parsed.rejected and all(item.reason == DeadLetterReason.OVERSIZE for item in parsed.rejected):
        return _refuse(parsed, sender, source=source, now=now, code=DevicesErrorCode.PAYLOAD_TOO_LARGE,
                       message="Lot trop volumineux.", status=413)
    return _refuse(parsed, sender, source=source, now=now, code=DevicesErrorCode.PAYLOAD_MALFORMED,
                   message="Lot illisible : aucune mesure n'a pu être lue.", status=400)


_BATCH_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"description": "Un message {device, time, values} ou un tableau de messages",
                                    "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}},
    "application/senml+json": {"schema": {"description": "Pack SenML (RFC 8428)", "type": "array",
                                          "items": {"type": "object"}}},
}}}

_NGSILD_BODY = {"requestBody": {"required": True, "content": {
    media: {"schema": {"description": "Notification NGSI-LD : {type: Notification, subscriptionId, data: [...]}",
                       "type": "object"}}
    for media in ("application/json", "application/ld+json")
}}}


@router.post("/gateways/measurements", auth=SenderTokenAuth(), response={200: IngestionOut},
             summary="Lot de mesures d'une passerelle (JSON de la plateforme ou SenML)", openapi_extra=_BATCH_BODY)
@rate_limited("gateway", account=lambda request: _sender_name(request.auth))
def gateway_measurements(request: HttpRequest):
    sender: Sender = request.auth
    now = timezone.now()
    source = MeasurementSource.HTTP
    raw = _read_body(request, sender, source=source, now=now)
    content_type = request.headers.get("Content-Type", "")
    if not accepted(content_type):
        raise _unsupported(request, sender, raw, source=source, now=now, expected=" ou ".join(ACCEPTED))
    parsed = parse_batch(raw, content_type=content_type, sender=sender, now=now)
    if not parsed.readings:
        raise _unreadable(parsed, sender, source=source, now=now)
    return Status(200, _summary(_store(parsed, sender, source=source, now=now)))


@router.post("/ngsi-ld/notify", auth=SenderTokenAuth(), response={200: IngestionOut},
             summary="Notification NGSI-LD d'un courtier de contexte (Smart Data Models)", openapi_extra=_NGSILD_BODY)
@rate_limited("gateway", account=lambda request: _sender_name(request.auth))
def ngsild_notify(request: HttpRequest):
    sender: Sender = request.auth
    now = timezone.now()
    source = MeasurementSource.NGSILD
    raw = _read_body(request, sender, source=source, now=now)
    if media_type(request.headers.get("Content-Type", "")) not in NGSILD_TYPES:
        raise _unsupported(request, sender, raw, source=source, now=now,
                           expected="application/json ou application/ld+json")
    notification = parse_notification(raw)
    if notification.malformed:
        raise _unreadable(notification.parsed, sender, source=source, now=now)
    if notification.refused:
        errors = [{"entity": item.entity, "type": item.entity_type, "attribute": item.problem.attribute,
                   "rule": item.problem.rule, "detail": item.problem.detail}
                  for item in notification.refused[:MAX_REJECTIONS_SHOWN]]
        first = notification.refused[0]
        raise _refuse(notification.parsed, sender, source=source, now=now, code=DevicesErrorCode.SCHEMA_INVALID,
                      message=(f"Notification refusée : {len(notification.refused)} entité(s) non conforme(s) aux "
                               f"Smart Data Models ({first.entity_type or 'entité'} : {first.problem.describe()}) ; "
                               "rien n'a été enregistré."),
                      status=400, extra={"errors": errors})
    return Status(200, _summary(_store(sender.restrict(notification.parsed), sender, source=source, now=now)))
