"""Reads of video analytics for an actor: the review queue, the false-positive share per camera and event type,
the refused events per reason. Only the communes where the actor holds the video review permission (no crisis
widening: video analytics stays with its commune's operators)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.devices.choices import DeviceKind, ReviewStatus, VideoDropReason, VideoEventType
from confiance.devices.models import Detection, Device, VideoAnalyticsBasis, VideoDropCount

QUEUE_LIMIT = 200
STATS_DAYS = 30


def review_commune_ids(actor: Actor) -> set[int]:
    return set(actor.commune_ids(Permission.VIDEO_REVIEW))


def review_queue_for_actor(*, actor: Actor, limit: int = QUEUE_LIMIT) -> QuerySet[Detection]:
    """Pending detections, the newest first."""
    return (Detection.objects.filter(commune_id__in=review_commune_ids(actor), status=ReviewStatus.PENDING)
            .select_related("camera", "commune").order_by("-observed_at", "-id")[:max(1, min(limit, QUEUE_LIMIT))])


def recently_reviewed_for_actor(*, actor: Actor, limit: int = 50) -> QuerySet[Detection]:
    return (Detection.objects.filter(commune_id__in=review_commune_ids(actor)).exclude(status=ReviewStatus.PENDING)
            .select_related("camera", "commune", "reviewed_by", "intervention")
            .order_by("-reviewed_at", "-id")[:limit])


def pending_count_for_actor(*, actor: Actor) -> int:
    return Detection.objects.filter(commune_id__in=review_commune_ids(actor), status=ReviewStatus.PENDING).count()


def false_positive_shares_for_actor(*, actor: Actor, days: int = STATS_DAYS) -> list[dict]:
    """Per camera and event type over the last `days` days: confirmed, dismissed, and the dismissed share of the
    reviewed ones (None when nothing was reviewed)."""
    since = timezone.now() - timedelta(days=days)
    rows = (Detection.objects.filter(commune_id__in=review_commune_ids(actor), observed_at__gte=since)
            .values("camera_id", "camera__name", "event_type")
            .annotate(total=Count("id"), confirmed=Count("id", filter=Q(status=ReviewStatus.CONFIRMED)),
                      dismissed=Count("id", filter=Q(status=ReviewStatus.DISMISSED)))
            .order_by("camera__name", "event_type"))
    shares = []
    for row in rows:
        reviewed = row["confirmed"] + row["dismissed"]
        shares.append({"camera_id": row["camera_id"], "camera": row["camera__name"],
                       "event_type": row["event_type"], "event_type_label": VideoEventType(row["event_type"]).label,
                       "total": row["total"], "confirmed": row["confirmed"], "dismissed": row["dismissed"],
                       "share": round(100 * row["dismissed"] / reviewed) if reviewed else None})
    return shares


def drop_counts_for_actor(*, actor: Actor, days: int = STATS_DAYS) -> list[dict]:
    """Refused events per reason and camera over the last days (unknown cameras of the actor's communes too)."""
    since = timezone.localdate() - timedelta(days=days)
    rows = (VideoDropCount.objects.filter(commune_id__in=review_commune_ids(actor), day__gte=since)
            .values("reason", "camera_id", "camera__name").annotate(total=Sum("count"))
            .order_by("reason", "camera__name"))
    return [{"reason": row["reason"], "reason_label": VideoDropReason(row["reason"]).label,
             "camera": row["camera__name"] or "", "count": row["total"]} for row in rows]


def bases_for_actor(*, actor: Actor) -> QuerySet[VideoAnalyticsBasis]:
    """The legal bases of the actor's communes, with their cameras, the newest first."""
    return (VideoAnalyticsBasis.objects.filter(commune_id__in=review_commune_ids(actor))
            .select_related("commune").prefetch_related("cameras").order_by("-ends_at", "-id"))


def bases_for_manager(*, actor: Actor) -> QuerySet[VideoAnalyticsBasis]:
    """The legal bases of the communes where the actor manages the cameras, with their cameras, newest first."""
    return (VideoAnalyticsBasis.objects.filter(commune_id__in=set(actor.commune_ids(Permission.CAMERAS_MANAGE)))
            .select_related("commune", "recorded_by").prefetch_related("cameras").order_by("-ends_at", "-id"))


def video_cameras_for_manager(*, actor: Actor) -> QuerySet[Device]:
    """The cameras (devices of the camera kind) a basis may cover: those of the communes the actor manages."""
    return (Device.objects.filter(kind=DeviceKind.CAMERA, commune_id__in=set(actor.commune_ids(
        Permission.CAMERAS_MANAGE))).select_related("commune").order_by("commune__name", "name", "pk"))
