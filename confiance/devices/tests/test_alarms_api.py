"""The alarms API: list, detail with steps, acknowledge, resolve, open an intervention, rules; who may do what;
a list read in a fixed number of queries; generated requests never get a server error."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.accounts.tests.factories import make_agent
from confiance.devices.choices import AlarmState
from confiance.devices.models import Alarm, AlarmStep
from confiance.devices.tests.factories import make_device
from confiance.devices.tests.rules_helpers import make_rule, store
from confiance.operations.models import Intervention, InterventionType
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
BASE = "/api/v1/devices"


def client_for(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


@pytest.fixture
def api_world(world):
    make_rule(world.commune)
    make_rule(world.other, name="Crue à Ormoy")
    store("essonne-mennecy", [(0, 3.0)])
    store("essonne-ormoy", [(0, 3.0)])
    world.alarm = Alarm.objects.get(commune=world.commune)
    world.other_alarm = Alarm.objects.get(commune=world.other)
    world.operator = make_agent(communes=[world.commune], role="csu_operator", password=None)
    world.elected = make_agent(communes=[world.commune], role="elected_official", password=None)
    world.police = make_agent(communes=[world.commune], role="police_agent", password=None)
    InterventionType.objects.create(commune=world.commune, code="capteur", label="Alarme capteur")
    return world


def test_list_and_detail(api_world):
    client = client_for(api_world.operator)
    listed = client.get(f"{BASE}/alarms").json()
    assert [row["id"] for row in listed] == [api_world.alarm.pk]
    assert listed[0]["state_label"] == "Levée" and listed[0]["device_name"] == "essonne mennecy"
    detail = client.get(f"{BASE}/alarms/{api_world.alarm.pk}").json()
    assert [step["kind"] for step in detail["steps"]] == ["raised"]
    assert client.get(f"{BASE}/alarms", {"commune": "91386"}).status_code == 200
    assert client.get(f"{BASE}/alarms", {"commune": "91468"}).status_code == 404
    rules = client.get(f"{BASE}/rules").json()
    assert [rule["name"] for rule in rules] == ["Crue de l'Essonne"]


def test_acknowledge_resolve_and_open_an_intervention(api_world):
    client = client_for(api_world.operator)
    url = f"{BASE}/alarms/{api_world.alarm.pk}"
    response = client.post(f"{url}/acknowledge", {"note": "Vu"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == AlarmState.ACKNOWLEDGED and response.json()["acknowledged_by"]
    response = client.post(f"{url}/intervention", content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["intervention_number"] == Intervention.objects.get().number
    assert client.post(f"{url}/intervention", content_type="application/json").status_code == 409
    response = client.post(f"{url}/resolve", {"note": "Décrue"}, content_type="application/json")
    assert response.json()["state"] == AlarmState.RESOLVED
    assert client.post(f"{url}/resolve", {}, content_type="application/json").json()["code"] == \
        "devices_alarm_resolved"
    assert client.get(f"{BASE}/alarms").json() == []
    assert [row["id"] for row in client.get(f"{BASE}/alarms", {"closed": "true"}).json()] == [api_world.alarm.pk]


@pytest.mark.parametrize(("who", "alarm", "status"), [
    ("operator", "other_alarm", 404),  # another commune's alarm: not found
    ("elected", "alarm", 403),  # sees it, may not handle it
    ("police", "alarm", 403),  # a field agent sees sensors, the supervision centre handles alarms
])
@pytest.mark.parametrize("action", ["acknowledge", "resolve", "intervention"])
def test_who_may_not_handle_an_alarm_gets_an_error_and_nothing_changes(api_world, who, alarm, status, action):
    target = getattr(api_world, alarm)
    steps, audits = AlarmStep.objects.count(), AuditEntry.objects.count()
    response = client_for(getattr(api_world, who)).post(f"{BASE}/alarms/{target.pk}/{action}", {},
                                                        content_type="application/json")
    assert response.status_code == status and set(response.json()) == {"code", "message", "details"}
    target.refresh_from_db()
    assert (target.state, target.intervention_id) == (AlarmState.RAISED, None)
    assert (AlarmStep.objects.count(), AuditEntry.objects.count()) == (steps, audits)
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("who", ["operator", "elected"])
def test_another_communes_alarm_is_not_found_in_reads(api_world, who):
    client = client_for(getattr(api_world, who))
    assert client.get(f"{BASE}/alarms/{api_world.other_alarm.pk}").status_code == 404
    assert api_world.other_alarm.pk not in [row["id"] for row in client.get(f"{BASE}/alarms").json()]


def test_the_list_is_read_in_a_fixed_number_of_queries(api_world, django_assert_num_queries):
    client = client_for(api_world.operator)
    client.get(f"{BASE}/alarms")  # the session is warm
    for number in range(4):  # more alarms, of several rules and devices, some handled
        make_device(api_world.commune, f"jauge-{number}")
        make_rule(api_world.commune, name=f"Règle {number}", device=None, threshold=2.5 + number / 10)
        store(f"jauge-{number}", [(0, 9.0)])
    assert Alarm.objects.filter(commune=api_world.commune).count() > 8
    # session, agent, memberships, crisis sharings, the alarms with their rule, device, commune, intervention
    with django_assert_num_queries(5):
        response = client.get(f"{BASE}/alarms")
    assert response.status_code == 200 and len(response.json()) > 8


TEXT = st.one_of(st.text(max_size=20), st.integers(), st.none(), st.floats(allow_nan=True), st.booleans(),
                 st.lists(st.integers(), max_size=2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["get", "post"]),
       path=st.sampled_from(["alarms", "alarms/{id}", "alarms/{other}", "alarms/999999", "alarms/x", "alarms/-1",
                             "alarms/{id}/acknowledge", "alarms/{id}/resolve", "alarms/{id}/intervention",
                             "alarms/{other}/acknowledge", "alarms/99999999999999999999/resolve", "rules"]),
       body=st.one_of(st.none(), st.dictionaries(st.sampled_from(["note", "commune", "x"]), TEXT, max_size=3)),
       query=st.dictionaries(st.sampled_from(["commune", "closed", "limit"]),
                             st.one_of(st.text(max_size=12), st.integers(-10**20, 10**20).map(str)), max_size=3))
def test_generated_requests_never_get_a_server_error(api_world, method, path, body, query):
    client = client_for(api_world.operator)
    url = f"{BASE}/" + path.format(id=api_world.alarm.pk, other=api_world.other_alarm.pk)
    if method == "get":
        response = client.get(url, query)
    else:
        response = client.post(url, json.dumps(body, allow_nan=True) if body is not None else "garbage{",
                               content_type="application/json")
    assert response.status_code < 500, (method, url, body, query, response.content[:300])
    if response.status_code >= 400 and response.status_code != 405:  # the router's own "method not allowed"
        assert set(response.json()) == {"code", "message", "details"}
