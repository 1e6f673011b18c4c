"""Who may follow and drive a crisis: an agent with the crisis permission in one of its communes. A crisis of
other communes is simply not found."""

from __future__ import annotations

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.territory.models import CrisisSharing


def crisis_commune_ids(crisis: CrisisSharing) -> set[int]:
    return {commune.pk for commune in crisis.communes.all()}


def crisis_get_for_actor(*, actor: Actor, crisis_id: int | None,
                         permission: Permission = Permission.CRISIS_VIEW) -> CrisisSharing:
    """The crisis, if the actor holds the permission in one of its communes; "not found" otherwise."""
    crisis = (CrisisSharing.objects.prefetch_related("communes").select_related("started_by", "ended_by")
              .filter(pk=crisis_id).first() if crisis_id else None)
    if crisis is None:
        raise NotFoundError()
    followed = crisis_commune_ids(crisis) & actor.commune_ids(Permission.CRISIS_VIEW)
    if not followed:
        raise NotFoundError()
    if permission != Permission.CRISIS_VIEW and not crisis_commune_ids(crisis) & actor.commune_ids(permission):
        actor.require(permission, min(followed))  # "permission denied": the actor sees the crisis
    return crisis
