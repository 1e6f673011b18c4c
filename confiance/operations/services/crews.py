"""Crews: the chef de poste says who is on which unit today, and the hours of the shift (vacation)."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission, Role
from confiance.accounts.models import Agent, Membership, bump_access_revision
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations.errors import OperationsError
from confiance.operations.models import Shift, Unit
from confiance.privacy.services import audit_record

CREW_ROLES = (Role.POLICE_AGENT, Role.SHIFT_SUPERVISOR)
CREW_AGENT_INVALID = "operations_crew_agent_invalid"
CREW_HOURS_INVALID = "operations_crew_hours_invalid"


def crew_candidates(*, commune_id: int) -> list[Agent]:
    """The agents who may ride in a unit of the commune: its police agents and chefs de poste."""
    agent_ids = Membership.objects.filter(commune_id=commune_id, role__in=CREW_ROLES).values("agent_id")
    return list(Agent.objects.filter(pk__in=agent_ids, is_active=True).order_by("last_name", "first_name"))


def _unit_for_chef(actor: Actor, unit_id: int) -> Unit:
    unit = Unit.objects.select_for_update(no_key=True).filter(pk=unit_id, active=True).first()
    if unit is None or not actor.can(Permission.OPERATIONS_VIEW, unit.commune_id):
        raise NotFoundError(message=_("Unité introuvable."))
    if not actor.can(Permission.OPERATIONS_MANAGE, unit.commune_id):
        raise PermissionDeniedError(message=_("Seul le chef de poste de la commune compose les équipages."))
    return unit


@transaction.atomic
def crew_set(*, actor: Actor, unit_id: int, agent_ids: set[int], starts_at: time, ends_at: time,
             day: date | None = None) -> Unit:
    """Set a unit's crew and shift hours for the day; an agent put on this unit leaves the commune's other units.

    The unit's équipage (what the field page and dispatch read) follows today's crew; a shift may end after
    midnight (22:00 to 06:00).
    """
    unit = _unit_for_chef(actor, unit_id)
    if starts_at == ends_at:
        raise OperationsError(CREW_HOURS_INVALID, _("La vacation doit durer : début et fin sont identiques."))
    allowed = {agent.pk for agent in crew_candidates(commune_id=unit.commune_id)}
    if not agent_ids <= allowed:
        raise OperationsError(CREW_AGENT_INVALID, _(
            "Un agent choisi n'est pas agent de police municipale de cette commune."))
    day = day or timezone.localdate()
    before = set(Shift.objects.filter(unit=unit, day=day).values_list("agent_id", flat=True))
    Shift.objects.filter(day=day).filter(unit=unit).exclude(agent_id__in=agent_ids).delete()
    Shift.objects.filter(day=day, agent_id__in=agent_ids, unit__commune_id=unit.commune_id).exclude(
        unit=unit).delete()
    for agent_id in agent_ids:
        Shift.objects.update_or_create(agent_id=agent_id, day=day, defaults={
            "unit": unit, "starts_at": starts_at, "ends_at": ends_at, "set_by": actor.agent,
            "set_at": timezone.now()})
    if day == timezone.localdate():
        moved: set[int] = set()
        for other in Unit.objects.filter(commune_id=unit.commune_id, agents__in=agent_ids).exclude(
                pk=unit.pk).distinct():
            moved |= set(other.agents.filter(pk__in=agent_ids).values_list("pk", flat=True))
            other.agents.remove(*agent_ids)
        crew_before = set(unit.agents.values_list("pk", flat=True))
        unit.agents.set(agent_ids)
        # The field stream of an agent follows the unit they are in (its "terrain" scope): whoever joined, left or
        # changed unit gets a reset of their streams, and the field page reloads on the new unit.
        for agent_id in sorted(moved | (crew_before ^ agent_ids)):
            bump_access_revision(agent_id)
    audit_record(actor=actor, action="operations.crew_set", target=unit, commune_id=unit.commune_id,
                 extra={"day": day.isoformat(), "added": sorted(agent_ids - before),
                        "removed": sorted(before - agent_ids), "hours": f"{starts_at:%H:%M}-{ends_at:%H:%M}"})
    return unit

