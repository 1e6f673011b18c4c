"""Private links of people without an account: a referent's page, a volunteer's answer to a mobilisation.

A referent's link carries a signed (referent id, secret); only the secret's SHA-256 is stored, so a new link or
a revocation makes the old one worthless. A volunteer's answer link is signed over (mobilisation, volunteer) and
lives as long as the mobilisation is open.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

REFERENT_SALT = "confiance.prevention.referent"
ANSWER_SALT = "confiance.prevention.reserve-answer"
TOKEN_MAX_LENGTH = 300


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_referent_token(referent_id: int) -> tuple[str, str]:
    """(token for the link, hash to store)."""
    secret = secrets.token_urlsafe(24)
    return signing.dumps({"r": referent_id, "s": secret}, salt=REFERENT_SALT, compress=True), secret_hash(secret)


@dataclass(frozen=True)
class ReferentClaim:
    referent_id: int
    secret_hash: str

    def matches(self, stored_hash: str) -> bool:
        return bool(stored_hash) and hmac.compare_digest(stored_hash, self.secret_hash)


def read_referent_token(token: str) -> ReferentClaim | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=REFERENT_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("s"), str):
        return None
    if not 0 < data["r"] < 2**63:
        return None
    return ReferentClaim(referent_id=data["r"], secret_hash=secret_hash(data["s"]))


def answer_token(mobilisation_id: int, volunteer_id: int) -> str:
    return signing.dumps({"m": mobilisation_id, "v": volunteer_id}, salt=ANSWER_SALT, compress=True)


def read_answer_token(token: str) -> tuple[int, int] | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=ANSWER_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    ids = data.get("m"), data.get("v")
    if not all(isinstance(value, int) and 0 < value < 2**63 for value in ids):
        return None
    return ids[0], ids[1]  # type: ignore[return-value]


def absolute(path: str) -> str:
    return settings.CONFIANCE_PUBLIC_URL.rstrip("/") + path


def referent_page_url(token: str) -> str:
    return absolute(reverse("prevention:referent_page", args=[token]))


def answer_url(token: str) -> str:
    return absolute(reverse("prevention:reserve_answer", args=[token]))
