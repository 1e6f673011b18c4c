"""Reads about agents."""

from django.db.models import QuerySet
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import ROLE_PERMISSIONS
from confiance.accounts.models import Agent, ApiToken, Membership


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


def actor_access_current(*, actor: Actor, revision: int) -> bool:
    """Whether an actor authenticated earlier (a live stream's) still stands, in one query.

    False once the agent is deactivated or their rights revision moved past `revision` (memberships, superuser,
    password, a token's communes), or once the actor's token is revoked, expired or narrowed.
    """
    now = timezone.now()
    if actor.token is None:
        row = Agent.objects.filter(pk=actor.agent.pk).values_list("is_active", "access_revision").first()
        return row is not None and row[0] and row[1] == revision
    token_row = (ApiToken.objects.filter(pk=actor.token.pk)
                 .values_list("revoked_at", "expires_at", "permissions", "agent__is_active", "agent__access_revision")
                 .first())
    if token_row is None:
        return False
    revoked_at, expires_at, permissions, active, current_revision = token_row
    return (revoked_at is None and expires_at > now and sorted(permissions) == sorted(actor.token.permissions)
            and active and current_revision == revision)
