"""Writes about agents: creation, memberships, login failures and lockout (per account and address), API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import get_usage

from confiance.accounts.access import Actor, can_issue_enrolment_link
from confiance.accounts.choices import Permission, Role, SecurityEventKind
from confiance.accounts.errors import AccountError, AccountErrorCode
from confiance.accounts.models import Agent, ApiToken, EnrolmentLink, Membership, SecurityEvent
from confiance.core.errors import NotAuthenticatedError, NotFoundError
from confiance.privacy.services import audit_record
from confiance.territory.models import Commune

TOKEN_PREFIX = "cft"  # noqa: S105 - a public marker, not a secret


@transaction.atomic
def agent_create(
    *, actor: Actor | None, username: str, password: str, first_name: str = "", last_name: str = "",
    email: str = "", is_superuser: bool = False,
) -> Agent:
    """Create an agent with an Argon2-hashed password."""
    if Agent.objects.filter(username=username).exists():
        raise AccountError(AccountErrorCode.USERNAME_TAKEN, _("L'identifiant %(username)s est déjà pris.") % {
            "username": username}, status_code=409)
    agent = Agent(username=username, first_name=first_name, last_name=last_name, email=email,
                  is_superuser=is_superuser, is_staff=is_superuser)
    agent.set_password(password)
    agent.save()
    audit_record(actor=actor, action="accounts.agent_create", target=agent,
                 extra={"username": username, "superuser": is_superuser})
    return agent


@transaction.atomic
def membership_grant(*, actor: Actor | None, agent: Agent, commune: Commune, role: str) -> Membership:
    """Give an agent a role in a commune (idempotent)."""
    if role not in Role.values:
        raise AccountError(AccountErrorCode.ROLE_UNKNOWN, _("Rôle inconnu : %(role)s.") % {"role": role})
    if actor is not None:
        actor.require(Permission.ACCOUNTS_MANAGE, commune.pk)
    membership, created = Membership.objects.get_or_create(agent=agent, commune=commune, role=role)
    if created:
        audit_record(actor=actor, action="accounts.membership_grant", target=membership,
                     extra={"agent": agent.username, "role": role}, commune_id=commune.pk)
    return membership


# --- Security events: failed authentications counted for the RSSI --------------------------------------------------


def account_hash(name: str) -> str:
    """Keyed hash (SECRET_KEY) of a typed username or token prefix: the same name gives the same hash, so the RSSI
    sees how many names an address tried, but what was typed is not kept."""
    return salted_hmac("confiance.accounts.security-event", (name or "").strip().lower()[:300]).hexdigest()[:24]


def _bump(bucket: dict, now) -> bool:
    return SecurityEvent.objects.filter(**bucket).update(count=F("count") + 1, last_at=now) == 1


def security_event_record(*, kind: SecurityEventKind, name: str, ip: str, agent: Agent | None = None,
                          now=None) -> None:
    """Count one failed authentication (or a lockout) in its (kind, name, address, hour) counter.

    A conditional UPDATE first; a new counter only for a new bucket, and none past CONFIANCE_SECURITY_EVENTS_PER_HOUR
    rows in the hour: the failure then goes to the hour's overflow counter of its kind (no name, no address). The
    same statements run whether the account exists or not."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    bucket = {"kind": kind, "account_hash": account_hash(name), "ip_address": (ip or "")[:45], "hour": hour}
    if _bump(bucket, now):
        return
    if SecurityEvent.objects.filter(hour=hour).count() >= settings.CONFIANCE_SECURITY_EVENTS_PER_HOUR:
        bucket = {**bucket, "account_hash": SecurityEvent.OVERFLOW, "ip_address": ""}
        agent = None
        if _bump(bucket, now):
            return
    try:
        with transaction.atomic():
            SecurityEvent.objects.create(**bucket, agent=agent, count=1, first_at=now, last_at=now)
    except IntegrityError:  # created meanwhile by a concurrent failure
        _bump(bucket, now)


# --- Login lockout per (account, address) ---------------------------------------------------------------------


def _pair(username: str, ip: str) -> str:
    return hashlib.sha256(f"{username.strip().lower()}\n{ip}".encode()).hexdigest()


def _pair_rate() -> str:
    return f"{settings.CONFIANCE_LOCKOUT_THRESHOLD - 1}/{settings.CONFIANCE_LOCKOUT_MINUTES}m"


