"""Reads of the réserve communale: volunteers, mobilisations with their answers, missions and hours."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.prevention.models import (
    MissionAssignment,
    Mobilisation,
    MobilisationAnswer,
    ReserveMission,
    ReserveVolunteer,
)
from confiance.privacy.choices import AccessMotive
from confiance.privacy.services import access_log_record

RESERVE_MOTIVE = "Gestion de la réserve communale de sécurité civile"


def _communes(actor: Actor) -> frozenset[int]:
    return actor.commune_ids(Permission.RESERVE_MANAGE)


def volunteer_list_for_actor(*, actor: Actor, include_left: bool = False) -> list[ReserveVolunteer]:
    volunteers = ReserveVolunteer.objects.filter(commune_id__in=_communes(actor)).select_related("commune")
    if not include_left:
        volunteers = volunteers.filter(left_on__isnull=True)
    rows: list[ReserveVolunteer] = list(volunteers.annotate(hours_done=Sum("assignments__hours"))
                                        .order_by("last_name", "first_name"))
    if rows:
        access_log_record(actor=actor, target=rows[0], motive=RESERVE_MOTIVE, extra={"list": len(rows)},
                          motive_code=AccessMotive.PREVENTION)
    return rows


def volunteer_get_for_actor(*, actor: Actor, volunteer_id: int) -> ReserveVolunteer:
    volunteer = ReserveVolunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None or not actor.can(Permission.RESERVE_MANAGE, volunteer.commune_id):
        raise NotFoundError(message=_("Réserviste introuvable."))
    return volunteer


def mobilisation_list_for_actor(*, actor: Actor, limit: int = 30) -> QuerySet[Mobilisation]:
    return (Mobilisation.objects.filter(commune_id__in=_communes(actor)).select_related("commune", "crisis")
            .order_by("-created_at")[:limit])


def mobilisation_get_for_actor(*, actor: Actor, mobilisation_id: int) -> Mobilisation:
    mobilisation = Mobilisation.objects.filter(pk=mobilisation_id).select_related("commune", "crisis").first()
    if mobilisation is None or not actor.can(Permission.RESERVE_MANAGE, mobilisation.commune_id):
        raise NotFoundError(message=_("Mobilisation introuvable."))
    return mobilisation


def mobilisation_answers(*, mobilisation: Mobilisation) -> list[dict[str, Any]]:
    """The latest answer of each volunteer who answered, newest first."""
    latest: dict[int, MobilisationAnswer] = {}
    for answer in (MobilisationAnswer.objects.filter(mobilisation=mobilisation).select_related("volunteer")
                   .order_by("answered_at", "pk")):
        latest[answer.volunteer_id] = answer
    return [{"volunteer": a.volunteer, "answer": a.answer, "label": a.get_answer_display(), "at": a.answered_at}
            for a in sorted(latest.values(), key=lambda a: a.answered_at, reverse=True)]


def mission_list_for_actor(*, actor: Actor, limit: int = 50) -> list[ReserveMission]:
    return list(ReserveMission.objects.filter(commune_id__in=_communes(actor)).select_related("commune")
                .prefetch_related("assignments__volunteer").order_by("-starts_at")[:limit])


def mission_get_for_actor(*, actor: Actor, mission_id: int) -> ReserveMission:
    mission = ReserveMission.objects.filter(pk=mission_id).first()
    if mission is None or not actor.can(Permission.RESERVE_MANAGE, mission.commune_id):
        raise NotFoundError(message=_("Mission introuvable."))
    return mission


def assignment_get_for_actor(*, actor: Actor, assignment_id: int) -> MissionAssignment:
    assignment = MissionAssignment.objects.filter(pk=assignment_id).select_related("mission").first()
    if assignment is None or not actor.can(Permission.RESERVE_MANAGE, assignment.mission.commune_id):
        raise NotFoundError(message=_("Affectation introuvable."))
    return assignment


def mobilisation_for_answer(*, mobilisation_id: int, volunteer_id: int) -> tuple[Mobilisation, ReserveVolunteer] | None:
    """The mobilisation and volunteer of an answer link, when both still exist and match."""
    mobilisation = Mobilisation.objects.filter(pk=mobilisation_id).select_related("commune").first()
    volunteer = ReserveVolunteer.objects.filter(pk=volunteer_id, left_on__isnull=True).first()
    if mobilisation is None or volunteer is None or volunteer.commune_id != mobilisation.commune_id:
        return None
    return mobilisation, volunteer


def latest_answer(*, mobilisation: Mobilisation, volunteer: ReserveVolunteer) -> MobilisationAnswer | None:
    return (MobilisationAnswer.objects.filter(mobilisation=mobilisation, volunteer=volunteer)
            .order_by("-answered_at", "-pk").first())
