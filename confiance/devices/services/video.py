"""Video analytics: detections stored from the adapters' stripped drafts, then confirmed or dismissed by an operator.

`detections_store` is the one entry point of the Frigate adapter, the webhook and the simulator. An event is kept
only when (1) its camera is a registered camera (of the sender's commune, for the webhook), (2) one of its labels,
in one of its zones, maps to one of the 8 legal event types in the camera's configuration (or it names a legal type
directly), and (3) a legal basis covers the camera at the event's time and has not ended. Anything else is counted
per day, camera and reason (`VideoDropCount`), once per event (on its final message), and not kept at all.
A redelivery is stored once: the identity is the camera and a digest of the detector's event id and the type.

Stores are machine writes, not journaled one by one (like measurements, ADR 0007); the operator's review is.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from confiance.accounts.access import Actor
from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.core.inserts import insert_rows
from confiance.core.live import publish_many_on_commit, publish_on_commit
from confiance.devices.choices import DeviceKind, ReviewStatus, RuleKind, Severity, VideoDropReason, VideoEventType
from confiance.devices.drafts import DetectionDraft
from confiance.devices.errors import DevicesError, DevicesErrorCode
from confiance.devices.events import DetectionChanged
from confiance.devices.models import (
    Alarm,
    Detection,
    DetectorMapping,
    Device,
    Rule,
    VideoAnalyticsBasis,
    VideoDropCount,
)
from confiance.devices.services.alarms import Verdict, alarm_raise
from confiance.operations.choices import InterventionOrigin
from confiance.operations.drafts import InterventionDraft
from confiance.operations.models import InterventionType
from confiance.operations.services.interventions import intervention_create
from confiance.privacy.services import audit_record

logger = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(minutes=5)
LEGAL_TYPES = frozenset(VideoEventType.values)
# Intervention types tried, in order, when a confirmed detection opens an intervention.
INTERVENTION_TYPE_CODES = ("videoprotection", "video", "alarme")
VIDEO_RULE_NAME = "Vidéo-analyse : détection confirmée"  # the commune's rule of the alarms confirmations raise


@dataclass
class VideoStoreResult:
    stored: int = 0
    duplicates: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason -> events refused

    @property
    def refused(self) -> int:
        return sum(self.dropped.values())


@dataclass(frozen=True)
class _Context:
    cameras: dict[str, Device]
    mappings: dict[int, list[DetectorMapping]]
    periods: dict[int, list[tuple[datetime, datetime]]]


def _context(drafts: list[DetectionDraft]) -> _Context:
    cameras = {device.identifier: device for device in
               Device.objects.filter(identifier__in={draft.camera for draft in drafts})}
    ids = [device.pk for device in cameras.values()]
    mappings: dict[int, list[DetectorMapping]] = {}
    for mapping in DetectorMapping.objects.filter(camera_id__in=ids, active=True).order_by("-zone", "pk"):
        mappings.setdefault(mapping.camera_id, []).append(mapping)  # zone-specific mappings before "any zone"
    periods: dict[int, list[tuple[datetime, datetime]]] = {}
    links = VideoAnalyticsBasis.cameras.through.objects.filter(device_id__in=ids).values_list(
        "device_id", "videoanalyticsbasis__starts_at", "videoanalyticsbasis__ends_at")
    for device_id, starts_at, ends_at in links:
        periods.setdefault(device_id, []).append((starts_at, ends_at))
    return _Context(cameras, mappings, periods)


def event_types_of(draft: DetectionDraft,
                   mappings: Iterable[DetectorMapping]) -> list[tuple[str, DetectorMapping | None]]:
    """The legal event types a draft stands for on its camera, each with the mapping that said so."""
    if draft.event_type:
        return [(draft.event_type, None)] if draft.event_type in LEGAL_TYPES else []
    found: dict[str, DetectorMapping] = {}
    for mapping in mappings:
        if mapping.label not in draft.labels or (mapping.zone and mapping.zone not in draft.zones):
            continue
        if mapping.min_score and (draft.score is None or draft.score < mapping.min_score):
            continue
        found.setdefault(mapping.event_type, mapping)
    return list(found.items())


def basis_refusal(periods: list[tuple[datetime, datetime]], observed_at: datetime, now: datetime) -> str | None:
    """None when a legal basis covers the moment and still runs; else why not."""
    if any(start <= observed_at < end and now < end for start, end in periods):
        return None
    if any(end <= max(now, observed_at) for _start, end in periods):
        return VideoDropReason.BASIS_ENDED
    return VideoDropReason.NO_BASIS


def _refusal(draft: DetectionDraft, camera: Device | None, context: _Context, *, commune_id: int | None,
             own_device: str, now: datetime) -> str | None:
    if camera is None or not camera.active or (commune_id is not None and camera.commune_id != commune_id) or (
            own_device and camera.identifier != own_device):
        return VideoDropReason.UNKNOWN_CAMERA
    if camera.kind != DeviceKind.CAMERA:
        return VideoDropReason.NOT_CAMERA
    if draft.observed_at > now + FUTURE_TOLERANCE:
        return VideoDropReason.MALFORMED
    return basis_refusal(context.periods.get(camera.pk, []), draft.observed_at, now)


def detection_event(detection: Detection) -> DetectionChanged:
    camera = detection.camera
    return DetectionChanged(
        id=detection.pk, commune_id=detection.commune_id, camera_id=camera.pk, camera_name=camera.name,
        event_type_code=detection.event_type, event_type_label=str(VideoEventType(detection.event_type).label),
        observed_at=detection.observed_at.isoformat(), score=detection.score, zone=detection.zone,
        status=detection.status, status_label=str(ReviewStatus(detection.status).label),
        intervention_id=detection.intervention_id, lat=camera.lat, lon=camera.lon, alarm_id=detection.alarm_id)


def _new(draft: DetectionDraft, camera: Device, event_type: str, mapping: DetectorMapping | None, *,
         source: str, now: datetime) -> Detection:
    return Detection(commune_id=camera.commune_id, camera=camera, event_type=event_type,
                     observed_at=draft.observed_at, received_at=now, score=draft.score,
                     zone=mapping.zone if mapping is not None else "", mapping=mapping, source=source,
                     event_key=_key(draft.key, event_type))


def _insert(candidates: list[Detection]) -> list[Detection]:
    """The candidates not stored yet, inserted in one statement; one by one (each in a savepoint) when another
    worker stored one of them in between, so that a duplicate never aborts the batch."""
    keys = {(item.camera_id, item.event_key) for item in candidates}
    existing = set(Detection.objects.filter(camera_id__in={camera for camera, _ in keys},
                                            event_key__in={key for _, key in keys})
                   .values_list("camera_id", "event_key"))
    fresh: dict[tuple[int, str], Detection] = {}
    for item in candidates:
        identity = (item.camera_id, item.event_key)
        if identity not in existing:
            fresh.setdefault(identity, item)
    new = list(fresh.values())
    try:
        with transaction.atomic():
            insert_rows(new)
        return new
    except IntegrityError:
        for item in new:
            item.pk = None
            item._state.adding = True
    stored = []
    for item in new:
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError:
            continue
        stored.append(item)
    return stored


def _key(key: str, event_type: str) -> str:
    """The stored identity: the adapter's digest and the type (a review naming two types gives two detections)."""
    return hashlib.sha256(f"{key[:64]}\x1f{event_type}".encode()).hexdigest()[:32]


