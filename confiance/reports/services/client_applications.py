"""Open311 client applications: registration with a key shown once, authentication by that key."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.core.actors import Acting
from confiance.privacy.services import audit_record
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.models import ClientApplication
from confiance.reports.reference import Reference, reference_cache
from confiance.territory.models import Commune

# A client's last use is written at most this often (the authentication is on every Open311 POST).
LAST_USED_PRECISION = timedelta(minutes=5)


def client_key_hash(key: str) -> str:
    """What is stored of a client's key."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def client_application_create(*, actor: Acting, name: str, key: str = "",
                              communes: Iterable[Commune] = ()) -> tuple[ClientApplication, str]:
    """Register an Open311 client; returns the key once (a chosen key is allowed only in demo mode)."""
    if key and not settings.DEMO_MODE:
        raise ReportError(ReportErrorCode.CHOSEN_KEY_REFUSED, _("Une clé choisie n'est permise qu'en mode démo."))
    key = key or f"o311_{secrets.token_urlsafe(32)}"
    client, _created = ClientApplication.objects.update_or_create(
        name=name, defaults={"key_prefix": key[:8], "key_hash": client_key_hash(key), "active": True})
    client.communes.set(list(communes))
    audit_record(actor=actor, action="reports.client_create", target=("reports.clientapplication", client.pk),
                 extra={"name": name})
    return client, key


def client_application_authenticate(key: str | None, reference: Reference | None = None) -> ClientApplication:
    """The active client application holding this key; refused (403) without one."""
    if not key:
        raise ReportError(ReportErrorCode.API_KEY_MISSING, _("Clé d'API manquante (api_key)."), status_code=403)
    found = (reference or reference_cache.current()).client(client_key_hash(key.strip()))
    if found is None:
        raise ReportError(ReportErrorCode.API_KEY_INVALID, _("Clé d'API inconnue ou révoquée."), status_code=403)
    client, now = found.client, timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_PRECISION:
        ClientApplication.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now  # the cached instance; no signal, so the cache stays
    return client
