"""The operators' review queue: who sees it, confirm (with an intervention) or dismiss, each once; another
commune's detection is not found; the false-positive share per camera and type; query counts; any input."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.accounts.tests.factories import make_agent
from confiance.core.models import OutboxEvent
from confiance.devices.adapters.frigate.parsing import parse_event
from confiance.devices.choices import DetectionSource, ReviewStatus
from confiance.devices.models import Detection
from confiance.devices.selectors.video import false_positive_shares_for_actor
from confiance.devices.services.video import detections_store
from confiance.devices.tests.video_support import frigate_event, make_video_world
from confiance.operations.models import Intervention, InterventionType
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
PAGE = "/agents/video-analyse/"


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


def detections(camera: str, count: int, *, label: str = "fire", first: int = 0) -> list[Detection]:
    drafts = [parse_event(frigate_event(camera, label, identifier=f"{camera}-{first + n}")) for n in range(count)]
    detections_store(drafts, source=DetectionSource.FRIGATE)
    return list(Detection.objects.filter(camera__identifier=camera).order_by("pk"))


def client_for(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


@pytest.fixture
def queue(world):
    video = make_video_world(world)
    video.operator = make_agent(communes=[world.commune], role="csu_operator", password=None)
    video.police = make_agent(communes=[world.commune], role="police_agent", password=None)
    InterventionType.objects.create(commune=world.commune, code="videoprotection", label="Vidéoprotection")
    video.mine = detections("cam-gare", 3)
    video.theirs = detections("cam-ormoy", 1)[0]
    return video


def test_the_operator_sees_the_pending_detections_of_the_commune_only(queue):
    response = client_for(queue.operator).get(PAGE)
    assert response.status_code == 200
    assert [item.pk for item in response.context["pending"]] == sorted((d.pk for d in queue.mine), reverse=True)
    state = client_for(queue.operator).get(PAGE + "file.json").json()
    assert state["count"] == 3 and {item["id"] for item in state["pending"]} == {d.pk for d in queue.mine}
    assert all(set(item) >= {"event_type_label", "camera_name", "observed_at"} for item in state["pending"])


def test_an_agent_without_the_review_permission_is_refused(queue):
    assert client_for(queue.police).get(PAGE).status_code == 403
    assert client_for(queue.police).get(PAGE + "file.json").status_code == 403
    response = client_for(queue.police).post(f"{PAGE}{queue.mine[0].pk}/rejet")
    assert response.status_code == 403
    assert Detection.objects.get(pk=queue.mine[0].pk).status == ReviewStatus.PENDING


def test_confirm_with_an_intervention_then_a_second_review_is_refused(queue):
    client = client_for(queue.operator)
    detection = queue.mine[0]
    response = client.post(f"{PAGE}{detection.pk}/confirmation", {"intervention": "1"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed" and response.json()["intervention_id"]
    detection.refresh_from_db()
    assert (detection.status, detection.reviewed_by) == (ReviewStatus.CONFIRMED, queue.operator)
    intervention = Intervention.objects.get(pk=detection.intervention_id)
    assert (intervention.lat, intervention.lon) == (queue.camera.lat, queue.camera.lon)
    assert AuditEntry.objects.filter(action="devices.detection_confirmed").count() == 1
    assert OutboxEvent.objects.filter(event_type="devices.detection").last().payload["status"] == "confirmed"
    again = client.post(f"{PAGE}{detection.pk}/rejet")
    assert again.status_code == 409 and again.json()["code"] == "devices_detection_already_reviewed"


def test_confirm_with_an_alarm_raises_it_at_the_camera_for_the_console(queue):
    from confiance.devices.choices import AlarmState
    from confiance.devices.models import Alarm, Rule

    client = client_for(queue.operator)
    first, second = queue.mine[0], queue.mine[1]
    response = client.post(f"{PAGE}{first.pk}/confirmation", {"alarm": "1"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed" and response.json()["alarm_id"]
    assert response.json()["intervention_id"] is None
    first.refresh_from_db()
    alarm = Alarm.objects.get(pk=first.alarm_id)
    assert (alarm.device_id, alarm.commune_id, alarm.state) == (queue.camera.pk, first.commune_id, AlarmState.RAISED)
    assert f"détection n° {first.pk}" in alarm.message
    assert OutboxEvent.objects.filter(event_type="devices.alarm").exists()
    client.post(f"{PAGE}{second.pk}/confirmation", {"alarm": "1"})  # a second alarm under the same inactive rule
    assert Alarm.objects.filter(commune_id=first.commune_id).count() == 2
    assert list(Rule.objects.filter(commune_id=first.commune_id).values_list("active", flat=True)) == [False]


def test_confirm_cannot_open_both_and_a_plain_confirm_opens_nothing(queue):
    from confiance.devices.models import Alarm

    client = client_for(queue.operator)
    both = client.post(f"{PAGE}{queue.mine[0].pk}/confirmation", {"alarm": "1", "intervention": "1"})
    assert both.status_code == 400 and "pas les deux" in both.json()["message"]
    queue.mine[0].refresh_from_db()
    assert queue.mine[0].status == ReviewStatus.PENDING and not Alarm.objects.exists()
    plain = client.post(f"{PAGE}{queue.mine[1].pk}/confirmation").json()
    assert plain["status"] == "confirmed" and plain["alarm_id"] is None and plain["intervention_id"] is None
    assert not Alarm.objects.exists() and not Intervention.objects.exists()


def test_dismiss_and_the_false_positive_share(queue):
    client = client_for(queue.operator)
    for detection in queue.mine[:2]:
        assert client.post(f"{PAGE}{detection.pk}/rejet").status_code == 200
    assert client.post(f"{PAGE}{queue.mine[2].pk}/confirmation").status_code == 200
    from confiance.accounts.access import Actor

    (share,) = false_positive_shares_for_actor(actor=Actor(agent=queue.operator))
    assert (share["camera"], share["event_type"], share["confirmed"], share["dismissed"], share["share"]) == (
        queue.camera.name, "fire_start", 1, 2, 67)
    page = client.get(PAGE)
    assert "67 %" in page.content.decode()


def test_another_communes_detection_is_not_found_and_nothing_changes(queue):
    client = client_for(queue.operator)
    for action in ("confirmation", "rejet"):
        response = client.post(f"{PAGE}{queue.theirs.pk}/{action}")
        assert response.status_code == 404
    queue.theirs.refresh_from_db()
    assert queue.theirs.status == ReviewStatus.PENDING and queue.theirs.reviewed_at is None
    assert not AuditEntry.objects.filter(action__startswith="devices.detection_").exists()


def test_confirm_without_an_intervention_type_changes_nothing(queue):
    InterventionType.objects.all().delete()
    response = client_for(queue.operator).post(f"{PAGE}{queue.mine[0].pk}/confirmation", {"intervention": "1"})
    assert response.status_code == 400
    assert Detection.objects.get(pk=queue.mine[0].pk).status == ReviewStatus.PENDING


@pytest.mark.parametrize("extra", [2, 6])
def test_the_page_and_the_state_read_in_a_fixed_number_of_queries(queue, django_assert_num_queries, extra):
    detections("cam-gare", extra, label="fire", first=100)
    client = client_for(queue.operator)
    client.post(f"{PAGE}{queue.mine[0].pk}/rejet")
    with django_assert_num_queries(11):  # with the crisis banner of every agent page
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(PAGE + "file.json").status_code == 200


def test_the_console_links_the_queue_for_those_who_review(queue):
    response = client_for(queue.operator).get("/agents/console/")
    assert response.status_code == 200
    assert 'id="video-console"' in response.content.decode() and PAGE in response.content.decode()
    police = client_for(queue.police).get("/agents/console/")
    assert 'id="video-console"' not in police.content.decode()


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(action=st.sampled_from(["confirmation", "rejet"]), detection_id=st.integers(min_value=0, max_value=2**70),
       intervention=st.text(max_size=10))
def test_review_actions_answer_any_post(queue, action, detection_id, intervention):
    response = client_for(queue.operator).post(f"{PAGE}{detection_id}/{action}", {"intervention": intervention})
    assert response.status_code in (200, 400, 403, 404, 409)
    assert response.json()