def login_pair_locked(*, username: str, ip: str) -> bool:
    """Whether this account (existing or not) is locked from this address after too many wrong passwords."""
    usage = get_usage(None, group="login-pair", key=lambda _g, _r: _pair(username, ip), rate=_pair_rate())
    return usage is not None and usage["should_limit"]


def agent_login_failed(*, agent: Agent | None, username: str, ip: str) -> bool:
    """Count a wrong password for the pair (account, address); True when the pair is now locked.

    The lock holds for this address only (CONFIANCE_LOCKOUT_MINUTES): an agent is never locked out from elsewhere.
    A lock of an existing account is journaled with its address."""
    usage = get_usage(None, group="login-pair", key=lambda _g, _r: _pair(username, ip), rate=_pair_rate(),
                      increment=True)
    locked = usage is not None and usage["should_limit"]
    if locked and usage["count"] == settings.CONFIANCE_LOCKOUT_THRESHOLD:
        security_event_record(kind=SecurityEventKind.LOCKOUT, name=username, ip=ip, agent=agent)
        if agent is not None:
            audit_record(actor=None, action="accounts.lockout", target=agent,
                         extra={"minutes": settings.CONFIANCE_LOCKOUT_MINUTES, "ip": ip})
    return locked


def agent_login_succeeded(*, agent: Agent) -> None:
    """Clear the failure counter and lock of the former, account-wide lockout (kept for accounts locked by it)."""
    if agent.failed_login_count or agent.locked_until:
        Agent.objects.filter(pk=agent.pk).update(failed_login_count=0, locked_until=None)


# --- API tokens ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is shown once and never stored."""

    token: ApiToken
    secret: str


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Actor | None, agent: Agent, name: str, communes: list[Commune], permissions: list[str],
    days: int = 90,
) -> IssuedToken:
    """Issue a token for an agent, limited to some of their communes and permissions."""
    unknown = sorted(set(permissions) - {p.value for p in Permission})
    if unknown or not permissions:
        raise AccountError(AccountErrorCode.TOKEN_SCOPE_INVALID,
                           _("Permissions inconnues ou absentes : %(permissions)s.") % {
                               "permissions": ", ".join(unknown) or _("aucune")},
                           details={"allowed": [p.value for p in Permission]})
    if not communes:
        raise AccountError(AccountErrorCode.TOKEN_SCOPE_INVALID, _("Un jeton doit viser au moins une commune."))
    if not 1 <= days <= settings.CONFIANCE_API_TOKEN_MAX_DAYS:
        raise AccountError(AccountErrorCode.TOKEN_LIFETIME_INVALID,
                           _("Durée de validité entre 1 et %(max)s jours.") % {
                               "max": settings.CONFIANCE_API_TOKEN_MAX_DAYS})
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        agent=agent, name=name[:120], prefix=prefix, key_hash=_hash_key(secret), permissions=sorted(permissions),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.communes.set(communes)
    audit_record(actor=actor, action="accounts.token_create", target=token,
                 extra={"agent": agent.username, "communes": [c.insee_code for c in communes],
                        "permissions": sorted(permissions), "days": days})
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: Actor | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; it is refused from the next request on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token_revoke", target=token)
    return token


def _token_refused(kind: SecurityEventKind, code: AccountErrorCode, message: str, *, prefix: str, ip: str,
                   token: ApiToken | None = None) -> NotAuthenticatedError:
    """Count the refused presentation (by the token's prefix, never its secret; unknown tokens by address alone) and
    build the error to raise."""
    security_event_record(kind=kind, name=prefix, ip=ip, agent=token.agent if token is not None else None)
    return NotAuthenticatedError(code, message)


