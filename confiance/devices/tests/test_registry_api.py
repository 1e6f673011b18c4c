"""Registry API: who sees which devices and gateways, filters, pagination, constant queries, SDM export validity,
and generated requests that never get a server error."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from confiance.accounts.tests.factories import make_agent
from confiance.devices.choices import DeviceKind, Quantity
from confiance.devices.models import Device
from confiance.devices.services.registry import token_issue
from confiance.devices.tests.factories import make_device

pytestmark = pytest.mark.django_db

SDM = Path("/work/shared/standards/smart-data-models")
REMOTE = "https://smart-data-models.github.io/"


def _sdm_validator() -> Draft202012Validator:
    """The Device schema with its $refs resolved from the local copies (no network)."""
    files = {"data-models/common-schema.json": SDM / "common-schema.json",
             "dataModel.Device/device-schema.json": SDM / "dataModel.Device" / "device-schema.json",
             "dataModel.Device/Device/schema.json": SDM / "dataModel.Device" / "Device" / "schema.json"}
    registry = Registry().with_resources([
        (REMOTE + name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for name, path in files.items()])
    schema = json.loads(files["dataModel.Device/Device/schema.json"].read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid_device(entity: dict) -> None:
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in _sdm_validator().iter_errors(entity)]
    assert not errors, errors


def client_for(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


@pytest.fixture
def agents(world):
    return {"police": make_agent(communes=[world.commune], role="police_agent", password=None),
            "chief": make_agent(communes=[world.commune], role="shift_supervisor", password=None),
            "other": make_agent(communes=[world.other], role="csu_operator", password=None),
            "nobody": make_agent(password=None)}


def test_each_agent_sees_the_devices_of_their_communes_only(world, agents):
    identifiers = {name: [d["identifier"] for d in client_for(agent).get("/api/v1/devices/").json()["items"]]
                   for name, agent in agents.items()}
    assert identifiers == {"police": ["air-mennecy", "essonne-mennecy"], "chief": ["air-mennecy", "essonne-mennecy"],
                           "other": ["essonne-ormoy"], "nobody": []}


def test_another_communes_device_is_not_found_and_its_filter_refused(world, agents):
    client = client_for(agents["police"])
    for path in (f"/api/v1/devices/{world.other_gauge.pk}", f"/api/v1/devices/{world.other_gauge.pk}/sdm"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/devices/?commune=91468").status_code == 404
    assert client.get("/api/v1/devices/gateways?commune=91468").status_code == 404
    assert client.get("/api/v1/devices/sdm?commune=91468").status_code == 404
    assert client_for(agents["other"]).get(f"/api/v1/devices/{world.gauge.pk}").status_code == 404


def test_filters_by_commune_kind_and_state(world, agents):
    client = client_for(agents["chief"])
    Device.objects.filter(pk=world.air.pk).update(state="alarm")
    assert [d["identifier"] for d in client.get("/api/v1/devices/?kind=air_quality").json()["items"]] == [
        "air-mennecy"]
    assert [d["identifier"] for d in client.get("/api/v1/devices/?state=alarm").json()["items"]] == ["air-mennecy"]
    assert client.get("/api/v1/devices/?commune=91386&kind=rain").json()["count"] == 0
    refused = client.get("/api/v1/devices/?kind=volcano")
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_input"


def test_one_device_lists_its_quantities_and_no_credential(world, agents):
    token_issue(actor=None, identifier="essonne-mennecy")
    Device.objects.filter(pk=world.gauge.pk).update(mqtt_client_id="secret-client", default_credentials=True)
    body = client_for(agents["police"]).get(f"/api/v1/devices/{world.gauge.pk}").json()
    assert body["identifier"] == "essonne-mennecy" and body["gateway"] == "gw-mennecy"
    assert body["commune_insee"] == "91386" and body["kind_label"] == "Niveau d'eau"
    assert [(q["quantity"], q["unit"]) for q in body["quantities"]] == [("battery", "%"), ("water_level", "m")]
    text = json.dumps(body)
    device = Device.objects.get(pk=world.gauge.pk)
    for secret in (device.token_hash, device.token_prefix, "secret-client", "default_credentials", "token"):
        assert secret not in text


def test_gateways_list_says_whether_a_token_exists_never_the_token(world, agents):
    body = client_for(agents["chief"]).get("/api/v1/devices/gateways").json()
    assert body["count"] == 1
    gateway = body["items"][0]
    assert (gateway["identifier"], gateway["device_count"], gateway["has_token"]) == ("gw-mennecy", 1, True)
    assert world.gateway.token_hash not in json.dumps(body) and world.gateway.token_prefix not in json.dumps(body)


def test_list_endpoints_use_constant_queries(world, agents):
    client = client_for(agents["chief"])
    counts = []
    for extra in (0, 12):
        for index in range(extra):
            make_device(world.commune, f"bruit-{extra}-{index}", kind=DeviceKind.NOISE, gateway=world.gateway,
                        quantities=(Quantity.NOISE_LAEQ, Quantity.BATTERY))
        measured = []
        for path in ("/api/v1/devices/", "/api/v1/devices/gateways", "/api/v1/devices/sdm"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            measured.append(len(queries))
        counts.append(measured)
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 9, counts


def test_pages_of_the_device_list(world, agents):
    for index in range(5):
        make_device(world.commune, f"pluie-{index}", kind=DeviceKind.RAIN, quantities=(Quantity.RAINFALL,))
    client = client_for(agents["chief"])
    first = client.get("/api/v1/devices/?page_size=3").json()
    second = client.get("/api/v1/devices/?page_size=3&page=2").json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}


def test_the_sdm_export_is_valid_against_the_smart_data_models_device_schema(world, agents):
    Device.objects.filter(pk=world.gauge.pk).update(battery_pct=87.0, signal_dbm=-91.0, firmware_version="1.2.0",
                                                    owner="Ville de Mennecy", manufacturer="Paratronic",
                                                    address="Pont de l'Essonne", mqtt_client_id="secret-client")
    client = client_for(agents["chief"])
    entity = client.get(f"/api/v1/devices/{world.gauge.pk}/sdm").json()
    assert_valid_device(entity)
    assert entity["id"] == "urn:ngsi-ld:Device:essonne-mennecy" and entity["type"] == "Device"
    assert entity["controlledProperty"] == ["batteryLife", "waterLevel"]
    assert entity["batteryLevel"] == 0.87 and entity["location"]["coordinates"] == [world.gauge.lon, world.gauge.lat]
    assert "@context" in entity
    entities = client.get("/api/v1/devices/sdm").json()
    assert [e["id"] for e in entities] == ["urn:ngsi-ld:Device:air-mennecy", "urn:ngsi-ld:Device:essonne-mennecy"]
    for item in entities:
        assert_valid_device(item)
    assert "secret-client" not in json.dumps(entities)
    assert client.get("/api/v1/devices/sdm?limit=1&offset=1").json()[0]["id"].endswith("essonne-mennecy")


def test_the_validator_refuses_what_the_schema_refuses(world):
    with pytest.raises(AssertionError):
        assert_valid_device({"id": "x", "type": "Device", "controlledProperty": ["volcano"]})
    with pytest.raises(AssertionError):
        assert_valid_device({"id": "x", "type": "Device", "controlledProperty": [], "batteryLevel": 87})


PATHS = ["/api/v1/devices/", "/api/v1/devices/gateways", "/api/v1/devices/sdm", "/api/v1/devices/{id}",
         "/api/v1/devices/{id}/sdm"]
PARAM = st.dictionaries(st.sampled_from(["commune", "kind", "state", "page", "page_size", "limit", "offset"]),
                        st.one_of(st.text(max_size=12), st.integers(-5, 10**12).map(str)), max_size=4)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), device_id=st.one_of(st.integers(-3, 10**15), st.just(None)), params=PARAM)
def test_generated_requests_never_get_a_server_error(world, agents, path, device_id, params):
    client = client_for(agents["chief"])
    target = path.replace("{id}", str(device_id if device_id is not None else world.gauge.pk))
    response = client.get(target, params)
    assert response.status_code < 500, (target, params, response.content[:300])
    if response.status_code >= 400:
        assert "code" in response.json()


def test_anonymous_requests_are_refused(world):
    response = Client().get("/api/v1/devices/")
    assert response.status_code == 401
