"""Web Push of the field page: the installation's VAPID keys, agents' subscriptions, notifications for a unit's crew.

A notification is a PushDelivery row written in the transaction of what caused it (an engagement, a message);
after commit a django-tasks job claims the rows with a conditional UPDATE (pending -> sending, with a claim token)
before anything leaves, so two senders never send the same row. Delivered rows are deleted (their payload may carry
a message's text); a subscription the push service no longer knows (404, 410) is removed with its rows.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import PushDelivery, PushSubscription, Unit

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=10)
TTL_SECONDS = 3600  # a mission notification older than an hour is of no use
GONE = (404, 410)


# --- VAPID keys ---------------------------------------------------------------------------------


def _write_new_key(path: Path) -> None:
    """Generate a key pair and link it into place (mode 0600); a concurrent first start keeps the first one."""
    from py_vapid import Vapid02

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, candidate = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # created 0600
    os.close(descriptor)
    try:
        vapid = Vapid02()
        vapid.generate_keys()
        vapid.save_key(candidate)
        os.chmod(candidate, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(candidate, path)
    finally:
        os.unlink(candidate)


@lru_cache(maxsize=4)
def _vapid_for(path: str) -> Any:
    from py_vapid import Vapid02

    if not Path(path).exists():
        _write_new_key(Path(path))
    return Vapid02.from_file(path)


def vapid_key() -> Any:
    """The installation's VAPID key (py_vapid.Vapid02), generated in the data folder on first use."""
    return _vapid_for(str(settings.CONFIANCE_VAPID_KEY_FILE))


def vapid_public_key() -> str:
    """The public key browsers subscribe with (`applicationServerKey`): the raw point, base64url."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = vapid_key().public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- Subscriptions ------------------------------------------------------------------------------


def _decoded(value: str, length: int) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


def _local_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def _check_subscription(endpoint: str, p256dh: str, auth: str) -> None:
    parts = urlsplit(endpoint)
    allow_local = settings.CONFIANCE_PUSH_ALLOW_LOCAL
    scheme_ok = parts.scheme == "https" or (allow_local and parts.scheme == "http")
    # The server posts to this address: never to a host of the local network unless the installation allows it.
    if not scheme_ok or not parts.hostname or (_local_host(parts.hostname) and not allow_local):
        raise OperationsError(OperationsErrorCode.PUSH_SUBSCRIPTION_INVALID,
                              _("Adresse du service de notification refusée (https public requis)."))
    point = _decoded(p256dh, 65)
    if point is None or point[0] != 4 or _decoded(auth, 16) is None:
        raise OperationsError(OperationsErrorCode.PUSH_SUBSCRIPTION_INVALID,
                              _("Clés de l'abonnement aux notifications invalides."))


def push_subscription_save(*, actor: Actor, endpoint: str, p256dh: str, auth: str,
                           session_key: str = "") -> PushSubscription:
    """Record this browser's subscription for the agent (a browser signed in by another agent now notifies this one),
    tied to the session that asked, so that signing out of it forgets the subscription."""
    if not actor.can_anywhere(Permission.OPERATIONS_FIELD):
        raise OperationsError(OperationsErrorCode.PUSH_NOT_FIELD,
                              _("Les notifications sont réservées aux agents de terrain."), status_code=403)
    endpoint = endpoint.strip()
    _check_subscription(endpoint, p256dh.strip(), auth.strip())
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"agent": actor.agent, "p256dh": p256dh.strip(), "auth": auth.strip(),
                                     "session_key": (session_key or "")[:40]})
    return subscription


def push_subscriptions_forget_session(*, agent_id: int, session_key: str | None) -> int:
    """On sign-out: the subscriptions this session made stop notifying the agent; how many were removed."""
    if not session_key:
        return 0
    deleted, _details = PushSubscription.objects.filter(agent_id=agent_id, session_key=session_key).delete()
    return deleted


def push_subscription_delete(*, actor: Actor, endpoint: str) -> int:
    """Forget the agent's subscription at this address (another agent's is left alone); how many were removed."""
    deleted, _details = PushSubscription.objects.filter(agent=actor.agent, endpoint=endpoint.strip()).delete()
    return 1 if deleted else 0


# --- Queueing -----------------------------------------------------------------------------------


def push_notify_unit(*, unit: Unit, title: str, body: str, tag: str) -> list[int]:
    """Queue a notification for every subscription of the unit's crew, in the caller's transaction; sent after
    commit by the background job."""
    subscriptions = list(PushSubscription.objects.filter(agent__in=unit.agents.all()).values_list("pk", flat=True))
    if not subscriptions:
        return []
    payload = {"title": title, "body": body[:300], "tag": tag, "url": "/agents/terrain/"}
    rows = PushDelivery.objects.bulk_create([PushDelivery(subscription_id=pk, payload=payload)
                                             for pk in subscriptions])
    ids = [row.pk for row in rows]

    def enqueue() -> None:
        from confiance.operations.tasks import push_send_task

        push_send_task.enqueue(ids)

    transaction.on_commit(enqueue)
    return ids


def push_notify_assignment(*, unit: Unit, number: str, label: str, address: str) -> list[int]:
    """A new engagement of the unit: "Nouvelle mission" with the intervention's number, type and place."""
    body = " · ".join(part for part in (number, label, address) if part)
    return push_notify_unit(unit=unit, title=_("Nouvelle mission"), body=body, tag=f"mission-{number}")


