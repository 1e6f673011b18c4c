"""What every privacy page needs: the commune asked for, checked against the actor's right there."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.core.parsing import parse_id
from confiance.territory.models import Commune


class Refused(Exception):
    """The actor may not see this commune's page: 403 when they see the commune, 404 when they do not."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def commune_for(request, actor: Actor, permission: str) -> Commune:
    """The commune of ?commune= (or the actor's first), where the actor must hold `permission`."""
    allowed = sorted(actor.commune_ids(permission))
    if not allowed:
        raise Refused(403)
    raw = request.GET.get("commune") or request.POST.get("commune")
    try:
        commune_id = parse_id(raw) if raw else allowed[0]
    except ValueError:
        raise Refused(404) from None
    try:
        actor.require(permission, commune_id)
    except PermissionDeniedError:
        raise Refused(403) from None
    except NotFoundError:
        raise Refused(404) from None
    commune = Commune.objects.filter(pk=commune_id).first()
    if commune is None:
        raise Refused(404)
    return commune


def refused(request, error: Refused, message: str | None = None):
    if error.status == 404:
        raise Http404
    return forbidden(request, message or _("Cette page est réservée au délégué à la protection des données."))


def communes_of(actor: Actor, permission: str) -> list[Commune]:
    return list(Commune.objects.filter(pk__in=actor.commune_ids(permission)).order_by("name"))


__all__ = ["Refused", "actor_of", "commune_for", "communes_of", "refused"]
