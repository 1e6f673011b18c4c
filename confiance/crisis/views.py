"""Crisis pages: the list of crises, the declaration (communes or a zone drawn on the map), the crisis view over
all its communes (live), its log, checklist and end, and the report (PDF) once it has ended."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from confiance.core.parsing import id_or_none, parse_ids
from confiance.crisis.access import crisis_commune_ids, crisis_get_for_actor
from confiance.crisis.documents import crisis_report_pdf
from confiance.crisis.errors import CrisisError, CrisisErrorCode
from confiance.crisis.forms import CrisisDeclareForm, CrisisJoinForm, CrisisLogForm
from confiance.crisis.selectors import crisis_list_for_actor, crisis_payload, crisis_state, flood_suggestion
from confiance.crisis.services import (
    crisis_close,
    crisis_commune_join,
    crisis_declare,
    crisis_log_write,
    crisis_step_tick,
)
from confiance.territory.choices import CrisisKind
from confiance.territory.models import Commune


def _communes(actor: Actor, permission: Permission) -> list[Commune]:
    return list(Commune.objects.filter(pk__in=actor.commune_ids(permission)).order_by("name"))


def _crisis_or_404(request, actor: Actor, crisis_id: str, permission: Permission = Permission.CRISIS_VIEW):
    return crisis_get_for_actor(actor=actor, crisis_id=id_or_none(crisis_id), permission=permission)


def _not_found(request):
    return render(request, "404.html", status=404)


@login_required
@require_GET
def crisis_list(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.CRISIS_VIEW):
        return forbidden(request, _("Les crises sont suivies par les agents des communes concernées."))
    now = timezone.now()
    crises = crisis_list_for_actor(actor=actor, now=now)
    return render(request, "crisis/list.html", {
        "active": [crisis for crisis in crises if crisis.active_at(now)],
        "past": [crisis for crisis in crises if not crisis.active_at(now)],
        "can_declare": actor.can_anywhere(Permission.CRISIS_DECLARE), "suggestion": flood_suggestion(actor=actor),
    })


def _prefill(request, communes: list[Commune]) -> dict:
    """A declaration pre-filled from the query string (the flood's button): kind and communes the actor may use."""
    kind = request.GET.get("type", "")
    try:
        wanted = set(parse_ids(request.GET.get("communes", ""), limit=100))
    except ValueError:
        wanted = set()
    allowed = {commune.pk for commune in communes}
    initial = {"kind": kind if kind in CrisisKind.values else CrisisKind.OTHER,
               "communes": sorted(wanted & allowed)}
    title = request.GET.get("titre", "")[:200]
    if title:
        initial["title"] = title
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def crisis_declare_page(request):
    actor = actor_of(request)
    communes = _communes(actor, Permission.CRISIS_DECLARE)
    if not communes:
        return forbidden(request, _("Déclarer une crise est réservé au chef de poste et à l'élu."))
    form = CrisisDeclareForm(request.POST or None, communes=communes,
                             initial=_prefill(request, communes) if request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        try:
            crisis = crisis_declare(actor=actor, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                                    commune_ids=form.cleaned_data["communes"], zone=form.cleaned_data["zone"])
        except NotFoundError:
            form.add_error(None, _("La zone dessinée touche une commune où vous ne pouvez pas déclarer de crise."))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Crise déclarée : les communes partagent interventions, unités et alarmes."))
            return redirect("crisis:detail", crisis_id=crisis.pk)
    return render(request, "crisis/declare.html", {"form": form, "communes": communes},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def crisis_detail(request, crisis_id: str):
    actor = actor_of(request)
    try:
        crisis = _crisis_or_404(request, actor, crisis_id)
    except NotFoundError:
        return _not_found(request)
    members = crisis_commune_ids(crisis)
    mine = [commune for commune in _communes(actor, Permission.CRISIS_VIEW) if commune.pk in members]
    joinable = [commune for commune in _communes(actor, Permission.CRISIS_DECLARE) if commune.pk not in members]
    may_declare = bool(members & actor.commune_ids(Permission.CRISIS_DECLARE))
    return render(request, "crisis/detail.html", {
        "crisis": crisis, "payload": crisis_payload(crisis), "active": crisis.active_at(timezone.now()),
        "log_form": CrisisLogForm(communes=mine), "join_form": CrisisJoinForm(communes=joinable) if joinable else None,
        "may_end": may_declare, "sees_operations": actor.can_anywhere(Permission.OPERATIONS_VIEW),
        "sees_alarms": actor.can_anywhere(Permission.DEVICES_VIEW),
    })


@login_required
@require_GET
def crisis_state_json(request, crisis_id: str):
    actor = actor_of(request)
    try:
        crisis = _crisis_or_404(request, actor, crisis_id)
    except ApplicationError as error:
        return JsonResponse(error.as_dict(), status=error.status_code)
    return JsonResponse(crisis_state(actor=actor, crisis=crisis))


def _act(request, crisis_id: str, action, permission: Permission = Permission.CRISIS_VIEW):
    """Run one write on a crisis from a form: a message and back to the crisis view (JSON for fetch callers)."""
    actor = actor_of(request)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        crisis = _crisis_or_404(request, actor, crisis_id, permission)
        success = action(actor, crisis)
    except NotFoundError as error:
        if wants_json:
            return JsonResponse(error.as_dict(), status=404)
        return _not_found(request)
    except PermissionDeniedError as error:
        if wants_json:
            return JsonResponse(error.as_dict(), status=403)
        return forbidden(request, error.message)
    except ApplicationError as error:
        if wants_json:
            return JsonResponse(error.as_dict(), status=error.status_code)
        messages.error(request, error.message)
        return redirect("crisis:detail", crisis_id=crisis_id) if id_or_none(crisis_id) else _not_found(request)
    if wants_json:
        return JsonResponse({"ok": True})
    if success:
        messages.success(request, success)
    return redirect(reverse("crisis:detail", kwargs={"crisis_id": crisis.pk}))


@login_required
@require_POST
def crisis_log_post(request, crisis_id: str):
    def action(actor, crisis):
        form = CrisisLogForm(request.POST, communes=_communes(actor, Permission.CRISIS_VIEW))
        if not form.is_valid():
            raise CrisisError(CrisisErrorCode.TEXT_EMPTY, " ".join(
                str(message) for errors in form.errors.values() for message in errors))
        crisis_log_write(actor=actor, crisis=crisis, text=form.cleaned_data["text"],
                         commune_id=form.cleaned_data["commune"])
        return _("Note ajoutée au journal de crise.")
    return _act(request, crisis_id, action)


@login_required
@require_POST
def crisis_step_post(request, crisis_id: str, step_id: str):
    def action(actor, crisis):
        crisis_step_tick(actor=actor, crisis=crisis, step_id=id_or_none(step_id))
        return _("Étape cochée.")
    return _act(request, crisis_id, action)


@login_required
@require_POST
def crisis_join_post(request, crisis_id: str):
    def action(actor, crisis):
        form = CrisisJoinForm(request.POST, communes=_communes(actor, Permission.CRISIS_DECLARE))
        if not form.is_valid():
            raise CrisisError(CrisisErrorCode.NO_COMMUNE,
                              _("Choisissez une commune où vous pouvez déclarer une crise."))
        added = crisis_commune_join(actor=actor, crisis=crisis, commune_id=form.cleaned_data["commune"])
        return _("Commune ajoutée à la crise.") if added else _("Cette commune est déjà dans la crise.")
    return _act(request, crisis_id, action, Permission.CRISIS_DECLARE)


@login_required
@require_POST
def crisis_end_post(request, crisis_id: str):
    def action(actor, crisis):
        crisis_close(actor=actor, crisis=crisis)
        return _("Crise terminée : le partage entre communes a pris fin.")
    return _act(request, crisis_id, action, Permission.CRISIS_DECLARE)


@login_required
@require_GET
def crisis_report(request, crisis_id: str):
    actor = actor_of(request)
    try:
        crisis = _crisis_or_404(request, actor, crisis_id)
    except NotFoundError:
        return _not_found(request)
    if crisis.ended_at is None or crisis.active_at(timezone.now()):
        messages.error(request, _("Le rapport est disponible une fois la crise terminée."))
        return redirect("crisis:detail", crisis_id=crisis.pk)
    response = HttpResponse(crisis_report_pdf(actor=actor, crisis=crisis), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-crise-{crisis.pk}.pdf"'
    return response
