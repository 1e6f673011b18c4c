"""The RSSI's page: failed logins and tokens (per account, per address, over a period), lockouts, tokens, 2FA
enrolment of the roles that need it, inactive accounts, admin actions; the failures' CSV export."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from confiance.accounts.choices import Permission, SecurityEventKind
from confiance.core.exports import SafeWriter
from confiance.privacy.selectors.security import (
    PERIOD_DAYS,
    admin_actions,
    agents_security,
    expired_tokens,
    failures_by_address,
    failures_by_agent,
    lockouts,
    period_days,
    period_start,
    security_events_export,
    token_events,
    token_failures,
)
from confiance.privacy.views.common import Refused, actor_of, commune_for, communes_of, refused

KIND_LABELS = dict(SecurityEventKind.choices)


def _kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _security_scope(request):
    """The reader, the commune they may watch and the period asked (`jours`), or the refusal to answer with."""
    actor = actor_of(request)
    try:
        commune = commune_for(request, actor, Permission.SECURITY_VIEW)
    except Refused as error:
        return None, refused(request, error)
    return (actor, commune, period_days(request.GET.get("jours", ""))), None


@login_required
@require_GET
def security(request):
    scope, refusal = _security_scope(request)
    if scope is None:
        return refusal
    actor, commune, days = scope
    since = period_start(days)
    agents = agents_security(commune.pk, since)
    agent_ids = [agent.agent_id for agent in agents]
    by_agent = failures_by_agent(agent_ids, since)
    failing_agents = sorted(((agent, by_agent[agent.agent_id]) for agent in agents if agent.agent_id in by_agent),
                            key=lambda pair: -(pair[1]["logins"] + pair[1]["tokens"]))
    return render(request, "privacy/security.html", {
        "commune": commune, "communes": communes_of(actor, Permission.SECURITY_VIEW), "agents": agents,
        "days": days, "periods": PERIOD_DAYS, "since": since,
        "missing_second_factor": [agent for agent in agents if agent.needs_second_factor and
                                  not agent.has_second_factor],
        "without_second_factor": sum(1 for agent in agents if not agent.has_second_factor),
        "inactive": [agent for agent in agents if agent.inactive],
        "failing_agents": failing_agents, "addresses": failures_by_address(agent_ids, since),
        "token_failures": [(row, _kind_label(row["kind"])) for row in token_failures(agent_ids, since)],
        "failed_logins": sum(row["logins"] for row in by_agent.values()),
        "lockouts": lockouts(commune.pk, agent_ids), "tokens": token_events(commune.pk, agent_ids),
        "expired_tokens": expired_tokens(agent_ids), "admin_actions": admin_actions(commune.pk)})


EXPORT_HEADERS = ["Heure", "Type", "Compte", "Adresse", "Nombre", "Premier", "Dernier"]


@login_required
@require_GET
def security_csv(request):
    """The period's failure counters, hour by hour: a name nobody has shows as "identifiant inconnu", never typed."""
    scope, refusal = _security_scope(request)
    if scope is None:
        return refusal
    _actor, commune, days = scope
    agent_ids = [agent.agent_id for agent in agents_security(commune.pk)]
    buffer = io.StringIO()
    writer = SafeWriter(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(EXPORT_HEADERS)
    stamp = "%d/%m/%Y %H:%M"
    for event in security_events_export(agent_ids, period_start(days)):
        account = (event.agent.username if event.agent is not None else
                   _("(débordement)") if event.account_hash == event.OVERFLOW else _("(aucun compte)"))
        writer.writerow([timezone.localtime(event.hour).strftime(stamp), _kind_label(event.kind), account,
                         event.ip_address, event.count, timezone.localtime(event.first_at).strftime(stamp),
                         timezone.localtime(event.last_at).strftime(stamp)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="securite-{commune.insee_code}-{days}j.csv"'
    return response
