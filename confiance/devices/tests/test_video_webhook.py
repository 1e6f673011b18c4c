"""The generic video-analytics webhook: gateway and camera tokens, tenancy, bad bodies refused and counted,
generated requests never a server error."""

import json
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.devices.choices import VideoDropReason
from confiance.devices.models import Detection, VideoDropCount
from confiance.devices.tests.test_http_batch import device_token
from confiance.devices.tests.video_support import make_video_world

pytestmark = pytest.mark.django_db
URL = "/api/v1/devices/video/events"


@pytest.fixture
def video(world):
    return make_video_world(world)


def post(body, token, *, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client(raise_request_exception=False).post(URL, data=data, content_type=content_type, **extra)


def event(camera="cam-gare", **fields):
    return {"camera": camera, "id": "evt-1", "time": (timezone.now() - timedelta(seconds=30)).isoformat(),
            "label": "fire", "zones": ["parvis"], "score": 0.87, **fields}


def test_a_gateway_posts_events_stored_once(video, world):
    body = {"events": [event(), event(id="evt-2", label="backpack"), event(id="evt-3", label="dog")]}
    first = post(body, world.gateway_token)
    assert first.status_code == 200, first.content
    assert first.json() == {"stored": 2, "duplicates": 0, "refused": 1, "reasons": {"unmapped": 1}}
    again = post(body, world.gateway_token).json()
    assert (again["stored"], again["duplicates"]) == (0, 2)
    assert Detection.objects.filter(source="webhook").count() == 2


def test_a_legal_type_may_be_given_directly_and_anything_else_is_refused(video, world):
    body = [event(id="a", label=None, event_type="person_on_ground"),
            event(id="b", label=None, event_type="facial_recognition"),
            event(id="c", label=None, event_type=["weapon"])]
    answer = post(body, world.gateway_token).json()
    assert (answer["stored"], answer["reasons"]) == (1, {"unmapped": 2})
    assert Detection.objects.get().event_type == "person_on_ground"


def test_a_gateway_cannot_post_for_another_communes_camera(video, world):
    answer = post(event("cam-ormoy"), world.gateway_token).json()
    assert answer["reasons"] == {"unknown_camera": 1} and not Detection.objects.exists()


def test_a_cameras_own_token_posts_only_its_own_events(video):
    token = device_token(video.camera)
    assert post(event("cam-gare"), token).json()["stored"] == 1
    assert post(event("cam-mairie", id="z"), token).json()["reasons"] == {"unknown_camera": 1}


def test_no_legal_basis_is_refused_and_counted(video, world):
    assert post(event("cam-mairie"), world.gateway_token).json()["reasons"] == {"no_basis": 1}


@pytest.mark.parametrize("token", [None, "nope", "abc.def"])
def test_without_a_valid_token_nothing_is_stored(video, token):
    response = post(event(), token)
    assert response.status_code == 401
    assert not Detection.objects.exists()


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("{", "application/json", 400), ("[]", "application/json", 400), ("<x/>", "application/xml", 415),
    (json.dumps([event(id=str(n)) for n in range(501)]), "application/json", 400),
    ("[" * 100 + "]" * 100, "application/json", 400),
])
def test_bad_bodies_are_refused_and_counted(video, world, body, content_type, status):
    response = post(body, world.gateway_token, content_type=content_type)
    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "details"}
    total = VideoDropCount.objects.filter(reason=VideoDropReason.MALFORMED).aggregate(total=Sum("count"))["total"]
    assert total == 1


def test_an_oversize_body_is_a_413(video, world):
    response = post(json.dumps([event(padding="x" * 2_000_000)]), world.gateway_token)
    assert response.status_code == 413


def test_unreadable_events_in_a_batch_are_counted(video, world):
    answer = post([event(), {"camera": "cam-gare"}, "x", event(time="hier")], world.gateway_token).json()
    assert (answer["stored"], answer["reasons"]) == (1, {"malformed": 3})


_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                       lambda children: st.lists(children, max_size=3)
                       | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=20)
_events = st.fixed_dictionaries({}, optional={
    "camera": st.sampled_from(["cam-gare", "cam-ormoy", "", "x" * 80]) | st.text(max_size=20),
    "id": _values, "time": st.sampled_from(["2026-01-01T00:00:00Z", "1999-01-01T00:00:00Z", "9999-99-99"])
    | st.floats() | st.integers(), "label": _values, "labels": _values, "zones": _values, "zone": _values,
    "score": _values, "event_type": _values, "final": _values, "sub_label": _values,
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(_events, st.lists(_events, max_size=5), st.fixed_dictionaries({"events": _values}), _values))
def test_generated_bodies_never_get_a_server_error(video, world, body):
    try:
        data = json.dumps(body)
    except ValueError:
        return
    response = post(data, world.gateway_token)
    assert response.status_code < 500, response.content
