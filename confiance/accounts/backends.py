"""Password authentication with a lockout per account and address: wrong passwords lock the pair, never the account."""

from django.contrib.auth.backends import ModelBackend

from confiance.accounts.choices import SecurityEventKind
from confiance.accounts.models import Agent
from confiance.accounts.services import (
    agent_login_failed,
    agent_login_succeeded,
    login_pair_locked,
    security_event_record,
)
from confiance.core.ratelimits import client_ip


class LockoutModelBackend(ModelBackend):
    """Django's model backend, refusing a locked (account, address) pair and counting wrong passwords.

    Every attempt costs one password hash, whether the account exists, is locked or not: neither the answer nor
    its timing tells which accounts exist. Unknown usernames are counted and locked like real ones. Every refusal is
    counted for the RSSI (accounts.SecurityEvent, one statement or two alike for a known or an unknown name)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        ip = client_ip(request) if request is not None else ""
        agent = Agent.objects.filter(username=username).first()
        locked = login_pair_locked(username=username, ip=ip)
        if agent is None:
            Agent().set_password(password)  # same work as a real check: no timing oracle on usernames
            valid = False
        else:
            valid = agent.check_password(password)
        if locked:
            security_event_record(kind=_failure_kind(agent, SecurityEventKind.LOGIN_LOCKED), name=username, ip=ip,
                                  agent=agent)
            if request is not None:
                request.confiance_login_locked = True
            return None
        if valid and self.user_can_authenticate(agent):
            agent_login_succeeded(agent=agent)
            return agent
        kind = SecurityEventKind.LOGIN_INACTIVE if valid else SecurityEventKind.LOGIN_PASSWORD
        security_event_record(kind=_failure_kind(agent, kind), name=username, ip=ip, agent=agent)
        if agent_login_failed(agent=agent, username=username, ip=ip) and request is not None:
            request.confiance_login_locked = True
        return None


def _failure_kind(agent: Agent | None, kind: SecurityEventKind) -> SecurityEventKind:
    """The kind counted: an unknown name is always "identifiant inconnu" (its counter under the name's hash)."""
    return SecurityEventKind.LOGIN_UNKNOWN if agent is None else kind
