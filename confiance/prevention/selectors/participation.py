"""Reads of Participation citoyenne: protocols and their renewal, referents, observations, indicator counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.prevention.errors import PreventionError, PreventionErrorCode
from confiance.prevention.links import read_referent_token
from confiance.prevention.models import Observation, ParticipationProtocol, PreventionMessage, Referent
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record
from confiance.territory.models import Commune

OBSERVATIONS_MOTIVE = "Traitement des observations des référents de participation citoyenne"


def protocol_latest(*, commune_id: int) -> ParticipationProtocol | None:
    return (ParticipationProtocol.objects.filter(commune_id=commune_id).order_by("-signed_on", "-pk").first())


@dataclass(frozen=True)
class ProtocolReminder:
    commune_id: int
    commune: str
    ends_on: date | None  # None: no protocol at all
    expired: bool


def protocol_reminders(*, actor: Actor, on: date | None = None) -> list[ProtocolReminder]:
    """The communes where the actor names referents whose protocol ends within three months, has ended, or is
    missing: what the home page and the Participation citoyenne page remind them of."""
    on = on or timezone.localdate()
    reminders = []
    for commune in Commune.objects.filter(pk__in=actor.commune_ids(Permission.PREVENTION_MANAGE)).order_by("name"):
        latest = protocol_latest(commune_id=commune.pk)
        if latest is None:
            reminders.append(ProtocolReminder(commune.pk, commune.name, None, True))
        elif latest.renewal_due(on):
            reminders.append(ProtocolReminder(commune.pk, commune.name, latest.ends_on, latest.ends_on <= on))
    return reminders


def referent_list_for_actor(*, actor: Actor, commune_ids: set[int] | None = None,
                            include_revoked: bool = False) -> QuerySet[Referent]:
    """Referents of the communes where the actor names them (élu) or reads their observations (police)."""
    allowed = actor.commune_ids(Permission.PREVENTION_MANAGE) | actor.commune_ids(Permission.PREVENTION_VIEW)
    if commune_ids is not None:
        allowed = allowed & frozenset(commune_ids)
    referents = Referent.objects.filter(commune_id__in=allowed).select_related("sector", "commune")
    return referents if include_revoked else referents.filter(revoked_at__isnull=True)


def referent_get_for_actor(*, actor: Actor, referent_id: int) -> Referent:
    referent = Referent.objects.filter(pk=referent_id).select_related("sector", "commune").first()
    if referent is None or not actor.can(Permission.PREVENTION_MANAGE, referent.commune_id):
        raise NotFoundError(message=_("Référent introuvable."))
    return referent


def referent_from_token(token: str) -> Referent:
    """The referent of a private link; a forged, replaced or revoked link is refused the same way."""
    claim = read_referent_token(token)
    referent = (Referent.objects.filter(pk=claim.referent_id).select_related("sector", "commune").first()
                if claim else None)
    if referent is None or claim is None or not claim.matches(referent.link_hash) or referent.revoked_at:
        raise PreventionError(PreventionErrorCode.LINK_INVALID, _(
            "Ce lien n'est pas ou plus valable. Si vous êtes toujours référent, demandez un nouveau lien à la "
            "mairie."), status_code=404)
    return referent


def observation_list_for_referent(*, referent: Referent, limit: int = 30) -> list[Observation]:
    """The referent's own observations with their follow-up (their page)."""
    return list(Observation.objects.filter(referent=referent).prefetch_related("updates")
                .order_by("-created_at")[:limit])


def observation_list_for_actor(*, actor: Actor, commune_ids: set[int] | None = None, limit: int = 200,
                               motive: str = OBSERVATIONS_MOTIVE) -> list[Observation]:
    """Observations for the police municipale only (prevention.view); the reading goes to the access log."""
    allowed = actor.commune_ids(Permission.PREVENTION_VIEW)
    if commune_ids is not None:
        allowed = allowed & frozenset(commune_ids)
    if not allowed:
        return []
    observations = list(Observation.objects.filter(commune_id__in=allowed).select_related("sector", "commune")
                        .order_by("-created_at")[:limit])
    if observations:
        access_log_record(actor=actor, target=observations[0], motive=motive, motive_code=AccessMotive.PREVENTION,
                          extra={"list": [o.pk for o in observations]})
    return observations


def observation_get_for_actor(*, actor: Actor, observation_id: int, motive: str = OBSERVATIONS_MOTIVE
                              ) -> Observation:
    observation = (Observation.objects.filter(pk=observation_id).select_related("sector", "commune", "referent")
                   .prefetch_related("updates").first())
    if observation is None or not actor.can(Permission.PREVENTION_VIEW, observation.commune_id):
        raise NotFoundError(message=_("Observation introuvable."))
    access_log_record(actor=actor, target=observation, motive=motive, motive_code=AccessMotive.PREVENTION)
    return observation


def message_list(*, actor: Actor, limit: int = 20) -> QuerySet[PreventionMessage]:
    return (PreventionMessage.objects.filter(commune_id__in=actor.commune_ids(Permission.PREVENTION_VIEW))
            .select_related("sector").order_by("-sent_at")[:limit])