def _count_drops(drops: Counter, now: datetime) -> None:
    day = timezone.localdate(now)
    for (commune_id, camera_id, reason), count in drops.items():
        updated = VideoDropCount.objects.filter(day=day, commune_id=commune_id, camera_id=camera_id,
                                                reason=reason).update(count=F("count") + count)
        if not updated:
            VideoDropCount.objects.create(day=day, commune_id=commune_id, camera_id=camera_id, reason=reason,
                                          count=count)


@transaction.atomic
def detections_store(drafts: list[DetectionDraft], *, source: str, now: datetime | None = None,
                     commune_id: int | None = None, own_device: str = "", malformed: int = 0) -> VideoStoreResult:
    """Store what is legal, count what is not (one transaction); `malformed` counts messages that could not be
    read at all. `commune_id` restricts the cameras to a commune (a webhook sender's); `own_device` to one camera."""
    now = now or timezone.now()
    result = VideoStoreResult()
    drops: Counter = Counter()
    if malformed:
        drops[(commune_id, None, VideoDropReason.MALFORMED)] += malformed
    context = _context(drafts) if drafts else _Context({}, {}, {})
    candidates: list[Detection] = []
    for draft in drafts:
        camera = context.cameras.get(draft.camera)
        reason = _refusal(draft, camera, context, commune_id=commune_id, own_device=own_device, now=now)
        types = event_types_of(draft, context.mappings.get(camera.pk, [])) if reason is None and camera else []
        if reason is None and not types:
            reason = VideoDropReason.UNMAPPED
        if reason is not None:
            if draft.final:
                known = camera if reason != VideoDropReason.UNKNOWN_CAMERA else None
                drops[(known.commune_id if known else commune_id, known.pk if known else None, reason)] += 1
            continue
        if camera is None:  # types are only found for a known camera
            continue
        candidates.extend(_new(draft, camera, event_type, mapping, source=source, now=now)
                          for event_type, mapping in types)
    stored = _insert(candidates) if candidates else []
    result.stored, result.duplicates = len(stored), len(candidates) - len(stored)
    publish_many_on_commit([(detection_event(item), item.commune_id) for item in stored])
    for (_commune, _camera, reason), count in drops.items():
        result.dropped[reason] += count
    _count_drops(drops, now)
    return result