# --- Sending ------------------------------------------------------------------------------------


def _claim(ids: Iterable[int] | None, limit: int) -> tuple[str, list[PushDelivery]]:
    """Take rows with a conditional UPDATE (pending, or claimed too long ago) before anything leaves."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status="pending") | Q(status="sending", claimed_at__lt=now - CLAIM_TIMEOUT)
    candidates = PushDelivery.objects.filter(claimable)
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    chosen = list(candidates.order_by("id").values_list("pk", flat=True)[:limit])
    PushDelivery.objects.filter(claimable, pk__in=chosen).update(status="sending", claim_token=token, claimed_at=now)
    rows = list(PushDelivery.objects.filter(claim_token=token, status="sending").select_related("subscription"))
    return token, rows


def _send_one(delivery: PushDelivery) -> int | None:
    """Send one notification: None when delivered, else the HTTP status refused (0: no answer)."""
    from pywebpush import WebPushException, webpush

    subscription = delivery.subscription
    try:
        webpush(subscription_info={"endpoint": subscription.endpoint,
                                   "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                data=json.dumps(delivery.payload, ensure_ascii=False), vapid_private_key=vapid_key(),
                vapid_claims={"sub": settings.CONFIANCE_VAPID_SUBJECT}, ttl=TTL_SECONDS, timeout=10)
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else 0
        logger.warning("push %s refused: %s", delivery.pk, status)
        return status
    except Exception as error:  # an unreachable push service: keep the row for a later attempt
        logger.warning("push %s not sent: %s", delivery.pk, error)
        return 0
    return None


def push_send(*, ids: Iterable[int] | None = None, limit: int = 200) -> dict[str, int]:
    """Claim pending notifications (these, or the oldest) and send them: counts of sent, failed, removed."""
    token, rows = _claim(ids, limit)
    counts = {"sent": 0, "failed": 0, "removed": 0}
    for delivery in rows:
        status = _send_one(delivery)
        if status is None:
            PushDelivery.objects.filter(pk=delivery.pk, claim_token=token).delete()
            counts["sent"] += 1
        elif status in GONE:  # the browser unsubscribed or the subscription expired
            PushSubscription.objects.filter(pk=delivery.subscription_id).delete()
            counts["removed"] += 1
        else:
            attempts = delivery.attempts + 1
            PushDelivery.objects.filter(pk=delivery.pk, claim_token=token).update(
                attempts=attempts, status="failed" if attempts >= MAX_ATTEMPTS else "pending", claim_token="",
                claimed_at=None)
            counts["failed"] += 1
    return counts
