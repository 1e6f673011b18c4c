"""The RSSI's view of the platform's own security, per commune: lockouts, 2FA, inactive accounts, admin actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from confiance.privacy.models import AuditEntry

ROWS = 200


@dataclass(frozen=True)
class AgentSecurity:
    agent_id: int
    username: str
    roles: tuple[str, ...]
    needs_second_factor: bool
    has_second_factor: bool
    last_login: object
    failed_logins: int
    inactive: bool


def agents_security(commune_id: int) -> list[AgentSecurity]:
    """Every agent with a role in the commune: 2FA needed and enrolled, last login, failures, inactivity."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from confiance.accounts.choices import SECOND_FACTOR_ROLES, Role
    from confiance.accounts.models import Agent

    agents = list(Agent.objects.filter(memberships__commune_id=commune_id).distinct()
                  .prefetch_related("memberships").order_by("username")[:2000])
    enrolled = set(TOTPDevice.objects.filter(user__in=agents, confirmed=True).values_list("user_id", flat=True))
    cutoff = timezone.now() - timedelta(days=settings.CONFIANCE_INACTIVE_ACCOUNT_DAYS)
    rows = []
    for agent in agents:
        roles = [membership.role for membership in agent.memberships.all() if membership.commune_id == commune_id]
        seen = agent.last_login or agent.date_joined
        rows.append(AgentSecurity(
            agent.pk, agent.username, tuple(str(Role(role).label) for role in roles if role in Role.values),
            agent.is_superuser or any(role in SECOND_FACTOR_ROLES for role in roles), agent.pk in enrolled,
            agent.last_login, agent.failed_login_count, agent.is_active and seen < cutoff))
    return rows


def lockouts(commune_id: int, agent_ids: list[int]):
    """Lockouts journaled by accounts (`accounts.lockout`: the account and the address it was locked from)."""
    return (AuditEntry.objects.filter(action="accounts.lockout")
            .filter(Q(commune_id=commune_id) | Q(target_type="accounts.Agent",
                                                 target_id__in=[str(pk) for pk in agent_ids]))
            .order_by("-id")[:ROWS])


def admin_actions(commune_id: int):
    return AuditEntry.objects.filter(action__startswith="admin.", commune_id=commune_id).order_by("-id")[:ROWS]


def token_events(commune_id: int, agent_ids: list[int]):
    """Token creations and revocations of the commune's agents (failed presentations are not stored: see docs)."""
    return (AuditEntry.objects.filter(action__in=["accounts.token_create", "accounts.token_revoke"])
            .filter(Q(commune_id=commune_id) | Q(actor_id__in=agent_ids)).order_by("-id")[:ROWS])


def expired_tokens(agent_ids: list[int]):
    from confiance.accounts.models import ApiToken

    now = timezone.now()
    return ApiToken.objects.filter(agent_id__in=agent_ids, revoked_at__isnull=True,
                                   expires_at__lt=now).select_related("agent").order_by("-expires_at")[:ROWS]
