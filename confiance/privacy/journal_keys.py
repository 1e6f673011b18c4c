"""The key of the audit journal's MACs (ADR 0009), kept outside the database.

Sources, first found wins: `CONFIANCE_AUDIT_KEY` (hex, 32 bytes or more; production), else the key file
(`CONFIANCE_AUDIT_KEY_FILE`, by default `audit.key` in the data folder), created with permissions 0600 on first use
(`confiance migrate` at install, or the first start). The key file holds one hex key per line, the newest last: the
newest signs, every key still verifies. `CONFIANCE_AUDIT_RETIRED_KEYS` (hex keys, comma-separated) lists retired
keys when the current one comes from the environment. A key is named by its id (16 hex digits of a SHA-256 of it),
recorded on every entry and checkpoint it signs: rotating means adding a key, never removing one still in use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KEY_BYTES = 32


@dataclass(frozen=True)
class JournalKey:
    key_id: str
    secret: bytes

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keyring:
    current: JournalKey
    by_id: dict[str, JournalKey]

    def get(self, key_id: str) -> JournalKey | None:
        return self.by_id.get(key_id)


def key_id_of(secret: bytes) -> str:
    return hashlib.sha256(b"confiance-audit-key-id:" + secret).hexdigest()[:16]


def _parse(text: str, origin: str) -> bytes:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{origin} : clé du journal d'audit illisible (hexadécimal attendu).") from None
    if len(secret) < KEY_BYTES:
        raise ImproperlyConfigured(f"{origin} : la clé du journal d'audit doit faire {KEY_BYTES} octets au moins.")
    return secret


def key_file() -> Path:
    return Path(settings.CONFIANCE_AUDIT_KEY_FILE)


def ensure_key_file(path: Path) -> list[bytes]:
    """The keys of the file, creating it (0600, one new random key) when it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise ImproperlyConfigured(f"{path} : fichier de clé du journal d'audit vide.")
    return [_parse(line, str(path)) for line in lines]


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    """Every key that verifies; the current one signs."""
    from_env = (settings.CONFIANCE_AUDIT_KEY or "").strip()
    if from_env:
        secrets_ = [_parse(value, "CONFIANCE_AUDIT_RETIRED_KEYS") for value in settings.CONFIANCE_AUDIT_RETIRED_KEYS]
        secrets_.append(_parse(from_env, "CONFIANCE_AUDIT_KEY"))
    else:
        secrets_ = ensure_key_file(key_file())
    keys = [JournalKey(key_id_of(secret), secret) for secret in secrets_]
    return Keyring(current=keys[-1], by_id={key.key_id: key for key in keys})


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONFIANCE_AUDIT_"):
        keyring.cache_clear()