def api_token_authenticate(secret: str, *, ip: str = "") -> Actor:
    """The actor behind a bearer token, or NotAuthenticatedError saying why it is refused (counted for the RSSI
    with the client's address `ip`)."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise _token_refused(SecurityEventKind.TOKEN_UNKNOWN, AccountErrorCode.TOKEN_INVALID,
                             _("Jeton d'API invalide."), prefix="", ip=ip)
    token = ApiToken.objects.select_related("agent").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.key_hash, _hash_key(secret)):
        raise _token_refused(SecurityEventKind.TOKEN_UNKNOWN, AccountErrorCode.TOKEN_INVALID,
                             _("Jeton d'API invalide."), prefix="", ip=ip)  # one counter per address
    now = timezone.now()
    if token.revoked_at is not None:
        raise _token_refused(SecurityEventKind.TOKEN_REVOKED, AccountErrorCode.TOKEN_REVOKED,
                             _("Ce jeton d'API a été révoqué."), prefix=token.prefix, ip=ip, token=token)
    if token.expires_at <= now:
        raise _token_refused(SecurityEventKind.TOKEN_EXPIRED, AccountErrorCode.TOKEN_EXPIRED,
                             _("Ce jeton d'API a expiré."), prefix=token.prefix, ip=ip, token=token)
    if not token.agent.is_active:
        raise _token_refused(SecurityEventKind.TOKEN_AGENT_INACTIVE, AccountErrorCode.TOKEN_AGENT_INACTIVE,
                             _("Le compte de ce jeton est désactivé."), prefix=token.prefix, ip=ip, token=token)
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Actor(agent=token.agent, token=token)


# --- Second factor (TOTP, through django-otp) ------------------------------------------------


@dataclass(frozen=True)
class IssuedEnrolmentLink:
    """A new enrolment link: its secret is shown once to the administrator and never stored."""

    link: EnrolmentLink
    secret: str


@transaction.atomic
def enrolment_link_issue(*, actor: Actor, agent: Agent, hours: int | None = None) -> IssuedEnrolmentLink:
    """Issue the single-use, expiring link with which `agent` may enrol an authenticator; earlier links lapse."""
    if not can_issue_enrolment_link(actor, agent):
        raise NotFoundError()
    hours = hours or settings.CONFIANCE_2FA_ENROLMENT_LINK_HOURS
    if not 1 <= hours <= settings.CONFIANCE_2FA_ENROLMENT_LINK_HOURS:
        raise AccountError(AccountErrorCode.ENROLMENT_LINK_LIFETIME_INVALID,
                           _("Durée de validité entre 1 et %(max)s heures.") % {
                               "max": settings.CONFIANCE_2FA_ENROLMENT_LINK_HOURS})
    now = timezone.now()
    EnrolmentLink.objects.filter(agent=agent, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    secret = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(agent=agent, key_hash=_hash_key(secret), issued_by=actor.agent,
                                        created_at=now, expires_at=now + timedelta(hours=hours))
    audit_record(actor=actor, action="accounts.enrolment_link_issue", target=agent,
                 extra={"agent": agent.username, "link": link.pk, "hours": hours})
    return IssuedEnrolmentLink(link=link, secret=secret)


@transaction.atomic
def enrolment_link_redeem(*, agent: Agent, secret: str) -> EnrolmentLink | None:
    """Use an enrolment link (once, before it expires, by the agent it was issued for); None when refused.

    Any authenticator left unconfirmed is discarded, so the one enrolled next has a secret nobody saw before.
    """
    now = timezone.now()
    key_hash = _hash_key(secret or "")
    claimed = EnrolmentLink.objects.filter(key_hash=key_hash, agent=agent, used_at__isnull=True,
                                           expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        return None
    link = EnrolmentLink.objects.get(key_hash=key_hash)
    TOTPDevice.objects.filter(user=agent, confirmed=False).delete()
    audit_record(actor=agent, action="accounts.enrolment_link_redeem", target=agent, extra={"link": link.pk})
    return link


def totp_device_pending(*, agent: Agent):
    """The agent's unconfirmed authenticator, created on first call (enrolment in progress).

    Callers let an agent get here only through a redeemed enrolment link (views.second_factor_enrol).
    """
    device = TOTPDevice.objects.filter(user=agent, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=agent, name="Application d'authentification", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, agent: Agent, code: str, link_id: int | None = None):
    """Confirm enrolment with a first valid code; returns the device, or None if the code is wrong."""
    device = totp_device_pending(agent=agent)
    if not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=agent, action="accounts.totp_enrol", target=agent, extra={"link": link_id})
    return device


def totp_verify(*, agent: Agent, code: str):
    """The confirmed device that accepts this code, or None."""
    for device in devices_for_user(agent, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def agent_has_confirmed_device(agent: Agent) -> bool:
    return user_has_device(agent, confirmed=True)
