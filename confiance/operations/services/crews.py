"""Crews: the chef de poste says who is on which unit today (the unit's équipage)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission, Role
from confiance.accounts.models import Agent, Membership
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations.errors import OperationsError
from confiance.operations.models import Unit
from confiance.privacy.services import audit_record

CREW_ROLES = (Role.POLICE_AGENT, Role.SHIFT_SUPERVISOR)
CREW_AGENT_INVALID = "operations_crew_agent_invalid"


def crew_candidates(*, commune_id: int) -> list[Agent]:
    """The agents who may ride in a unit of the commune: its police agents and chefs de poste."""
    agent_ids = Membership.objects.filter(commune_id=commune_id, role__in=CREW_ROLES).values("agent_id")
    return list(Agent.objects.filter(pk__in=agent_ids, is_active=True).order_by("last_name", "first_name"))


@transaction.atomic
def crew_set(*, actor: Actor, unit_id: int, agent_ids: set[int]) -> Unit:
    """Set a unit's crew for today; an agent put on this unit leaves the commune's other units."""
    unit = Unit.objects.select_for_update().filter(pk=unit_id, active=True).first()
    if unit is None or not actor.can(Permission.OPERATIONS_VIEW, unit.commune_id):
        raise NotFoundError(message=_("Unité introuvable."))
    if not actor.can(Permission.OPERATIONS_MANAGE, unit.commune_id):
        raise PermissionDeniedError(message=_("Seul le chef de poste de la commune compose les équipages."))
    allowed = {agent.pk for agent in crew_candidates(commune_id=unit.commune_id)}
    if not agent_ids <= allowed:
        raise OperationsError(CREW_AGENT_INVALID, _(
            "Un agent choisi n'est pas agent de police municipale de cette commune."))
    before = set(unit.agents.values_list("pk", flat=True))
    for other in Unit.objects.filter(commune_id=unit.commune_id, agents__in=agent_ids).exclude(pk=unit.pk).distinct():
        other.agents.remove(*agent_ids)
    unit.agents.set(agent_ids)
    audit_record(actor=actor, action="operations.crew_set", target=unit, commune_id=unit.commune_id,
                 extra={"added": sorted(agent_ids - before), "removed": sorted(before - agent_ids)})
    return unit