# --- The operator's review -------------------------------------------------------------------------------------


def _for_review(actor: Actor, detection_id: int) -> Detection:
    detection = (Detection.objects.select_for_update(of=("self",), no_key=True).select_related("camera")
                 .filter(pk=detection_id).first())
    if detection is None or detection.commune_id not in actor.commune_ids(Permission.VIDEO_REVIEW):
        raise NotFoundError()
    if detection.status != ReviewStatus.PENDING:
        raise DevicesError(DevicesErrorCode.DETECTION_REVIEWED, _("Cette détection a déjà été examinée."),
                           status_code=409, details={"detection_id": detection_id, "status": detection.status})
    return detection


def _intervention_type(commune_id: int) -> InterventionType | None:
    types = {kind.code: kind for kind in InterventionType.objects.filter(
        commune_id=commune_id, code__in=INTERVENTION_TYPE_CODES, active=True)}
    return next((types[code] for code in INTERVENTION_TYPE_CODES if code in types), None)


def _open_intervention(actor: Actor, detection: Detection, now: datetime):
    kind = _intervention_type(detection.commune_id)
    if kind is None:
        raise DevicesError(DevicesErrorCode.VIDEO_NO_INTERVENTION_TYPE,
                           _("Aucun type d'intervention « %(code)s » dans cette commune.")
                           % {"code": INTERVENTION_TYPE_CODES[0]})
    camera = detection.camera
    label = str(VideoEventType(detection.event_type).label)
    description = _("Vidéo-analyse, détection n° %(id)s confirmée par un opérateur : %(type)s (caméra %(camera)s).") % {
        "id": detection.pk, "type": label, "camera": camera.name}
    return intervention_create(actor=actor, commune_id=detection.commune_id, now=now, draft=InterventionDraft(
        type_id=kind.pk, lat=camera.lat, lon=camera.lon, origin=InterventionOrigin.ALARM,
        address=camera.address or camera.name, description=description,
        alarm_ref=_("détection vidéo n° %(id)s") % {"id": detection.pk}))


def _review(actor: Actor, detection: Detection, status: str, now: datetime, *, alarm: bool = False) -> Detection:
    """Record the review (the journal first: live events come after it in a transaction), then the alarm asked
    for, then the live event."""
    detection.status = status
    detection.reviewed_by = getattr(actor, "agent", None)
    detection.reviewed_at = now
    detection.save(update_fields=["status", "reviewed_by", "reviewed_at", "intervention"])
    audit_record(actor=actor, action=f"devices.detection_{status}", target=detection, commune_id=detection.commune_id,
                 extra={"event_type": detection.event_type, "camera_id": detection.camera_id,
                        "intervention_id": detection.intervention_id, "alarm": alarm})
    if alarm:
        detection.alarm = _open_alarm(detection, now)
        detection.save(update_fields=["alarm"])
    publish_on_commit(detection_event(detection), commune_id=detection.commune_id)
    return detection


