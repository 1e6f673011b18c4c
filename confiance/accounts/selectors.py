"""Reads about agents."""

from django.db.models import QuerySet

from confiance.accounts.access import Actor
from confiance.accounts.models import Membership


def membership_list_for_actor(*, actor: Actor) -> QuerySet[Membership]:
    """The actor's own memberships, with their communes."""
    return Membership.objects.filter(agent=actor.agent).select_related("commune").order_by("commune__name", "role")
