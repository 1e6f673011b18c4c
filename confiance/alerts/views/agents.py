"""Agents' pages of population alerts: the list (awaiting my approval first), the draft form with the area drawn
on the map, one alert with its actions (submit, approve and publish, send back, update, cancel), the FR-Alert
request, and the draft started from an alarm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confiance.accounts.choices import Permission
from confiance.alerts.access import alert_get_for_actor
from confiance.alerts.choices import AlertStatus, MessageType, Severity
from confiance.alerts.documents import fr_alert_request_pdf
from confiance.alerts.forms import AlertFilterForm, AlertForm, CancelForm, ReviewForm, initial_of
from confiance.alerts.selectors import (
    alert_list_for_actor,
    awaiting_approval_for_actor,
    cap_of,
    incoming_current_for_actor,
    incoming_for_actor,
    templates_for,
)
from confiance.alerts.services import authoring, publication
from confiance.alerts.services.alarms import alert_draft_from_alarm
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.parsing import ParseError, parse_id
from confiance.territory.models import Commune, Sector

LIST_LIMIT = 200


def _refused(request, error: ApplicationError, alert_id: int | None = None):
    messages.error(request, error.message)
    return redirect("alerts:detail", alert_id) if alert_id else redirect("alerts:list")


@login_required
def alert_list(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.ALERTS_VIEW):
        return forbidden(request, _("Les alertes à la population sont réservées aux agents habilités."))
    form = AlertFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    draft_communes = list(Commune.objects.filter(pk__in=actor.commune_ids(Permission.ALERTS_DRAFT)))
    return render(request, "alerts/list.html", {
        "form": form, "alerts": list(alert_list_for_actor(actor=actor, status=status)[:LIST_LIMIT]),
        "awaiting": list(awaiting_approval_for_actor(actor=actor)), "incoming": incoming_for_actor(actor=actor),
        "draft_communes": draft_communes,
        "templates": list(templates_for(draft_communes[0].pk)) if len(draft_communes) == 1 else []})


def _form_page(request, *, commune: Commune, form: AlertForm, title: str, alert=None, replaces=None):
    return render(request, "alerts/form.html", {
        "form": form, "commune": commune, "title": title, "alert": alert, "replaces": replaces,
        "templates": list(templates_for(commune.pk))})


def _sectors(commune: Commune):
    return list(Sector.objects.filter(commune=commune).order_by("name"))


def _commune_for_new(request, actor) -> Commune:
    allowed = actor.commune_ids(Permission.ALERTS_DRAFT)
    try:
        wanted = parse_id(request.GET.get("commune") or request.POST.get("commune"))
    except ParseError:
        wanted = None
    if wanted is None and len(allowed) == 1:
        wanted = next(iter(allowed))
    if wanted is None:
        raise NotFoundError()
    actor.require(Permission.ALERTS_DRAFT, wanted)
    return Commune.objects.get(pk=wanted)


@login_required
@require_http_methods(["GET", "POST"])
def alert_new(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.ALERTS_DRAFT):
        return forbidden(request, _("Seuls les opérateurs et les chefs de poste rédigent une alerte."))
    try:
        commune = _commune_for_new(request, actor)
    except ApplicationError:
        return forbidden(request, _("Choisissez une commune où vous rédigez les alertes."))
    if request.method == "POST":
        form = AlertForm(request.POST, sectors=_sectors(commune))
        if form.is_valid():
            try:
                alert = authoring.alert_draft(actor=actor, commune_id=commune.pk, draft=form.draft(commune.pk))
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Brouillon enregistré. Soumettez-le à validation."))
                return redirect("alerts:detail", alert.pk)
        return _form_page(request, commune=commune, form=form, title=_("Nouvelle alerte"))
    initial = {}
    try:
        template_id = parse_id(request.GET.get("template"))
    except ParseError:
        template_id = None
    if template_id:
        try:
            initial = initial_of(authoring.draft_from_template(authoring.template_for(commune.pk, template_id)))
        except ApplicationError as error:
            messages.error(request, error.message)
    form = AlertForm(initial=initial, sectors=_sectors(commune))
    return _form_page(request, commune=commune, form=form, title=_("Nouvelle alerte"))


@login_required
@require_http_methods(["GET", "POST"])
def alert_edit(request, alert_id: int):
    actor = actor_of(request)
    try:
        alert = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT)
    except ApplicationError:
        return forbidden(request, _("Alerte introuvable ou réservée."))
    if request.method == "POST":
        form = AlertForm(request.POST, sectors=_sectors(alert.commune))
        if form.is_valid():
            try:
                authoring.alert_edit(actor=actor, alert_id=alert.pk, draft=form.draft(alert.commune_id))
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect("alerts:detail", alert.pk)
    else:
        form = AlertForm(initial=initial_of(publication.draft_of(alert)), sectors=_sectors(alert.commune))
    return _form_page(request, commune=alert.commune, form=form, title=_("Modifier le brouillon"), alert=alert)


@login_required
@require_http_methods(["GET", "POST"])
def alert_update_new(request, alert_id: int):
    actor = actor_of(request)
    try:
        replaced = alert_get_for_actor(actor=actor, alert_id=alert_id, permission=Permission.ALERTS_DRAFT)
    except ApplicationError:
        return forbidden(request, _("Alerte introuvable ou réservée."))
    if request.method == "POST":
        form = AlertForm(request.POST, sectors=_sectors(replaced.commune))
        if form.is_valid():
            try:
                update = publication.alert_update(actor=actor, replaces=[replaced.pk],
                                                  draft=form.draft(replaced.commune_id))
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect("alerts:detail", update.pk)
    else:
        form = AlertForm(initial=initial_of(publication.draft_of(replaced)), sectors=_sectors(replaced.commune))
    return _form_page(request, commune=replaced.commune, form=form, title=_("Mise à jour de l'alerte"),
                      replaces=replaced)


@login_required
def alert_detail(request, alert_id: int):
    actor = actor_of(request)
    try:
        alert = alert_get_for_actor(actor=actor, alert_id=alert_id)
    except ApplicationError:
        return forbidden(request, _("Alerte introuvable ou réservée."))
    commune_id = alert.commune_id
    is_author = alert.author_id == actor.agent.pk
    can_approve = actor.can(Permission.ALERTS_APPROVE, commune_id) and not is_author
    can_draft = actor.can(Permission.ALERTS_DRAFT, commune_id)
    in_force = alert.status == AlertStatus.PUBLISHED and alert.msg_type != MessageType.CANCEL
    return render(request, "alerts/detail.html", {
        "alert": alert, "steps": list(alert.steps.select_related("by")), "cap_xml": cap_of(alert).decode(),
        "references": list(alert.references.all()), "replaced_by": list(alert.replaced_by.all()),
        "sectors": list(alert.target_sectors.all()), "is_author": is_author,
        "can_edit": can_draft and alert.status == AlertStatus.DRAFT,
        "can_submit": can_draft and alert.status == AlertStatus.DRAFT,
        "can_approve": can_approve and alert.status == AlertStatus.AWAITING_APPROVAL and not alert.approved_at,
        "can_publish": can_draft and alert.status == AlertStatus.AWAITING_APPROVAL and bool(alert.approved_at),
        "own_awaiting": is_author and alert.status == AlertStatus.AWAITING_APPROVAL,
        "can_replace": can_draft and in_force, "review_form": ReviewForm(), "cancel_form": CancelForm()})


def _action(request, alert_id: int, call, success: str):
    actor = actor_of(request)
    try:
        result = call(actor)
    except ApplicationError as error:
        return _refused(request, error, alert_id)
    messages.success(request, success)
    return redirect("alerts:detail", getattr(result, "pk", alert_id))


@login_required
@require_POST
def alert_submit_view(request, alert_id: int):
    return _action(request, alert_id, lambda actor: authoring.alert_submit(actor=actor, alert_id=alert_id),
                   _("Alerte soumise à validation : une autre personne doit la valider."))


@login_required
@require_POST
def alert_approve_view(request, alert_id: int):
    return _action(request, alert_id, lambda actor: publication.alert_approve(actor=actor, alert_id=alert_id),
                   _("Alerte validée et publiée."))


@login_required
@require_POST
def alert_publish_view(request, alert_id: int):
    return _action(request, alert_id, lambda actor: publication.alert_publish(actor=actor, alert_id=alert_id),
                   _("Alerte publiée."))


@login_required
@require_POST
def alert_return_view(request, alert_id: int):
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _action(request, alert_id,
                   lambda actor: authoring.alert_return(actor=actor, alert_id=alert_id, note=note),
                   _("Alerte renvoyée à son auteur."))


@login_required
@require_POST
def alert_abandon_view(request, alert_id: int):
    return _action(request, alert_id, lambda actor: authoring.alert_abandon(actor=actor, alert_id=alert_id),
                   _("Brouillon abandonné."))


@login_required
@require_POST
def alert_cancel_view(request, alert_id: int):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _action(request, alert_id,
                   lambda actor: publication.alert_cancel(actor=actor, replaces=[alert_id], reason=reason),
                   _("Fin d'alerte rédigée : soumettez-la à validation."))


@login_required
def fr_alert_request(request, alert_id: int):
    actor = actor_of(request)
    try:
        alert = alert_get_for_actor(actor=actor, alert_id=alert_id)
    except ApplicationError:
        return forbidden(request, _("Alerte introuvable ou réservée."))
    response = HttpResponse(fr_alert_request_pdf(alert, cap_of(alert)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="demande-fr-alert-{alert.identifier}.pdf"'
    return response


@login_required
@require_POST
def alert_from_alarm(request, alarm_id: int):
    actor = actor_of(request)
    try:
        alert = alert_draft_from_alarm(actor=actor, alarm_id=alarm_id)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("alerts:list")
    messages.success(request, _("Brouillon d'alerte prérempli depuis l'alarme : vérifiez la zone et les consignes."))
    return redirect("alerts:edit", alert.pk)


CONSOLE_INCOMING = 20


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


def _validity(incoming) -> str:
    if incoming.onset and incoming.expires:
        return _("du %(start)s au %(end)s") % {"start": _when(incoming.onset), "end": _when(incoming.expires)}
    if incoming.expires:
        return _("jusqu'au %(end)s") % {"end": _when(incoming.expires)}
    if incoming.onset:
        return _("à partir du %(start)s") % {"start": _when(incoming.onset)}
    return _("sans fin de validité indiquée")


def incoming_row(incoming, commune_ids: set[int]) -> dict:
    """One incoming alert as the console's panel draws it (the viewer's communes only)."""
    severity = Severity(incoming.severity).label if incoming.severity in Severity.values else _("Inconnue")
    return {"id": incoming.pk, "headline": incoming.headline or incoming.event, "event": incoming.event,
            "sender": incoming.sender_name or incoming.sender, "severity": incoming.severity or "Unknown",
            "severity_label": str(severity), "sent": incoming.sent.isoformat(),
            "onset": incoming.onset.isoformat() if incoming.onset else None,
            "expires": incoming.expires.isoformat() if incoming.expires else None,
            "validity": _validity(incoming), "area": incoming.area_description,
            "communes": [commune.name for commune in incoming.communes.all() if commune.pk in commune_ids],
            "web": incoming.web if incoming.web.startswith(("https://", "http://")) else ""}


@login_required
@require_GET
def incoming_console(request):
    """The operations console's panel: alerts of other authorities in force over the viewer's communes."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.ALERTS_VIEW):
        return JsonResponse({"code": "permission_denied", "details": {},
                             "message": _("Les alertes à la population sont réservées aux agents habilités.")},
                            status=403)
    communes = actor.commune_ids(Permission.ALERTS_VIEW)
    rows = incoming_current_for_actor(actor=actor, limit=CONSOLE_INCOMING)
    return JsonResponse({"incoming": [incoming_row(incoming, communes) for incoming in rows]})