def _video_rule(commune_id: int) -> Rule:
    """The commune's rule that confirmed detections raise their alarms under (an alarm belongs to a rule). It is
    inactive: the rule engine never evaluates it, only a confirmation raises it."""
    rule, _made = Rule.objects.get_or_create(commune_id=commune_id, name=VIDEO_RULE_NAME, defaults={
        "kind": RuleKind.THRESHOLD, "severity": Severity.CRITICAL, "active": False})
    return rule


def _open_alarm(detection: Detection, now: datetime) -> Alarm:
    """An alarm at the camera, handled like the sensors' (acknowledge, intervention, resolve) on the console."""
    camera = detection.camera
    label = str(VideoEventType(detection.event_type).label)
    message = _("Vidéo-analyse confirmée : %(type)s (caméra %(camera)s, détection n° %(id)s).") % {
        "type": label, "camera": camera.name, "id": detection.pk}
    alarm = alarm_raise(verdict=Verdict(
        rule_id=_video_rule(detection.commune_id).pk, commune_id=detection.commune_id,
        subject=f"detection:{detection.pk}", device_id=camera.pk, value=detection.score, message=message,
        severity=Severity.CRITICAL), now=now)
    if alarm is None:  # the subject is the detection, reviewed once: only a concurrent confirmation gets here
        raise DevicesError(DevicesErrorCode.DETECTION_REVIEWED, _("Cette détection a déjà été examinée."),
                           status_code=409, details={"detection_id": detection.pk})
    return alarm


@transaction.atomic
def detection_confirm(*, actor: Actor, detection_id: int, open_intervention: bool = False, open_alarm: bool = False,
                      now: datetime | None = None) -> Detection:
    """The operator saw it on the video: confirmed, and, as the operator chooses, an intervention at the camera or
    an alarm on the console (handled like the sensors' alarms), or nothing more."""
    now = now or timezone.now()
    if open_intervention and open_alarm:
        raise DevicesError("invalid_input", _("Choisissez une alarme ou une intervention, pas les deux."),
                           details={"field": "follow_up"})
    detection = _for_review(actor, detection_id)
    if open_intervention:
        detection.intervention = _open_intervention(actor, detection, now)
    return _review(actor, detection, ReviewStatus.CONFIRMED, now, alarm=open_alarm)


@transaction.atomic
def detection_dismiss(*, actor: Actor, detection_id: int, now: datetime | None = None) -> Detection:
    """A false alarm of the detector: dismissed (it counts in the false-positive share of the camera and type)."""
    now = now or timezone.now()
    detection = _for_review(actor, detection_id)
    return _review(actor, detection, ReviewStatus.DISMISSED, now)


@transaction.atomic
def video_basis_record(*, actor: Actor | None, commune_id: int, legal_text: str, starts_at: datetime, ends_at: datetime,
                       camera_ids: list[int]) -> VideoAnalyticsBasis:
    """Record the legal basis (text, period, cameras) without which the feature refuses every event."""
    if actor is not None:  # None: the system (a command run by whoever administers the server, the demo)
        actor.require(Permission.CAMERAS_MANAGE, commune_id)
    text = (legal_text or "").strip()
    if not text or len(text) > 2000:
        raise DevicesError(DevicesErrorCode.VIDEO_BASIS_INVALID, _("Le texte du cadre légal est obligatoire."))
    if ends_at <= starts_at:
        raise DevicesError(DevicesErrorCode.VIDEO_BASIS_INVALID, _("La fin de la période doit suivre son début."))
    cameras = list(Device.objects.filter(pk__in=camera_ids, commune_id=commune_id, kind=DeviceKind.CAMERA))
    if not cameras or len(cameras) != len(set(camera_ids)):
        raise DevicesError(DevicesErrorCode.VIDEO_BASIS_INVALID,
                           _("Chaque caméra doit être une caméra de la commune."))
    basis = VideoAnalyticsBasis.objects.create(commune_id=commune_id, legal_text=text, starts_at=starts_at,
                                               ends_at=ends_at, recorded_by=getattr(actor, "agent", None))
    basis.cameras.set(cameras)
    audit_record(actor=actor, action="devices.video_basis_record", target=basis, commune_id=commune_id,
                 extra={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                        "cameras": sorted(camera.pk for camera in cameras)})
    return basis
