"""The RSSI's view of the platform's own security, per commune: failed logins and token presentations (per agent
account and per source address, over a period), lockouts, 2FA, inactive accounts, admin actions.

Failures of the commune's agents are the commune's; failures on no account (a name nobody has, an unknown token) are
attacks on the one platform every commune shares: each RSSI sees them, by address, as counts (the names tried are
kept only as keyed hashes, shown as a number of distinct names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from confiance.privacy.models import AuditEntry

ROWS = 200
PERIOD_DAYS = (1, 7, 30, 90, 365)
DEFAULT_PERIOD_DAYS = 30
EXPORT_ROWS = 50_000


def period_days(raw) -> int:
    """The period asked for (?jours=), one of PERIOD_DAYS; anything else gives the default."""
    try:
        days = int(str(raw))
    except ValueError:
        return DEFAULT_PERIOD_DAYS
    return days if days in PERIOD_DAYS else DEFAULT_PERIOD_DAYS


def period_start(days: int):
    return (timezone.now() - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def _events(agent_ids: list[int], since):
    """Security events of the commune's agents and those on no account, since `since` (an hour)."""
    from confiance.accounts.models import SecurityEvent

    return SecurityEvent.objects.filter(Q(agent_id__in=agent_ids) | Q(agent__isnull=True), hour__gte=since)


def _sum(kinds) -> Sum:
    return Sum("count", filter=Q(kind__in=list(kinds)), default=0)


def failures_by_agent(agent_ids: list[int], since) -> dict[int, dict]:
    """Per agent of the commune: wrong passwords, second-factor codes, attempts while locked, lockouts, tokens."""
    from confiance.accounts.choices import LOGIN_FAILURE_KINDS, TOKEN_FAILURE_KINDS, SecurityEventKind
    from confiance.accounts.models import SecurityEvent

    rows = (SecurityEvent.objects.filter(agent_id__in=agent_ids, hour__gte=since).values("agent_id")
            .annotate(logins=_sum(LOGIN_FAILURE_KINDS), passwords=_sum([SecurityEventKind.LOGIN_PASSWORD]),
                      second_factor=_sum([SecurityEventKind.SECOND_FACTOR]),
                      lockouts=_sum([SecurityEventKind.LOCKOUT]), tokens=_sum(TOKEN_FAILURE_KINDS),
                      addresses=Count("ip_address", distinct=True), last=Max("last_at")))
    return {row["agent_id"]: row for row in rows}


def failures_by_address(agent_ids: list[int], since) -> list[dict]:
    """Per source address: failed logins (of which on unknown names), lockouts, token failures, names tried."""
    from confiance.accounts.choices import LOGIN_FAILURE_KINDS, TOKEN_FAILURE_KINDS, SecurityEventKind

    return list(_events(agent_ids, since).values("ip_address")
                .annotate(logins=_sum(LOGIN_FAILURE_KINDS), unknown=_sum([SecurityEventKind.LOGIN_UNKNOWN]),
                          lockouts=_sum([SecurityEventKind.LOCKOUT]), tokens=_sum(TOKEN_FAILURE_KINDS),
                          accounts=Count("account_hash", distinct=True), total=Sum("count"), last=Max("last_at"))
                .order_by("-total", "ip_address")[:ROWS])


def token_failures(agent_ids: list[int], since) -> list[dict]:
    """Refused token presentations by kind, agent (none for an unknown token) and address."""
    from confiance.accounts.choices import TOKEN_FAILURE_KINDS

    return list(_events(agent_ids, since).filter(kind__in=list(TOKEN_FAILURE_KINDS))
                .values("kind", "agent__username", "ip_address")
                .annotate(total=Sum("count"), last=Max("last_at")).order_by("-total", "kind")[:ROWS])


def security_events_export(agent_ids: list[int], since):
    """The counters of the period, hour by hour, for the CSV export."""
    return _events(agent_ids, since).select_related("agent").order_by("-hour", "kind", "ip_address")[:EXPORT_ROWS]


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


def agents_security(commune_id: int, since=None) -> list[AgentSecurity]:
    """Every agent with a role in the commune: 2FA needed and enrolled, last login, failed logins since `since`
    (the last DEFAULT_PERIOD_DAYS when None), inactivity."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from confiance.accounts.choices import SECOND_FACTOR_ROLES, Role
    from confiance.accounts.models import Agent

    agents = list(Agent.objects.filter(memberships__commune_id=commune_id).distinct()
                  .prefetch_related("memberships").order_by("username")[:2000])
    enrolled = set(TOTPDevice.objects.filter(user__in=agents, confirmed=True).values_list("user_id", flat=True))
    cutoff = timezone.now() - timedelta(days=settings.CONFIANCE_INACTIVE_ACCOUNT_DAYS)
    failures = failures_by_agent([agent.pk for agent in agents], since or period_start(DEFAULT_PERIOD_DAYS))
    rows = []
    for agent in agents:
        roles = [membership.role for membership in agent.memberships.all() if membership.commune_id == commune_id]
        seen = agent.last_login or agent.date_joined
        rows.append(AgentSecurity(
            agent.pk, agent.username, tuple(str(Role(role).label) for role in roles if role in Role.values),
            agent.is_superuser or any(role in SECOND_FACTOR_ROLES for role in roles), agent.pk in enrolled,
            agent.last_login, failures.get(agent.pk, {}).get("logins", 0), agent.is_active and seen < cutoff))
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
    """Token creations and revocations of the commune's agents (refused presentations: token_failures)."""
    return (AuditEntry.objects.filter(action__in=["accounts.token_create", "accounts.token_revoke"])
            .filter(Q(commune_id=commune_id) | Q(actor_id__in=agent_ids)).order_by("-id")[:ROWS])


def expired_tokens(agent_ids: list[int]):
    from confiance.accounts.models import ApiToken

    now = timezone.now()
    return ApiToken.objects.filter(agent_id__in=agent_ids, revoked_at__isnull=True,
                                   expires_at__lt=now).select_related("agent").order_by("-expires_at")[:ROWS]
