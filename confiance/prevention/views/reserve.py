"""Réserve communale pages: volunteers, missions and mobilisations (RESERVE_MANAGE), a mobilisation's live
answers, and the volunteer's answer page reached by the link of the e-mail or SMS."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import id_or_none
from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page
from confiance.prevention.choices import MobilisationAnswerKind, ReserveAvailability, ReserveSkill
from confiance.prevention.forms.participation import MissionForm, MobilisationForm, VolunteerForm
from confiance.prevention.links import read_answer_token
from confiance.prevention.selectors.reserve import (
    assignment_get_for_actor,
    latest_answer,
    mission_get_for_actor,
    mission_list_for_actor,
    mobilisation_answers,
    mobilisation_for_answer,
    mobilisation_get_for_actor,
    mobilisation_list_for_actor,
    volunteer_get_for_actor,
    volunteer_list_for_actor,
)
from confiance.prevention.services.reserve import (
    answer_counts,
    mission_assign,
    mission_create,
    mission_hours_record,
    mobilisation_answer,
    mobilisation_close,
    mobilisation_start,
    volunteer_enrol,
    volunteer_leave,
)
from confiance.territory.models import CrisisSharing
from confiance.territory.selectors import commune_list_for_actor

PAGE = "prevention:reserve"
SKILLS = dict(ReserveSkill.choices)
AVAILABILITY = dict(ReserveAvailability.choices)


def _communes(actor: Actor):
    return list(commune_list_for_actor(actor=actor, permission=Permission.RESERVE_MANAGE).order_by("name"))


def _crises(communes):
    return list(CrisisSharing.objects.filter(communes__in=communes, ended_at__isnull=True).distinct()
                .order_by("-started_at"))


def _refused(request):
    return forbidden(request, _("La réserve communale est gérée par le maire et ses services."))


def _forms(actor: Actor, communes, posted: dict | None = None) -> dict:
    posted = posted or {}
    mobilisations = list(mobilisation_list_for_actor(actor=actor))
    return {"volunteer_form": posted.get("volunteer") or VolunteerForm(communes=communes),
            "mobilisation_form": posted.get("mobilisation") or MobilisationForm(communes=communes,
                                                                                crises=_crises(communes)),
            "mission_form": posted.get("mission") or MissionForm(
                communes=communes, mobilisations=[m for m in mobilisations if m.closed_at is None]),
            "mobilisations": mobilisations}


@login_required
def reserve(request, posted: dict | None = None):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return _refused(request)
    volunteers = volunteer_list_for_actor(actor=actor)
    rows = [{"volunteer": v, "skills": [SKILLS.get(s, s) for s in v.skills],
             "availability": [AVAILABILITY.get(a, a) for a in v.availability]} for v in volunteers]
    return render(request, "prevention/reserve/index.html", {
        "volunteers": rows, "missions": mission_list_for_actor(actor=actor), "active_volunteers": volunteers,
        **_forms(actor, communes, posted)}, status=400 if posted else 200)


def _done(request, error: ApplicationError | None, success: str, target: str = PAGE, *args):
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(target, *args)


@login_required
@require_POST
def volunteer_create(request):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return _refused(request)
    form = VolunteerForm(request.POST, communes=communes)
    if not form.is_valid():
        return reserve(request, posted={"volunteer": form})
    try:
        volunteer_enrol(actor=actor, commune_id=form.cleaned_data["commune"], draft=form.draft())
    except ApplicationError as error:
        return _done(request, error, "")
    return _done(request, None, _("Réserviste enregistré."))


@login_required
@require_POST
def volunteer_leave_view(request, volunteer_id: int):
    actor = actor_of(request)
    try:
        volunteer_leave(actor=actor, volunteer=volunteer_get_for_actor(actor=actor, volunteer_id=volunteer_id))
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        return _done(request, error, "")
    return _done(request, None, _("Départ de la réserve enregistré."))


@login_required
@require_POST
def mobilisation_create(request):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return _refused(request)
    form = MobilisationForm(request.POST, communes=communes, crises=_crises(communes))
    if not form.is_valid():
        return reserve(request, posted={"mobilisation": form})
    try:
        mobilisation = mobilisation_start(actor=actor, commune_id=form.cleaned_data["commune"], draft=form.draft())
    except ApplicationError as error:
        return _done(request, error, "")
    return _done(request, None, _("Mobilisation lancée : %(count)s réserviste(s) contacté(s).")
                 % {"count": mobilisation.contacted}, "prevention:mobilisation", mobilisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mobilisation_detail(request, mobilisation_id: int):
    """A mobilisation with its answers, live (SSE), and its close button."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.RESERVE_MANAGE):
        return _refused(request)
    try:
        mobilisation = mobilisation_get_for_actor(actor=actor, mobilisation_id=mobilisation_id)
    except ApplicationError:
        raise Http404(_("Mobilisation introuvable.")) from None
    if request.method == "POST":
        mobilisation_close(actor=actor, mobilisation=mobilisation)
        return _done(request, None, _("Mobilisation close."), "prevention:mobilisation", mobilisation.pk)
    counts = answer_counts(mobilisation.pk)
    return render(request, "prevention/reserve/mobilisation.html", {
        "mobilisation": mobilisation, "answers": mobilisation_answers(mobilisation=mobilisation),
        "available": counts[MobilisationAnswerKind.AVAILABLE],
        "unavailable": counts[MobilisationAnswerKind.UNAVAILABLE],
        "missions": list(mobilisation.missions.prefetch_related("assignments__volunteer"))})


