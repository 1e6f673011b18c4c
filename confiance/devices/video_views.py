"""The operators' review queue of video-analytics detections: pending flags kept live, confirm (with or without
an intervention) or dismiss, the false-positive share per camera and type, the refused events, the legal bases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confiance.accounts.choices import Permission
from confiance.console.access import actor_of, forbidden
from confiance.core.errors import ApplicationError, NotFoundError
from confiance.core.parsing import MAX_ID
from confiance.devices.forms import VideoBasisForm
from confiance.devices.selectors.video import (
    bases_for_actor,
    bases_for_manager,
    drop_counts_for_actor,
    false_positive_shares_for_actor,
    pending_count_for_actor,
    recently_reviewed_for_actor,
    review_queue_for_actor,
    video_cameras_for_manager,
)
from confiance.devices.services.video import (
    detection_confirm,
    detection_dismiss,
    detection_event,
    video_basis_record,
)
from confiance.territory.selectors import commune_list_for_actor


def _json_error(error: ApplicationError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status_code)


def _denied() -> ApplicationError:
    return ApplicationError("permission_denied", _("La file d'examen est réservée aux opérateurs de vidéo-analyse."),
                            status_code=403)


@login_required
@require_GET
def review_queue(request):
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.VIDEO_REVIEW):
        return forbidden(request, _("La file d'examen est réservée aux opérateurs de vidéo-analyse."))
    now = timezone.now()
    bases = list(bases_for_actor(actor=actor))
    return render(request, "devices/video_review.html", {
        "pending": list(review_queue_for_actor(actor=actor)),
        "reviewed": list(recently_reviewed_for_actor(actor=actor)),
        "shares": false_positive_shares_for_actor(actor=actor), "drops": drop_counts_for_actor(actor=actor),
        "bases": bases, "running": [basis for basis in bases if basis.starts_at <= now < basis.ends_at],
        "can_intervene": actor.can_anywhere(Permission.OPERATIONS_LOG),
        "can_record_basis": actor.can_anywhere(Permission.CAMERAS_MANAGE),
    })


@login_required
@require_GET
def review_state(request):
    """The pending detections (for the page's first draw and the console's count); live events do the rest."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.VIDEO_REVIEW):
        return _json_error(_denied())
    pending = list(review_queue_for_actor(actor=actor))
    return JsonResponse({"pending": [detection_event(item).payload() for item in pending],
                         "count": pending_count_for_actor(actor=actor)})


def _act(request, detection_id: int, action):
    actor = actor_of(request)
    try:
        if not actor.can_anywhere(Permission.VIDEO_REVIEW):
            raise _denied()
        if not 0 < detection_id <= MAX_ID:
            raise NotFoundError()
        detection = action(actor, detection_id)
    except ApplicationError as error:
        return _json_error(error)
    prefetch_related_objects([detection], "camera")
    return JsonResponse(detection_event(detection).payload())


@login_required
@require_POST
def detection_confirm_view(request, detection_id: int):
    """Confirm; `intervention=1` also opens an intervention at the camera, `alarm=1` raises an alarm there."""
    intervene = request.POST.get("intervention", "") in {"1", "on", "true"}
    alarm = request.POST.get("alarm", "") in {"1", "on", "true"}
    return _act(request, detection_id, lambda actor, pk: detection_confirm(
        actor=actor, detection_id=pk, open_intervention=intervene, open_alarm=alarm))


@login_required
@require_POST
def detection_dismiss_view(request, detection_id: int):
    return _act(request, detection_id, lambda actor, pk: detection_dismiss(actor=actor, detection_id=pk))


@login_required
@require_http_methods(["GET", "POST"])
def video_bases(request):
    """The legal bases of video analytics (text, period, cameras), listed and recorded by those who manage the
    cameras: without one, the feature refuses every event."""
    actor = actor_of(request)
    if not actor.can_anywhere(Permission.CAMERAS_MANAGE):
        return forbidden(request, _("Les cadres légaux de la vidéo-analyse sont enregistrés par les responsables des "
                                    "caméras."))
    communes = list(commune_list_for_actor(actor=actor, permission=Permission.CAMERAS_MANAGE).filter(
        pk__in=actor.commune_ids(Permission.CAMERAS_MANAGE)))
    cameras = list(video_cameras_for_manager(actor=actor))
    form = VideoBasisForm(request.POST or None, communes=communes, cameras=cameras)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                video_basis_record(actor=actor, commune_id=data["commune"], legal_text=data["legal_text"],
                                   starts_at=data["starts_at"], ends_at=data["ends_at"], camera_ids=data["cameras"])
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Cadre légal enregistré : la vidéo-analyse peut fonctionner sur ces "
                                            "caméras pendant la période."))
                return redirect("devices:video-bases")
        messages.error(request, _("Vérifiez les champs signalés."))
    now = timezone.now()
    bases = list(bases_for_manager(actor=actor))
    return render(request, "devices/video_bases.html", {
        "form": form, "bases": bases, "now": now,
        "running": {basis.pk for basis in bases if basis.starts_at <= now < basis.ends_at},
    }, status=400 if request.method == "POST" else 200)
