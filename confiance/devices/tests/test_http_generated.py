"""Generated input on both ingestion endpoints: never a server error; and a batch costs a fixed number of queries."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.devices.tests.test_ngsild_notify import key_values_entities, normalized, notification, when

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/devices/gateways/measurements"
NOTIFY = "/api/v1/devices/ngsi-ld/notify"
CONTENT_TYPES = ["application/json", "application/senml+json", "application/ld+json", "", "text/plain",
                 "application/senml+json; charset=utf-8", "multipart/form-data"]
DEVICES = ["essonne-mennecy", "air-mennecy", "essonne-ormoy", "nobody", "", "x" * 80]
QUANTITIES = ["water_level", "battery", "pm10", "no2", "signal", "colour", ""]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10 ** 30), max_value=10 ** 30)
           | st.integers(min_value=10 ** 300, max_value=10 ** 310) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
times = st.one_of(st.floats(allow_nan=True), st.integers(min_value=-(2 ** 40), max_value=2 ** 40),
                  st.sampled_from(["2026-12-01T10:00:00Z", "2026-12-01T10:00:00", "yesterday", "9999-99-99"]),
                  json_values)
platform_messages = st.fixed_dictionaries(
    {"device": st.sampled_from(DEVICES), "time": times,
     "values": st.dictionaries(st.sampled_from(QUANTITIES), json_values, max_size=3) | json_values})
senml_records = st.dictionaries(
    st.sampled_from(["bn", "bt", "bu", "bv", "bver", "n", "u", "v", "vs", "vb", "vd", "s", "t", "ut", "x_"]),
    json_values | st.sampled_from(["essonne-mennecy/", "water_level", "m", "cm", "Cel"]), max_size=6)
attributes = st.sampled_from(["pm10", "LAeq", "height", "currentLevel", "numValue", "controlledProperty",
                              "dateObserved", "observationDateTime", "refDevice", "location", "id", "type"])
entities = st.one_of(
    st.builds(lambda base, changes: {**base, **changes},
              st.sampled_from(list(key_values_entities("2026-12-01T10:00:00Z").values())),
              st.dictionaries(attributes, json_values, max_size=3)),
    st.builds(lambda base, name, value: {**normalized(base), name: value},
              st.sampled_from(list(key_values_entities("2026-12-01T10:00:00Z").values())), attributes,
              json_values | st.fixed_dictionaries({"type": st.sampled_from(["Property", "Relationship"]),
                                                   "value": json_values, "observedAt": times})),
    json_values)


def _body(draw_value) -> bytes:
    if isinstance(draw_value, bytes):
        return draw_value
    return json.dumps(draw_value, allow_nan=True).encode()


bodies = st.one_of(st.binary(max_size=200), json_values,
                   st.lists(platform_messages, max_size=4), platform_messages,
                   st.lists(senml_records, max_size=5),
                   st.lists(entities, max_size=3).map(lambda data: notification(*data)),
                   st.lists(entities, max_size=2))


def _authorizations(world):
    return st.sampled_from([f"Bearer {world.gateway_token}", f"Bearer {world.gateway_token}x", "Bearer ", "",
                            "Bearer a.b", "Basic Zm9vOmJhcg==", f"bearer   {world.gateway_token}",
                            "Bearer " + "a" * 300 + "." + "b"])


def _assert_client_error_shape(response):
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "details"}


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_generated_requests_never_get_a_server_error(world, data):
    path = data.draw(st.sampled_from([BATCH, NOTIFY]))
    body = _body(data.draw(bodies))
    headers = {}
    authorization = data.draw(_authorizations(world))
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    content_type = data.draw(st.sampled_from(CONTENT_TYPES))
    response = Client(raise_request_exception=False).post(path, data=body, content_type=content_type, **headers)
    _assert_client_error_shape(response)


def _batch(count: int, offset: int) -> str:
    start = timezone.now() - timedelta(hours=2)
    return json.dumps([{"device": "essonne-mennecy", "time": (start + timedelta(seconds=10 * (offset + i))).isoformat(),
                        "values": {"water_level": 1.0 + i / 100, "battery": 80}} for i in range(count)])


def _queries(path: str, body: str, token: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = Client().post(path, data=body, content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def test_a_batch_of_one_or_of_a_hundred_readings_costs_the_same_queries(world):
    _queries(BATCH, _batch(1, 0), world.gateway_token)  # the per-process registry is built once
    one = _queries(BATCH, _batch(1, 1), world.gateway_token)
    hundred = _queries(BATCH, _batch(100, 2), world.gateway_token)
    assert one == hundred
    assert one <= 12


def test_a_notification_of_one_or_of_fifty_entities_costs_the_same_queries(world):
    def body(count: int, offset: int) -> str:
        entity = key_values_entities(when())["WaterObserved"]
        return json.dumps(notification(*[{**entity, "dateObserved": when(offset + i)} for i in range(count)]))

    _queries(NOTIFY, body(1, 100), world.gateway_token)
    one = _queries(NOTIFY, body(1, 90), world.gateway_token)
    fifty = _queries(NOTIFY, body(50, 10), world.gateway_token)
    assert one == fifty
