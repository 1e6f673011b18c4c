"""Participation citoyenne pages: the agents' page (protocol, referents, observations, messages), an observation's
page, and the referent's personal phone page reached by their private link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError
from confiance.core.parsing import id_or_none
from confiance.core.ratelimits import client_ip, rate_check, rate_limited_page
from confiance.operations.selectors import intervention_type_list
from confiance.prevention.choices import ObservationStatus
from confiance.prevention.errors import PreventionErrorCode
from confiance.prevention.forms.participation import (
    FollowUpForm,
    ObservationForm,
    PreventionMessageForm,
    ProtocolForm,
    ReferentForm,
)
from confiance.prevention.links import referent_page_url
from confiance.prevention.selectors.participation import (
    message_list,
    observation_get_for_actor,
    observation_list_for_actor,
    observation_list_for_referent,
    protocol_latest,
    protocol_reminders,
    referent_from_token,
    referent_get_for_actor,
    referent_list_for_actor,
)
from confiance.prevention.services.participation import (
    observation_follow_up,
    observation_submit,
    observation_to_intervention,
    prevention_message_send,
    protocol_record,
    referent_link_renew,
    referent_name,
    referent_revoke,
    vehicle_text,
)
from confiance.territory.models import Sector
from confiance.territory.selectors import commune_list_for_actor

PAGE = "prevention:participation"


def _allowed(actor: Actor) -> bool:
    return actor.can_anywhere(Permission.PREVENTION_MANAGE) or actor.can_anywhere(Permission.PREVENTION_VIEW)


def _refused(request):
    return forbidden(request, _("La participation citoyenne est réservée aux élus qui nomment les référents et à la "
                                "police municipale."))


def _managed(actor: Actor):
    return list(commune_list_for_actor(actor=actor, permission=Permission.PREVENTION_MANAGE).order_by("name"))


def _police(actor: Actor):
    return list(commune_list_for_actor(actor=actor, permission=Permission.PREVENTION_VIEW).order_by("name"))


def _sectors(communes):
    return list(Sector.objects.filter(commune__in=communes).select_related("commune").order_by("commune__name",
                                                                                                 "name"))


def _observation_row(observation) -> dict:
    return {"id": observation.pk, "kind": observation.get_kind_display(), "lat": observation.lat,
            "lon": observation.lon, "sector": observation.sector.name if observation.sector else "",
            "address": observation.address, "status": observation.get_status_display(),
            "at": timezone.localtime(observation.occurred_at).strftime("%d/%m/%Y %H:%M"),
            "vehicle": vehicle_text(observation), "url": reverse("prevention:observation", args=[observation.pk])}


@login_required
def participation(request, forms: dict | None = None):
    """The agents' page of Participation citoyenne: what each role may see of it."""
    actor = actor_of(request)
    if not _allowed(actor):
        return _refused(request)
    managed, police = _managed(actor), _police(actor)
    forms = forms or {}
    observations = observation_list_for_actor(actor=actor) if police else []
    protocols = [(commune, protocol_latest(commune_id=commune.pk)) for commune in managed]
    return render(request, "prevention/participation/index.html", {
        "reminders": protocol_reminders(actor=actor), "protocols": protocols,
        "protocol_form": forms.get("protocol") or ProtocolForm(communes=managed) if managed else None,
        "referent_form": forms.get("referent") or ReferentForm(sectors=_sectors(managed)) if managed else None,
        "message_form": forms.get("message") or PreventionMessageForm(communes=police, sectors=_sectors(police))
        if police else None,
        "referents": list(referent_list_for_actor(actor=actor)), "can_manage": bool(managed),
        "observations": observations, "observation_rows": [_observation_row(o) for o in observations],
        "messages_sent": list(message_list(actor=actor)) if police else [], "police": bool(police),
        "new_link": request.session.pop("prevention_new_link", None),
    })


CONSOLE_OBSERVATIONS = 10
CONSOLE_MOTIVE = "Observations des référents sur la console"


@login_required
def console_state(request):
    """The operations console's panel: the referents' latest observations still to be handled (police only)."""
    actor = actor_of(request)
    if not _police(actor):
        return JsonResponse({"code": "permission_denied", "message": _("Réservé à la police municipale."),
                             "details": {}}, status=403)
    waiting = [o for o in observation_list_for_actor(actor=actor, limit=50, motive=CONSOLE_MOTIVE)
               if o.status in (ObservationStatus.RECEIVED, ObservationStatus.ACKNOWLEDGED)]
    return JsonResponse({"waiting": len(waiting), "observations": [
        _observation_row(o) for o in waiting[:CONSOLE_OBSERVATIONS]]})


def _error(request, error: ApplicationError):
    messages.error(request, error.message)
    return redirect(PAGE)


@login_required
@require_POST
def protocol_create(request):
    actor = actor_of(request)
    managed = _managed(actor)
    if not managed:
        return _refused(request)
    form = ProtocolForm(request.POST, communes=managed)
    if not form.is_valid():
        return participation(request, forms={"protocol": form})
    try:
        protocol_record(actor=actor, commune_id=form.cleaned_data["commune"], draft=form.draft())
    except ApplicationError as error:
        return _error(request, error)
    messages.success(request, _("Protocole enregistré."))
    return redirect(PAGE)