@login_required
@require_POST
def mission_create_view(request):
    actor = actor_of(request)
    communes = _communes(actor)
    if not communes:
        return _refused(request)
    form = MissionForm(request.POST, communes=communes,
                       mobilisations=[m for m in mobilisation_list_for_actor(actor=actor) if m.closed_at is None])
    if not form.is_valid():
        return reserve(request, posted={"mission": form})
    try:
        mission_create(actor=actor, commune_id=form.cleaned_data["commune"], draft=form.draft())
    except ApplicationError as error:
        return _done(request, error, "")
    return _done(request, None, _("Mission créée."))


@login_required
@require_POST
def mission_assign_view(request, mission_id: int):
    actor = actor_of(request)
    try:
        mission = mission_get_for_actor(actor=actor, mission_id=mission_id)
        mission_assign(actor=actor, mission=mission, volunteer_id=id_or_none(request.POST.get("volunteer")) or 0)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        return _done(request, error, "")
    return _done(request, None, _("Réserviste affecté à la mission."))


@login_required
@require_POST
def assignment_hours_view(request, assignment_id: int):
    actor = actor_of(request)
    try:
        assignment = assignment_get_for_actor(actor=actor, assignment_id=assignment_id)
        mission_hours_record(actor=actor, assignment=assignment, hours=request.POST.get("hours", "")[:20])
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        return _done(request, error, "")
    return _done(request, None, _("Heures enregistrées."))


# --- The volunteer's answer (no account: the link of the message) --------------------------------

@require_http_methods(["GET", "POST"])
def reserve_answer(request, token: str):
    """"Disponible / indisponible": the page of the link sent by e-mail and SMS."""
    ids = read_answer_token(token)
    found = mobilisation_for_answer(mobilisation_id=ids[0], volunteer_id=ids[1]) if ids else None
    if found is None:
        return render(request, "prevention/participation/link_invalid.html",
                      {"message": _("Ce lien n'est pas ou plus valable.")}, status=404)
    mobilisation, volunteer = found
    if request.method == "POST":
        exceeded = rate_check("reserve_answer", ip=client_ip(request))
        if exceeded is not None:
            return rate_limited_page(request, exceeded)
        try:
            mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk,
                                answer=request.POST.get("answer", "")[:20])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Merci, votre réponse est enregistrée."))
        return redirect("prevention:reserve_answer", token)
    return render(request, "prevention/reserve/answer.html", {
        "mobilisation": mobilisation, "volunteer": volunteer,
        "latest": latest_answer(mobilisation=mobilisation, volunteer=volunteer),
        "choices": MobilisationAnswerKind.choices})
