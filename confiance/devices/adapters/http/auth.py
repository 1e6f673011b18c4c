"""Who is posting: a gateway token, or a device's own token (`<prefix>.<secret>`), checked against the registry.

The prefix finds the gateway (or device) in the per-process registry; the secret's SHA-256 is compared in constant
time with the stored hash. A gateway writes the devices of its commune; a device only its own measurements.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from confiance.devices.choices import DeadLetterReason
from confiance.devices.drafts import Parsed, Rejected
from confiance.devices.registry import DeviceEntry, GatewayEntry, current_registry

MAX_TOKEN_LENGTH = 200
_DUMMY_HASH = hashlib.sha256(b"confiance-no-such-token").hexdigest()


@dataclass(frozen=True, slots=True)
class Sender:
    """An authenticated sender: a gateway, or a device posting for itself."""

    gateway: GatewayEntry | None = None
    device: DeviceEntry | None = None

    @property
    def commune_id(self) -> int:
        entry = self.gateway if self.gateway is not None else self.device
        assert entry is not None
        return entry.commune_id

    @property
    def own_device(self) -> str:
        """The identifier a device token restricts the batch to ('' for a gateway)."""
        return self.device.identifier if self.device is not None else ""

    def restrict(self, parsed: Parsed) -> Parsed:
        """A device token writes its own readings only: the others are refused (`forbidden`)."""
        own = self.own_device
        if not own:
            return parsed
        kept = Parsed(rejected=list(parsed.rejected))
        for reading in parsed.readings:
            if reading.device == own:
                kept.readings.append(reading)
            else:
                kept.rejected.append(Rejected(reason=DeadLetterReason.FORBIDDEN, device=reading.device,
                                              detail="un capteur ne peut écrire que ses propres mesures"))
        return kept


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why credentials were refused (kept in the security event, never told to the caller)."""

    reason: str  # missing, malformed, unknown, secret, inactive
    detail: str
    prefix: str = ""
    gateway: GatewayEntry | None = None
    device: DeviceEntry | None = None

    @property
    def commune_id(self) -> int | None:
        entry = self.gateway if self.gateway is not None else self.device
        return entry.commune_id if entry is not None else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def identify(authorization: str) -> Sender | Refusal:
    """The sender named by an `Authorization` header value (`Bearer <prefix>.<secret>`), or why it is refused."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if not scheme:
        return Refusal("missing", "aucun jeton")
    if scheme.lower() != "bearer" or not token:
        return Refusal("malformed", "en-tête Authorization sans jeton Bearer")
    if len(token) > MAX_TOKEN_LENGTH or "." not in token:
        return Refusal("malformed", "jeton mal formé (préfixe.secret attendu)")
    prefix, _, secret = token.partition(".")
    prefix = prefix[:12]
    registry = current_registry()
    gateway = registry.gateways_by_prefix.get(prefix)
    if gateway is not None:
        if not secrets.compare_digest(_digest(secret), gateway.token_hash):
            return Refusal("secret", "secret erroné pour cette passerelle", prefix, gateway=gateway)
        if not gateway.active:
            return Refusal("inactive", "passerelle désactivée", prefix, gateway=gateway)
        return Sender(gateway=gateway)
    known = registry.devices_by_token_prefix.get(prefix)
    if known is not None:
        device, token_hash = known
        if not secrets.compare_digest(_digest(secret), token_hash):
            return Refusal("secret", "secret erroné pour ce capteur", prefix, device=device)
        if not device.active:
            return Refusal("inactive", "capteur désactivé", prefix, device=device)
        return Sender(device=device)
    secrets.compare_digest(_digest(secret), _DUMMY_HASH)  # same work whether the prefix exists or not
    return Refusal("unknown", "préfixe de jeton inconnu", prefix)