@login_required
@require_POST
def referent_create(request):
    actor = actor_of(request)
    managed = _managed(actor)
    if not managed:
        return _refused(request)
    sectors = _sectors(managed)
    form = ReferentForm(request.POST, sectors=sectors)
    if not form.is_valid():
        return participation(request, forms={"referent": form})
    commune_id = next(s.commune_id for s in sectors if s.pk == form.cleaned_data["sector"])
    try:
        referent, token = referent_name(actor=actor, commune_id=commune_id, draft=form.draft())
    except ApplicationError as error:
        return _error(request, error)
    request.session["prevention_new_link"] = {"name": str(referent), "url": referent_page_url(token)}
    messages.success(request, _("Référent nommé ; son lien personnel lui est envoyé par e-mail."))
    return redirect(PAGE)


def _referent_of(request, actor: Actor, referent_id: int):
    return referent_get_for_actor(actor=actor, referent_id=referent_id)


@login_required
@require_POST
def referent_revoke_view(request, referent_id: int):
    actor = actor_of(request)
    try:
        referent_revoke(actor=actor, referent=_referent_of(request, actor, referent_id),
                        reason=request.POST.get("reason", "")[:300])
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        return _error(request, error)
    messages.success(request, _("Référent révoqué : son lien ne fonctionne plus."))
    return redirect(PAGE)


@login_required
@require_POST
def referent_renew_view(request, referent_id: int):
    actor = actor_of(request)
    try:
        referent = _referent_of(request, actor, referent_id)
        token = referent_link_renew(actor=actor, referent=referent)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        return _error(request, error)
    request.session["prevention_new_link"] = {"name": str(referent), "url": referent_page_url(token)}
    messages.success(request, _("Nouveau lien envoyé ; l'ancien ne fonctionne plus."))
    return redirect(PAGE)


@login_required
@require_POST
def message_send(request):
    actor = actor_of(request)
    police = _police(actor)
    if not police:
        return forbidden(request, _("Les messages de prévention sont envoyés par la police municipale."))
    form = PreventionMessageForm(request.POST, communes=police, sectors=_sectors(police))
    if not form.is_valid():
        return participation(request, forms={"message": form})
    commune_id, sector_id = form.target_ids()
    try:
        message = prevention_message_send(actor=actor, commune_id=commune_id, sector_id=sector_id,
                                          subject=form.cleaned_data["subject"], body=form.cleaned_data["body"])
    except ApplicationError as error:
        return _error(request, error)
    messages.success(request, _("Message envoyé à %(count)s référent(s).") % {"count": message.recipients})
    return redirect(PAGE)


@login_required
@require_http_methods(["GET", "POST"])
def observation_detail(request, observation_id: int):
    """One observation for the police municipale: its facts, follow-up, and the intervention it may become."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.PREVENTION_VIEW):
        return forbidden(request, _("Les observations des référents sont réservées à la police municipale."))
    try:
        observation = observation_get_for_actor(actor=actor, observation_id=observation_id)
    except ApplicationError:
        raise Http404(_("Observation introuvable.")) from None
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "intervention":
                type_id = id_or_none(request.POST.get("type"))
                intervention = observation_to_intervention(actor=actor, observation=observation, type_id=type_id or 0)
                messages.success(request, _("Intervention %(number)s ouverte.") % {"number": intervention.number})
                return redirect("prevention:observation", observation.pk)
            if form.is_valid():
                observation_follow_up(actor=actor, observation=observation, status=form.cleaned_data["status"],
                                      note=form.cleaned_data["note"])
                messages.success(request, _("Suivi enregistré ; le référent le voit sur sa page."))
                return redirect("prevention:observation", observation.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    types = (list(intervention_type_list(commune_ids={observation.commune_id}))
             if actor.can(Permission.OPERATIONS_LOG, observation.commune_id) else [])
    return render(request, "prevention/participation/observation.html", {
        "observation": observation, "row": _observation_row(observation), "form": form, "types": types,
        "updates": list(observation.updates.all())})


# --- The referent's page (no account: their private link) ----------------------------------------

@require_http_methods(["GET", "POST"])
def referent_page(request, token: str):
    """The referent's phone page: post an observation of their sector, follow the earlier ones."""
    try:
        referent = referent_from_token(token)
    except ApplicationError as error:
        return render(request, "prevention/participation/link_invalid.html", {"message": error.message}, status=404)
    form = ObservationForm(request.POST or None)
    warnings: list[dict] = []
    if request.method == "POST":
        exceeded = rate_check("referent_page", ip=client_ip(request), account=str(referent.pk))
        if exceeded is not None:
            return rate_limited_page(request, exceeded)
        if form.is_valid():
            try:
                observation_submit(referent=referent, draft=form.draft())
            except ApplicationError as error:
                if error.code == PreventionErrorCode.SENSITIVE_DATA:
                    warnings = error.details.get("matches", [])
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Observation transmise à la police municipale. Merci."))
                return redirect("prevention:referent_page", token)
    sector = referent.sector
    return render(request, "prevention/participation/referent.html", {
        "referent": referent, "form": form, "warnings": warnings,
        "observations": observation_list_for_referent(referent=referent),
        "centre": {"lat": sector.centroid_lat, "lon": sector.centroid_lon}, "sector_geometry": sector.geometry,
    }, status=422 if warnings else 200)
