"""Agents' camera pages: the registry (CAMERAS_VIEW), one camera with its retention window, held spans and, for the
agents individually authorised on it, the stream link behind a motive; individual authorisations (CAMERAS_MANAGE);
the console's cameras layer; the register of extractions with its PDF and CSV (CAMERAS_EXTRACT)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.devices.choices import AuthorisationState, CameraPurpose
from confiance.devices.documents import extraction_register_csv, extraction_register_pdf
from confiance.devices.forms import (
    CameraFilterForm,
    CameraGrantForm,
    ExtractionDeliverForm,
    ExtractionForm,
    MotiveForm,
    RegisterExportForm,
)
from confiance.devices.selectors.cameras import (
    authorisation_expiry,
    authorisation_state,
    authorised_camera_ids,
    camera_authorisations,
    camera_get_for_actor,
    camera_list_for_actor,
    extraction_is_urgent,
    extraction_list_for_actor,
    extraction_purge_deadline,
    retention_window,
)
from confiance.devices.services import cameras as camera_services
from confiance.devices.services import extractions as extraction_services
from confiance.territory.selectors import commune_list_for_actor

CONSOLE_CAMERAS = 2000
REGISTER_ROWS = 500


def _communes(actor, permission):
    return list(commune_list_for_actor(actor=actor, permission=permission).filter(
        pk__in=actor.commune_ids(permission)))


def _purpose_labels(values) -> list[str]:
    labels = dict(CameraPurpose.choices)
    return [str(labels[value]) for value in values if value in labels]


def camera_row(camera, today, authorised: bool) -> dict:
    """A camera as the pages and the console layer show it (no stream link: it is opened through a motive)."""
    state = authorisation_state(camera, today)
    device = camera.device
    return {"id": camera.pk, "name": device.name, "commune_id": device.commune_id, "commune": device.commune.name,
            "address": device.address, "lat": device.lat, "lon": device.lon, "direction_deg": camera.direction_deg,
            "angle_deg": camera.angle_deg, "range_m": camera.range_m, "purposes": _purpose_labels(camera.purposes),
            "retention_days": camera.retention_days, "authorisation_reference": camera.authorisation_reference,
            "authorisation_expiry": authorisation_expiry(camera.authorisation_date).isoformat(),
            "state": state.value, "state_label": str(state.label), "authorised": authorised,
            "detail": reverse("devices:camera-detail", args=[camera.pk])}


@login_required
@require_GET
def camera_list(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.CAMERAS_VIEW):
        return forbidden(request, _("Le registre des caméras est réservé à la police municipale et au CSU."))
    communes = _communes(actor, Permission.CAMERAS_VIEW)
    form = CameraFilterForm(request.GET or None, communes=communes)
    commune_id = form.cleaned_data.get("commune") if form.is_valid() else None
    cameras = list(camera_list_for_actor(actor=actor, commune_id=commune_id))
    authorised = authorised_camera_ids(agent=actor.agent, camera_ids=[camera.pk for camera in cameras])
    today = timezone.localdate()
    rows = [camera_row(camera, today, camera.pk in authorised) for camera in cameras]
    return render(request, "devices/cameras/list.html", {
        "form": form, "rows": rows, "count": len(rows),
        "expired": sum(row["state"] == AuthorisationState.EXPIRED for row in rows),
        "expiring": sum(row["state"] == AuthorisationState.EXPIRING for row in rows),
        "can_extract": actor.can_anywhere(Permission.CAMERAS_EXTRACT),
    })


@login_required
@require_GET
def camera_detail(request, camera_id: int):
    actor = actor_of(request)
    try:
        camera = camera_get_for_actor(actor=actor, camera_id=camera_id)
    except NotFoundError:
        raise Http404 from None
    commune_id = camera.device.commune_id
    can_manage = actor.can(Permission.CAMERAS_MANAGE, commune_id)
    authorised = camera.pk in authorised_camera_ids(agent=actor.agent, camera_ids=[camera.pk])
    window = retention_window(camera)
    return render(request, "devices/cameras/detail.html", {
        "camera": camera, "row": camera_row(camera, timezone.localdate(), authorised), "window": window,
        "authorised": authorised, "can_manage": can_manage, "motive_form": MotiveForm(),
        "grants": list(camera_authorisations(camera=camera)) if can_manage else [], "grant_form": CameraGrantForm(),
        "masks": len(camera.privacy_masks or []),
        "can_extract": actor.can(Permission.CAMERAS_EXTRACT, commune_id),
    })


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def camera_stream(request, camera_id: int):
    """Open the VMS link: only for an individually authorised agent, after the access log took the motive."""
    actor = actor_of(request)
    form = MotiveForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("invalid_input", _("Indiquez le motif (5 caractères au moins)."))
        link = camera_services.camera_stream_open(actor=actor, camera_id=camera_id,
                                                  motive=form.cleaned_data["motive"],
                                                  export=form.cleaned_data["export"])
    except ApplicationError as error:
        if _wants_json(request):
            return JsonResponse(error.as_dict(), status=error.status_code)
        if error.status_code == 404:
            raise Http404 from None
        messages.error(request, error.message)
        return redirect("devices:camera-detail", camera_id=camera_id)
    if _wants_json(request):
        return JsonResponse({"url": link})
    return redirect(link)


@login_required
@require_POST
def camera_grant(request, camera_id: int):
    actor = actor_of(request)
    form = CameraGrantForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("invalid_input", _("Vérifiez l'identifiant et la date de fin."))
        agent = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if agent is None:
            raise ApplicationError("invalid_input", _("Aucun agent n'a cet identifiant."))
        camera_services.camera_authorisation_grant(actor=actor, camera_id=camera_id, agent=agent,
                                                   valid_until=form.cleaned_data["valid_until"])
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Habilitation accordée."))
    return redirect("devices:camera-detail", camera_id=camera_id)


@login_required
@require_POST
def camera_revoke(request, camera_id: int, authorisation_id: int):
    actor = actor_of(request)
    try:
        camera_services.camera_authorisation_revoke(actor=actor, authorisation_id=authorisation_id)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Habilitation retirée."))
    return redirect("devices:camera-detail", camera_id=camera_id)


@login_required
@require_GET
def cameras_console_state(request):
    """The console's cameras layer: every camera of the agent's communes, expired ones flagged."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.CAMERAS_VIEW):
        return JsonResponse({"code": "permission_denied", "message": _("Accès réservé."), "details": {}},
                            status=403)
    cameras = list(camera_list_for_actor(actor=actor)[:CONSOLE_CAMERAS])
    authorised = authorised_camera_ids(agent=actor.agent, camera_ids=[camera.pk for camera in cameras])
    today = timezone.localdate()
    legend = [(state.value, str(state.label)) for state in AuthorisationState]
    return JsonResponse({"cameras": [camera_row(camera, today, camera.pk in authorised) for camera in cameras],
                         "legend": legend})


