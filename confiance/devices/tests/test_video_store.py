"""Detections stored from drafts: mapped to the 8 legal types per camera, once per event, only under a running
legal basis; everything else refused and counted, once per event, with nothing of it kept."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from confiance.core.models import OutboxEvent
from confiance.devices.adapters.frigate.parsing import parse_event, parse_review
from confiance.devices.choices import DetectionSource, ReviewStatus, VideoDropReason, VideoEventType
from confiance.devices.drafts import DetectionDraft
from confiance.devices.models import Detection, VideoDropCount
from confiance.devices.services.video import detections_store
from confiance.devices.tests.video_support import (
    frigate_event,
    frigate_review,
    make_basis,
    make_video_world,
    map_label,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(world):
    return make_video_world(world)


def store(*payloads, parser=parse_event, **options):
    return detections_store([parser(payload) for payload in payloads], source=DetectionSource.FRIGATE, **options)


def drops(reason) -> int:
    return VideoDropCount.objects.filter(reason=reason).aggregate(total=Sum("count"))["total"] or 0


def test_a_mapped_event_under_a_legal_basis_is_a_pending_detection_with_its_live_event(video):
    result = store(frigate_event("cam-gare", "fire"))
    assert (result.stored, result.refused) == (1, 0)
    detection = Detection.objects.get()
    assert (detection.camera, detection.event_type, detection.status) == (
        video.camera, VideoEventType.FIRE_START, ReviewStatus.PENDING)
    assert detection.commune == video.commune and detection.score == 0.9
    event = OutboxEvent.objects.get(event_type="devices.detection")
    assert event.commune_id == video.commune.pk
    assert event.payload["event_type_code"] == "fire_start" and event.payload["status"] == "pending"


def test_a_redelivery_and_the_new_update_end_messages_of_one_event_store_it_once(video):
    first = store(frigate_event("cam-gare", "fire", kind="new"), frigate_event("cam-gare", "fire", kind="update"))
    again = store(frigate_event("cam-gare", "fire", kind="end"), frigate_event("cam-gare", "fire", kind="end"))
    assert (first.stored, first.duplicates, again.stored, again.duplicates) == (1, 1, 0, 2)
    assert Detection.objects.count() == 1


def test_a_zone_mapping_needs_the_zone_and_a_score_threshold_the_score(video):
    assert store(frigate_event("cam-gare", "backpack", zones=["quai"])).stored == 0
    assert store(frigate_event("cam-gare", "backpack", zones=["parvis"], identifier="b")).stored == 1
    assert store(frigate_event("cam-gare", "person", zones=["voies"], score=0.4, identifier="c")).stored == 0
    assert store(frigate_event("cam-gare", "person", zones=["voies"], score=0.8, identifier="d")).stored == 1
    assert Detection.objects.get(event_type=VideoEventType.ABANDONED_OBJECT).zone == "parvis"
    assert drops(VideoDropReason.UNMAPPED) == 2


def test_an_unmapped_label_is_dropped_and_counted_once_per_event(video):
    result = store(frigate_event("cam-gare", "dog", kind="new"), frigate_event("cam-gare", "dog", kind="update"),
                   frigate_event("cam-gare", "dog", kind="end"))
    assert (result.stored, result.refused) == (0, 1)
    assert drops(VideoDropReason.UNMAPPED) == 1 and not Detection.objects.exists()
    row = VideoDropCount.objects.get()
    assert (row.camera, row.commune) == (video.camera, video.commune)


def test_an_event_type_outside_the_8_is_refused_and_counted(video):
    for event_type in ("facial_recognition", "loitering", "plate_read", "FIRE_START", ""):
        draft = DetectionDraft(camera="cam-gare", key=f"k-{event_type}", observed_at=timezone.now(),
                               event_type=event_type, labels=("face",) if not event_type else ())
        assert detections_store([draft], source=DetectionSource.WEBHOOK).stored == 0
    assert drops(VideoDropReason.UNMAPPED) == 5 and not Detection.objects.exists()


def test_a_face_label_is_refused_even_where_a_mapping_names_it(video):
    map_label(video.camera, "face", VideoEventType.FORBIDDEN_ZONE)  # the admin form refuses this; the parser too
    assert store(frigate_event("cam-gare", "face")).stored == 0
    assert drops(VideoDropReason.UNMAPPED) == 1


def test_a_camera_without_legal_basis_is_refused_and_counted(video):
    result = store(frigate_event("cam-mairie", "fire"))
    assert (result.stored, dict(result.dropped)) == (0, {VideoDropReason.NO_BASIS: 1})
    assert VideoDropCount.objects.get().camera == video.uncovered


def test_a_basis_not_yet_started_covers_nothing(video):
    now = timezone.now()
    make_basis(video.commune, [video.uncovered], starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=9))
    assert store(frigate_event("cam-mairie", "fire")).stored == 0
    assert drops(VideoDropReason.NO_BASIS) == 1


def test_after_the_end_of_the_basis_events_are_refused_and_counted(video):
    now = timezone.now()
    make_basis(video.commune, [video.uncovered], starts_at=now - timedelta(days=10), ends_at=now - timedelta(hours=1))
    assert store(frigate_event("cam-mairie", "fire")).stored == 0
    # An event observed while the basis ran, arriving once it has ended: the feature has stopped.
    late = frigate_event("cam-mairie", "fire", at=now - timedelta(hours=2), identifier="late")
    assert store(late).stored == 0
    assert drops(VideoDropReason.BASIS_ENDED) == 2 and not Detection.objects.exists()


def test_the_basis_stops_exactly_at_its_end(video):
    now = timezone.now()
    ends = now + timedelta(minutes=10)
    make_basis(video.commune, [video.uncovered], starts_at=now - timedelta(days=1), ends_at=ends)
    payload = frigate_event("cam-mairie", "fire", at=now)
    assert store(payload, now=ends - timedelta(seconds=1)).stored == 1
    assert store(frigate_event("cam-mairie", "fire", at=now, identifier="x"), now=ends).stored == 0


def test_unknown_cameras_non_cameras_and_other_communes_are_refused(video, world):
    assert store(frigate_event("cam-inconnue", "fire")).refused == 1
    assert store(frigate_event("essonne-mennecy", "fire")).dropped == {VideoDropReason.NOT_CAMERA: 1}
    other = store(frigate_event("cam-ormoy", "fire"), commune_id=video.commune.pk)
    assert other.dropped == {VideoDropReason.UNKNOWN_CAMERA: 1}
    assert not Detection.objects.exists()
    unknown = VideoDropCount.objects.filter(reason=VideoDropReason.UNKNOWN_CAMERA)
    assert sum(row.count for row in unknown) == 2 and all(row.camera_id is None for row in unknown)


def test_an_event_from_the_future_is_refused(video):
    assert store(frigate_event("cam-gare", "fire", at=timezone.now() + timedelta(hours=1))).stored == 0
    assert drops(VideoDropReason.MALFORMED) == 1


def test_a_review_naming_two_legal_types_gives_two_detections(video):
    payload = frigate_review("cam-gare", ["fire", "backpack", "car"], zones=["parvis"])
    result = store(payload, parser=parse_review)
    assert result.stored == 2
    assert set(Detection.objects.values_list("event_type", flat=True)) == {"fire_start", "abandoned_object"}
    assert store(payload, parser=parse_review).duplicates == 2


def test_counts_add_up_per_day_camera_and_reason(video):
    for index in range(3):
        store(frigate_event("cam-mairie", "fire", identifier=f"m{index}"))
    row = VideoDropCount.objects.get()
    assert row.count == 3 and row.reason == VideoDropReason.NO_BASIS
