"""Reads of the camera registry: cameras an actor may see, the authorisation state of each (valid, to renew within
3 months, expired), who is individually authorised, held spans, the register of extractions and its warnings.

Cameras are not widened by crisis sharing: the registry, and above all the stream links, stay the commune's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.devices.choices import AuthorisationState, ExtractionStatus
from confiance.devices.models import AUTHORISATION_YEARS, Camera, CameraAuthorisation, Extraction

EXPIRY_WARNING_DAYS = 92  # "3 months before expiry"
RETENTION_WARNING = timedelta(days=3)  # a pending request this close to the purge of its oldest images is flagged


def authorisation_expiry(authorised_on: date) -> date:
    """Five years after the authorisation (29 February moves to 28 February)."""
    try:
        return authorised_on.replace(year=authorised_on.year + AUTHORISATION_YEARS)
    except ValueError:
        return authorised_on.replace(year=authorised_on.year + AUTHORISATION_YEARS, day=28)


def authorisation_state(camera: Camera, today: date | None = None) -> AuthorisationState:
    today = today or timezone.localdate()
    expiry = authorisation_expiry(camera.authorisation_date)
    if expiry <= today:
        return AuthorisationState.EXPIRED
    if expiry - today <= timedelta(days=EXPIRY_WARNING_DAYS):
        return AuthorisationState.EXPIRING
    return AuthorisationState.VALID


def camera_commune_ids(actor: Actor, permission: Permission = Permission.CAMERAS_VIEW) -> frozenset[int]:
    return actor.commune_ids(permission)


def _cameras() -> QuerySet[Camera]:
    return Camera.objects.select_related("device", "device__commune")


def camera_list_for_actor(*, actor: Actor, commune_id: int | None = None,
                          permission: Permission = Permission.CAMERAS_VIEW) -> QuerySet[Camera]:
    """The cameras of the communes where the actor holds the permission (one commune when asked; another
    commune's is an empty list)."""
    communes = set(camera_commune_ids(actor, permission))
    if commune_id is not None:
        communes &= {commune_id}
    return _cameras().filter(device__commune_id__in=communes).order_by("device__commune__name", "device__name",
                                                                        "pk")


def camera_get_for_actor(*, actor: Actor, camera_id: int,
                         permission: Permission = Permission.CAMERAS_VIEW) -> Camera:
    """One camera of the actor's communes for this permission, or "not found" (another commune's included)."""
    camera = _cameras().filter(pk=camera_id).first()
    if camera is None or camera.device.commune_id not in camera_commune_ids(actor, Permission.CAMERAS_VIEW):
        raise NotFoundError()
    actor.require(permission, camera.device.commune_id)
    return camera


def _active_grants(now: datetime) -> Q:
    return (Q(revoked_at__isnull=True, valid_from__lte=now)
            & (Q(valid_until__isnull=True) | Q(valid_until__gt=now)))


def authorised_camera_ids(*, agent, camera_ids: list[int] | None = None, now: datetime | None = None) -> set[int]:
    """The cameras this agent is individually authorised on right now (among `camera_ids` when given)."""
    grants = CameraAuthorisation.objects.filter(_active_grants(now or timezone.now()), agent=agent)
    if camera_ids is not None:
        grants = grants.filter(camera_id__in=camera_ids)
    return set(grants.values_list("camera_id", flat=True))


def camera_is_authorised(*, agent, camera: Camera, now: datetime | None = None) -> bool:
    return camera.pk in authorised_camera_ids(agent=agent, camera_ids=[camera.pk], now=now)


def camera_authorisations(*, camera: Camera) -> QuerySet[CameraAuthorisation]:
    return camera.authorisations.select_related("agent", "granted_by", "revoked_by").order_by("-valid_from", "-pk")


def held_extractions_for_camera(*, camera: Camera) -> QuerySet[Extraction]:
    """The requisitions whose spans of this camera are under legal hold (the VMS must not purge them)."""
    return camera.extractions.filter(hold_released_at__isnull=True).order_by("span_start", "pk")


@dataclass(frozen=True)
class RetentionWindow:
    """What of a camera's recordings exists now: from `oldest` to now, except the held spans, kept until release."""

    oldest: datetime
    days: int
    held: list[Extraction]


def retention_window(camera: Camera, now: datetime | None = None) -> RetentionWindow:
    now = now or timezone.now()
    return RetentionWindow(oldest=now - timedelta(days=camera.retention_days), days=camera.retention_days,
                           held=list(held_extractions_for_camera(camera=camera)))


# --- Register of extractions ------------------------------------------------------------------------------------


def extraction_list_for_actor(*, actor: Actor, commune_id: int | None = None, held_only: bool = False,
                              limit: int | None = None) -> QuerySet[Extraction]:
    communes = set(actor.commune_ids(Permission.CAMERAS_EXTRACT))
    if commune_id is not None:
        communes &= {commune_id}
    rows = Extraction.objects.filter(commune_id__in=communes)
    if held_only:
        rows = rows.filter(hold_released_at__isnull=True)
    rows = (rows.select_related("commune", "recorded_by", "delivered_by", "hold_released_by")
            .prefetch_related(Prefetch("cameras", queryset=Camera.objects.select_related("device")), "media")
            .order_by("-requested_at", "-pk"))
    return rows[:limit] if limit else rows


def extraction_get_for_actor(*, actor: Actor, extraction_id: int) -> Extraction:
    extraction = extraction_list_for_actor(actor=actor).filter(pk=extraction_id).first()
    if extraction is None:
        raise NotFoundError()
    return extraction


def extraction_purge_deadline(extraction: Extraction) -> datetime | None:
    """When the oldest images asked for would be purged by the VMS (span start + the shortest retention of its
    cameras); None without cameras. Prefetched cameras are used."""
    days = [camera.retention_days for camera in extraction.cameras.all()]
    return extraction.span_start + timedelta(days=min(days)) if days else None


def extraction_is_urgent(extraction: Extraction, now: datetime | None = None) -> bool:
    """A pending request whose images will be purged within 3 days (or already are): act now."""
    if extraction.status != ExtractionStatus.PENDING:
        return False
    deadline = extraction_purge_deadline(extraction)
    return deadline is not None and deadline - (now or timezone.now()) < RETENTION_WARNING