# --- Register of extractions -----------------------------------------------------------------------------------


def _extraction_rows(extractions, now) -> list[dict]:
    return [{"item": item, "urgent": extraction_is_urgent(item, now), "deadline": extraction_purge_deadline(item),
             "cameras": [camera.device.name for camera in item.cameras.all()]} for item in extractions]


@login_required
@require_http_methods(["GET", "POST"])
def extraction_register(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.CAMERAS_EXTRACT):
        return forbidden(request, _("Le registre des extractions est réservé aux chefs de poste."))
    communes = _communes(actor, Permission.CAMERAS_EXTRACT)
    cameras = list(camera_list_for_actor(actor=actor, permission=Permission.CAMERAS_EXTRACT))
    form = ExtractionForm(request.POST or None, communes=communes, cameras=cameras)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ApplicationError("invalid_input", _("Vérifiez les champs signalés."))
            commune = next(c for c in communes if c.pk == form.cleaned_data["commune"])
            extraction_services.extraction_record(actor=actor, commune=commune, draft=form.draft())
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Réquisition enregistrée : les périodes demandées sont gelées."))
            return redirect("devices:extractions")
    now = timezone.now()
    rows = _extraction_rows(extraction_list_for_actor(actor=actor, limit=REGISTER_ROWS), now)
    return render(request, "devices/cameras/extractions.html", {
        "form": form, "rows": rows, "held": [row for row in rows if row["item"].hold_released_at is None],
        "urgent": [row for row in rows if row["urgent"]], "deliver_form": ExtractionDeliverForm(),
        "export_form": RegisterExportForm(communes=communes),
    })


def _extraction_action(request, action, done: str):
    actor = actor_of(request)
    try:
        action(actor)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("devices:extractions")


@login_required
@require_POST
def extraction_deliver(request, extraction_id: int):
    form = ExtractionDeliverForm(request.POST)

    def deliver(actor):
        if not form.is_valid():
            raise ApplicationError("invalid_input", _("Indiquez les fichiers remis."))
        extraction_services.extraction_deliver(actor=actor, extraction_id=extraction_id, media=form.drafts())
    return _extraction_action(request, deliver, _("Remise des images enregistrée."))


@login_required
@require_POST
def extraction_release(request, extraction_id: int):
    return _extraction_action(request, lambda actor: extraction_services.extraction_release_hold(
        actor=actor, extraction_id=extraction_id), _("Gel levé : le logiciel vidéo peut de nouveau purger ces "
                                                      "images."))


@login_required
@require_POST
def extraction_register_export(request):
    """The register as PDF or CSV for an inspection; the export (officers' names) goes to the access log."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.CAMERAS_EXTRACT):
        return forbidden(request, _("Le registre des extractions est réservé aux chefs de poste."))
    communes = _communes(actor, Permission.CAMERAS_EXTRACT)
    form = RegisterExportForm(request.POST, communes=communes)
    if not form.is_valid():
        messages.error(request, _("Indiquez la commune, le format et le motif de l'export (5 caractères au moins)."))
        return redirect("devices:extractions")
    commune = next(c for c in communes if c.pk == form.cleaned_data["commune"])
    fmt = form.cleaned_data["fmt"]
    extraction_services.extraction_register_exported(actor=actor, commune=commune,
                                                     motive=form.cleaned_data["motive"], fmt=fmt)
    rows = list(extraction_list_for_actor(actor=actor, commune_id=commune.pk))
    day = timezone.localdate().isoformat()
    if fmt == "pdf":
        response = HttpResponse(extraction_register_pdf(commune=commune, extractions=rows),
                                content_type="application/pdf")
    else:
        response = HttpResponse("\ufeff" + extraction_register_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="registre-extractions-{commune.insee_code}-{day}'
                                       f'.{fmt}"')
    return response
