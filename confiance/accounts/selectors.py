"""Reads about agents."""

from django.db.models import QuerySet

from confiance.accounts.access import Actor
from confiance.accounts.choices import ROLE_PERMISSIONS
from confiance.accounts.models import Agent, Membership


def membership_list_for_actor(*, actor: Actor) -> QuerySet[Membership]:
    """The actor's own memberships, with their communes."""
    return Membership.objects.filter(agent=actor.agent).select_related("commune").order_by("commune__name", "role")


def agent_list_with_permission(*, permission: str, commune_id: int) -> list[Agent]:
    """Active agents holding a permission in a commune (through one of their roles there)."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
    return list(Agent.objects.filter(is_active=True, memberships__commune_id=commune_id, memberships__role__in=roles)
                .distinct().order_by("last_name", "first_name", "username"))


def agent_can_in_commune(*, agent_id: int, permission: str, commune_id: int) -> bool:
    return any(agent.pk == agent_id for agent in agent_list_with_permission(permission=permission,
                                                                             commune_id=commune_id))

