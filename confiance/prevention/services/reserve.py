"""Réserve communale de sécurité civile: volunteers, mobilisations (e-mail and SMS), answers, missions, hours."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.actors import PublicActor
from confiance.core.live import publish_on_commit
from confiance.core.sms import normalised_phone, send_sms
from confiance.prevention.choices import MobilisationAnswerKind, ReserveAvailability, ReserveSkill
from confiance.prevention.drafts import MissionDraft, MobilisationDraft, VolunteerDraft
from confiance.prevention.errors import PreventionError, PreventionErrorCode
from confiance.prevention.events import MobilisationAnswered
from confiance.prevention.links import answer_token, answer_url
from confiance.prevention.models import (
    MissionAssignment,
    Mobilisation,
    MobilisationAnswer,
    ReserveMission,
    ReserveVolunteer,
)
from confiance.privacy.services import audit_record
from confiance.territory.models import CrisisSharing

logger = logging.getLogger(__name__)
MAX_HOURS = Decimal("999")


def _text(value: str, label: str, limit: int, code: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit or "\x00" in value:
        raise PreventionError(code, _("%(label)s : obligatoire, %(limit)s caractères au plus.")
                              % {"label": label, "limit": limit})
    return value


def _listed(values: list[str], allowed: list[str], label: str) -> list[str]:
    if any(value not in allowed for value in values) or len(values) > len(allowed):
        raise PreventionError(PreventionErrorCode.VOLUNTEER_INVALID, _("%(label)s : valeur hors de la liste.")
                              % {"label": label})
    return sorted(set(values))


def _check_volunteer(draft: VolunteerDraft) -> dict:
    code = PreventionErrorCode.VOLUNTEER_INVALID
    email = _text(draft.email, _("E-mail"), 254, code)
    phone = _text(draft.phone, _("Téléphone"), 30, code)
    if (email and "@" not in email) or (phone and not normalised_phone(phone)) or not (email or phone):
        raise PreventionError(code, _("Un e-mail ou un téléphone valable est nécessaire pour mobiliser."))
    return {"first_name": _text(draft.first_name, _("Prénom"), 100, code, required=True),
            "last_name": _text(draft.last_name, _("Nom"), 100, code, required=True), "email": email, "phone": phone,
            "skills": _listed(draft.skills, ReserveSkill.values, _("Compétences")),
            "availability": _listed(draft.availability, ReserveAvailability.values, _("Disponibilités"))}


@transaction.atomic
def volunteer_enrol(*, actor: Actor, commune_id: int, draft: VolunteerDraft) -> ReserveVolunteer:
    """Enrol a volunteer of the réserve communale."""
    actor.require(Permission.RESERVE_MANAGE, commune_id)
    volunteer = ReserveVolunteer.objects.create(commune_id=commune_id, joined_on=draft.joined_on or
                                                timezone.localdate(), **_check_volunteer(draft))
    audit_record(actor=actor, action="prevention.volunteer_enrol", target=volunteer)
    return volunteer


@transaction.atomic
def volunteer_update(*, actor: Actor, volunteer: ReserveVolunteer, draft: VolunteerDraft) -> ReserveVolunteer:
    actor.require(Permission.RESERVE_MANAGE, volunteer.commune_id)
    if not volunteer.active:
        raise PreventionError(PreventionErrorCode.VOLUNTEER_LEFT, _("Ce réserviste a quitté la réserve."))
    for name, value in _check_volunteer(draft).items():
        setattr(volunteer, name, value)
    volunteer.save()
    audit_record(actor=actor, action="prevention.volunteer_update", target=volunteer)
    return volunteer


@transaction.atomic
def volunteer_leave(*, actor: Actor, volunteer: ReserveVolunteer) -> ReserveVolunteer:
    """The volunteer leaves the réserve; their data is purged later (retention)."""
    actor.require(Permission.RESERVE_MANAGE, volunteer.commune_id)
    if not volunteer.active:
        raise PreventionError(PreventionErrorCode.VOLUNTEER_LEFT, _("Ce réserviste a déjà quitté la réserve."))
    volunteer.left_on = timezone.localdate()
    volunteer.save(update_fields=["left_on"])
    audit_record(actor=actor, action="prevention.volunteer_leave", target=volunteer)
    return volunteer


# --- Mobilisation --------------------------------------------------------------------------------

def _deliver(mobilisation: Mobilisation, volunteers: list[ReserveVolunteer]) -> None:
    """After commit: one e-mail and one SMS per volunteer, each with their own answer link."""
    for volunteer in volunteers:
        url = answer_url(answer_token(mobilisation.pk, volunteer.pk))
        text = _("Réserve communale de %(commune)s — %(title)s. %(message)s Répondez : %(url)s") % {
            "commune": mobilisation.commune.name, "title": mobilisation.title, "message": mobilisation.message,
            "url": url}
        try:
            if volunteer.email:
                send_mail(_("Mobilisation de la réserve communale : %(title)s") % {"title": mobilisation.title},
                          text, settings.DEFAULT_FROM_EMAIL, [volunteer.email])
            if volunteer.phone:
                send_sms(phone=volunteer.phone, text=text, key=f"reserve-{mobilisation.pk}-{volunteer.pk}")
        except Exception:  # one failing address must not stop the others
            logger.exception("prevention: mobilisation %s not delivered to volunteer %s", mobilisation.pk,
                             volunteer.pk)


@transaction.atomic
def mobilisation_start(*, actor: Actor, commune_id: int, draft: MobilisationDraft) -> Mobilisation:
    """Call the active volunteers (those with one of the skills asked, when any) by e-mail and SMS."""
    actor.require(Permission.RESERVE_MANAGE, commune_id)
    code = PreventionErrorCode.MOBILISATION_INVALID
    crisis = None
    if draft.crisis_id is not None:
        crisis = CrisisSharing.objects.filter(pk=draft.crisis_id, communes__pk=commune_id).first()
        if crisis is None:
            raise PreventionError(code, _("Cette crise ne concerne pas la commune."))
    skills = _listed(draft.skills, ReserveSkill.values, _("Compétences"))
    mobilisation = Mobilisation.objects.create(
        commune_id=commune_id, crisis=crisis, title=_text(draft.title, _("Intitulé"), 200, code, required=True),
        message=_text(draft.message, _("Message"), 1000, code, required=True), created_by=actor.agent)
    volunteers = [v for v in ReserveVolunteer.objects.filter(commune_id=commune_id, left_on__isnull=True)
                  if not skills or set(v.skills) & set(skills)]
    Mobilisation.objects.filter(pk=mobilisation.pk).update(contacted=len(volunteers))
    mobilisation.contacted = len(volunteers)
    audit_record(actor=actor, action="prevention.mobilisation_start", target=mobilisation,
                 extra={"contacted": len(volunteers), "crisis": crisis.pk if crisis else None, "skills": skills})
    mobilisation = Mobilisation.objects.select_related("commune").get(pk=mobilisation.pk)
    transaction.on_commit(lambda: _deliver(mobilisation, volunteers))
    return mobilisation


@transaction.atomic
def mobilisation_close(*, actor: Actor, mobilisation: Mobilisation) -> Mobilisation:
    actor.require(Permission.RESERVE_MANAGE, mobilisation.commune_id)
    if mobilisation.closed_at is None:
        mobilisation.closed_at = timezone.now()
        mobilisation.save(update_fields=["closed_at"])
        audit_record(actor=actor, action="prevention.mobilisation_close", target=mobilisation)
    return mobilisation


def answer_counts(mobilisation_id: int) -> dict[str, int]:
    latest: dict[int, str] = {}
    for volunteer_id, answer in (MobilisationAnswer.objects.filter(mobilisation_id=mobilisation_id)
                                 .order_by("answered_at", "pk").values_list("volunteer_id", "answer")):
        latest[volunteer_id] = answer
    values = list(latest.values())
    return {kind: values.count(kind) for kind in MobilisationAnswerKind.values}


@transaction.atomic
def mobilisation_answer(*, mobilisation_id: int, volunteer_id: int, answer: str,
                        now: datetime | None = None) -> MobilisationAnswer:
    """A volunteer's answer by their link (appended; the latest counts), live on the mobilisation's page."""
    if answer not in MobilisationAnswerKind.values:
        raise PreventionError(PreventionErrorCode.MOBILISATION_INVALID, _("Réponse inconnue."))
    mobilisation = Mobilisation.objects.select_for_update(no_key=True).filter(pk=mobilisation_id).first()
    volunteer = ReserveVolunteer.objects.filter(pk=volunteer_id, left_on__isnull=True).first()
    if mobilisation is None or volunteer is None or volunteer.commune_id != mobilisation.commune_id:
        raise PreventionError(PreventionErrorCode.LINK_INVALID, _("Ce lien n'est pas ou plus valable."),
                              status_code=404)
    if mobilisation.closed_at is not None:
        raise PreventionError(PreventionErrorCode.MOBILISATION_CLOSED, _(
            "Cette mobilisation est terminée : merci, aucune réponse n'est plus attendue."), status_code=409)
    row = MobilisationAnswer.objects.create(mobilisation=mobilisation, volunteer=volunteer, answer=answer,
                                            answered_at=now or timezone.now())
    audit_record(actor=PublicActor(f"réserviste n° {volunteer.pk}"), action="prevention.mobilisation_answer",
                 target=row, commune_id=mobilisation.commune_id, extra={"answer": answer})
    counts = answer_counts(mobilisation.pk)
    publish_on_commit(MobilisationAnswered(
        mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk, volunteer=str(volunteer), answer=answer,
        answer_label=str(MobilisationAnswerKind(answer).label), available=counts[MobilisationAnswerKind.AVAILABLE],
        unavailable=counts[MobilisationAnswerKind.UNAVAILABLE], name=mobilisation.title),
        commune_id=mobilisation.commune_id)
    return row


# --- Missions ------------------------------------------------------------------------------------

@transaction.atomic
def mission_create(*, actor: Actor, commune_id: int, draft: MissionDraft) -> ReserveMission:
    actor.require(Permission.RESERVE_MANAGE, commune_id)
    code = PreventionErrorCode.MISSION_INVALID
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        raise PreventionError(code, _("La fin de la mission doit suivre son début."))
    mobilisation = None
    if draft.mobilisation_id is not None:
        mobilisation = Mobilisation.objects.filter(pk=draft.mobilisation_id, commune_id=commune_id).first()
        if mobilisation is None:
            raise PreventionError(code, _("Mobilisation inconnue dans la commune."))
    mission = ReserveMission.objects.create(
        commune_id=commune_id, mobilisation=mobilisation, title=_text(draft.title, _("Intitulé"), 200, code,
                                                                      required=True),
        place=_text(draft.place, _("Lieu"), 300, code), starts_at=draft.starts_at, ends_at=draft.ends_at)
    audit_record(actor=actor, action="prevention.mission_create", target=mission)
    return mission


@transaction.atomic
def mission_assign(*, actor: Actor, mission: ReserveMission, volunteer_id: int) -> MissionAssignment:
    actor.require(Permission.RESERVE_MANAGE, mission.commune_id)
    volunteer = ReserveVolunteer.objects.filter(pk=volunteer_id, commune_id=mission.commune_id).first()
    if volunteer is None or not volunteer.active:
        raise PreventionError(PreventionErrorCode.VOLUNTEER_INVALID, _("Réserviste inconnu ou parti."))
    try:
        with transaction.atomic():
            assignment = MissionAssignment.objects.create(mission=mission, volunteer=volunteer,
                                                          assigned_by=actor.agent)
    except IntegrityError:
        raise PreventionError(PreventionErrorCode.MISSION_INVALID, _("Ce réserviste est déjà affecté à la mission."),
                              status_code=409) from None
    audit_record(actor=actor, action="prevention.mission_assign", target=mission, extra={"volunteer": volunteer.pk})
    return assignment


@transaction.atomic
def mission_hours_record(*, actor: Actor, assignment: MissionAssignment, hours: str | Decimal) -> MissionAssignment:
    """The hours a volunteer did on a mission (0 to 999, quarter hours)."""
    actor.require(Permission.RESERVE_MANAGE, assignment.mission.commune_id)
    try:
        value = Decimal(str(hours).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        value = Decimal("-1")
    if not value.is_finite() or not Decimal(0) <= value <= MAX_HOURS:
        raise PreventionError(PreventionErrorCode.HOURS_INVALID, _("Heures : un nombre de 0 à 999."))
    assignment.hours, assignment.hours_recorded_at = value.quantize(Decimal("0.01")), timezone.now()
    assignment.save(update_fields=["hours", "hours_recorded_at"])
    audit_record(actor=actor, action="prevention.mission_hours", target=assignment.mission,
                 extra={"volunteer": assignment.volunteer_id, "hours": str(assignment.hours)})
    return assignment
