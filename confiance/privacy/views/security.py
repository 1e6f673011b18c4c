"""The RSSI's page: lockouts, tokens, 2FA enrolment of the roles that need it, inactive accounts, admin actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from confiance.accounts.choices import Permission
from confiance.privacy.selectors.security import (
    admin_actions,
    agents_security,
    expired_tokens,
    lockouts,
    token_events,
)
from confiance.privacy.views.common import Refused, actor_of, commune_for, communes_of, refused


@login_required
@require_GET
def security(request):
    actor = actor_of(request)
    try:
        commune = commune_for(request, actor, Permission.SECURITY_VIEW)
    except Refused as error:
        return refused(request, error)
    agents = agents_security(commune.pk)
    agent_ids = [agent.agent_id for agent in agents]
    return render(request, "privacy/security.html", {
        "commune": commune, "communes": communes_of(actor, Permission.SECURITY_VIEW), "agents": agents,
        "missing_second_factor": [agent for agent in agents if agent.needs_second_factor and
                                  not agent.has_second_factor],
        "without_second_factor": sum(1 for agent in agents if not agent.has_second_factor),
        "inactive": [agent for agent in agents if agent.inactive],
        "lockouts": lockouts(commune.pk, agent_ids), "tokens": token_events(commune.pk, agent_ids),
        "expired_tokens": expired_tokens(agent_ids), "admin_actions": admin_actions(commune.pk)})
