"""NGSI-LD notifications: the five Smart Data Models in normalized and key-values forms, schema refusals, tenancy."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.devices.adapters.ngsild.notification import device_identifier, key_values
from confiance.devices.adapters.ngsild.validation import ENTITY_TYPES, check, validator
from confiance.devices.choices import DeadLetterReason, DeviceKind, MeasurementSource, Quantity, SecurityEventKind
from confiance.devices.models import DeadLetter, Measurement, SecurityEvent
from confiance.devices.tests.factories import make_device, make_gateway

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices/ngsi-ld/notify"
POINT = {"type": "Point", "coordinates": [2.40, 48.55]}


def when(minutes_ago: int = 2) -> str:
    moment = timezone.now().astimezone(UTC) - timedelta(minutes=minutes_ago)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def key_values_entities(at: str) -> dict[str, dict]:
    """One valid key-values entity of each supported type, naming devices of the world."""
    return {
        "AirQualityObserved": {
            "id": "urn:ngsi-ld:AirQualityObserved:air-mennecy-1", "type": "AirQualityObserved",
            "dateObserved": at, "location": POINT, "refDevice": "urn:ngsi-ld:Device:air-mennecy",
            "pm10": 31.5, "no2": 22.0, "airQualityLevel": "moderate"},
        "NoiseLevelObserved": {
            "id": "urn:ngsi-ld:NoiseLevelObserved:noise-mennecy", "type": "NoiseLevelObserved",
            "dateObservedFrom": at, "dateObservedTo": at, "location": POINT, "LAeq": 61.2, "LAmax": 80.1},
        "WaterObserved": {
            "id": "urn:ngsi-ld:WaterObserved:wo-1", "type": "WaterObserved", "dateObserved": at, "location": POINT,
            "refDevice": "urn:ngsi-ld:Device:essonne-mennecy", "height": 1.42},
        "FloodMonitoring": {
            "id": "urn:ngsi-ld:FloodMonitoring:essonne-mennecy", "type": "FloodMonitoring",
            "observationDateTime": at, "currentLevel": 1.55, "alertLevel": 2.0, "dangerLevel": 2.5},
        "DeviceMeasurement": {
            "id": "urn:ngsi-ld:DeviceMeasurement:m-1", "type": "DeviceMeasurement", "dateObserved": at,
            "refDevice": "urn:ngsi-ld:Device:essonne-mennecy", "controlledProperty": "battery", "numValue": 77,
            "unit": "P1"},
    }


EXPECTED = {  # type -> (device, quantity, value) stored
    "AirQualityObserved": {("air-mennecy", "pm10", 31.5), ("air-mennecy", "no2", 22.0)},
    "NoiseLevelObserved": {("noise-mennecy", "noise_laeq", 61.2)},
    "WaterObserved": {("essonne-mennecy", "water_level", 1.42)},
    "FloodMonitoring": {("essonne-mennecy", "water_level", 1.55)},
    "DeviceMeasurement": {("essonne-mennecy", "battery", 77.0)},
}
UNIT_CODES = {"pm10": "GQ", "no2": "GQ", "LAeq": "2N", "height": "MTR", "currentLevel": "MTR"}


def normalized(entity: dict) -> dict:
    """The NGSI-LD normalized form of a key-values entity (Property, Relationship, GeoProperty)."""
    out = {"id": entity["id"], "type": entity["type"],
           "@context": ["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"]}
    for name, value in entity.items():
        if name in ("id", "type"):
            continue
        if name.startswith("ref"):
            out[name] = {"type": "Relationship", "object": value}
        elif name == "location":
            out[name] = {"type": "GeoProperty", "value": value}
        else:
            out[name] = {"type": "Property", "value": value}
            if name in UNIT_CODES:
                out[name]["unitCode"] = UNIT_CODES[name]
    return out


def notification(*entities) -> dict:
    return {"id": "urn:ngsi-ld:Notification:1", "type": "Notification",
            "subscriptionId": "urn:ngsi-ld:Subscription:confiance", "notifiedAt": when(0), "data": list(entities)}


def notify(body, token, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client(raise_request_exception=False).post(URL, data=data, content_type=content_type, **headers)


@pytest.fixture
def noise(world):
    return make_device(world.commune, "noise-mennecy", kind=DeviceKind.NOISE, quantities=(Quantity.NOISE_LAEQ,))


def stored() -> set:
    return {(m.device.identifier, m.quantity, m.value) for m in Measurement.objects.select_related("device")}


@pytest.mark.parametrize("form", ["keyValues", "normalized"])
@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_each_model_in_each_form_is_stored(world, noise, entity_type, form):
    entity = key_values_entities(when())[entity_type]
    body = notification(entity if form == "keyValues" else normalized(entity))
    response = notify(body, world.gateway_token, "application/ld+json")
    assert response.status_code == 200, response.content
    assert response.json()["rejected"] == 0
    assert stored() == EXPECTED[entity_type]
    assert set(Measurement.objects.values_list("source", flat=True)) == {MeasurementSource.NGSILD}


def test_all_five_in_one_notification_and_a_redelivery_is_stored_once(world, noise):
    entities = key_values_entities(when())
    entities["FloodMonitoring"]["observationDateTime"] = when(4)  # not the WaterObserved height's time
    body = notification(*entities.values())
    first = notify(body, world.gateway_token).json()
    assert (first["stored"], first["rejected"]) == (6, 0)
    again = notify(body, world.gateway_token).json()
    assert (again["stored"], again["duplicates"]) == (0, 6)


def test_the_attribute_observed_at_wins_over_the_entity_time(world):
    entity = normalized(key_values_entities(when(30))["WaterObserved"])
    attribute_time = when(3)  # once: a slow request must not move the expected time
    entity["height"]["observedAt"] = attribute_time
    assert notify(notification(entity), world.gateway_token).status_code == 200
    observed = Measurement.objects.get().observed_at
    assert observed == datetime.fromisoformat(attribute_time.replace("Z", "+00:00"))


def test_unit_codes_are_converted_and_a_wrong_one_is_refused(world):
    entity = normalized(key_values_entities(when())["WaterObserved"])
    entity["height"]["unitCode"] = "CMT"
    entity["height"]["value"] = 142
    assert notify(notification(entity), world.gateway_token).json()["stored"] == 1
    assert Measurement.objects.get().value == pytest.approx(1.42)
    entity["height"]["unitCode"] = "CEL"
    entity["dateObserved"]["value"] = when(1)
    body = notify(notification(entity), world.gateway_token).json()
    assert body["rejections"][0]["reason"] == DeadLetterReason.WRONG_TYPE and "CEL" in body["rejections"][0]["detail"]


def test_relative_humidity_fraction_becomes_percent(world):
    make_device(world.commune, "meteo-mennecy", kind=DeviceKind.WEATHER, quantities=(Quantity.HUMIDITY,))
    entity = {"id": "urn:ngsi-ld:AirQualityObserved:meteo-mennecy", "type": "AirQualityObserved",
              "dateObserved": when(), "location": POINT, "relativeHumidity": 0.54}
    assert notify(notification(entity), world.gateway_token).json()["stored"] == 1
    assert Measurement.objects.get().value == pytest.approx(54.0)


@pytest.mark.parametrize(("entity_type", "change", "attribute", "rule"), [
    ("AirQualityObserved", {"pm10": -3}, "pm10", "minimum"),
    ("AirQualityObserved", {"pm10": "31"}, "pm10", "type"),
    ("AirQualityObserved", {"airQualityLevel": "x"}, "airQualityLevel", "minLength"),  # rule of Environment-schema
    ("AirQualityObserved", {"dateObserved": "2026-12-01T10:00:00"}, "dateObserved", "format"),  # no zone
    ("AirQualityObserved", {"location": {"type": "Point"}}, "location", "oneOf"),
    ("NoiseLevelObserved", {"dateObservedTo": None}, "(entité)", "required"),
    ("NoiseLevelObserved", {"sonometerClass": "7"}, "sonometerClass", "enum"),
    ("WaterObserved", {"height": -1}, "height", "minimum"),
    ("FloodMonitoring", {"currentLevel": True}, "currentLevel", "type"),
    ("DeviceMeasurement", {"outlier": "yes"}, "outlier", "type"),
])
def test_entities_not_conforming_are_a_400_with_attribute_and_rule_and_dead_lettered(world, noise, entity_type,
                                                                                      change, attribute, rule):
    good = key_values_entities(when())
    entity = {**good[entity_type], **change}
    entity = {name: value for name, value in entity.items() if value is not None}
    response = notify(notification(good["WaterObserved"], entity), world.gateway_token)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "devices_schema_invalid" and "rien n'a été enregistré" in body["message"]
    (error,) = body["details"]["errors"]
    assert (error["type"], error["attribute"], error["rule"]) == (entity_type, attribute, rule)
    letter = DeadLetter.objects.get()
    assert letter.reason == DeadLetterReason.SCHEMA_INVALID and letter.source == MeasurementSource.NGSILD
    assert attribute in letter.detail and rule in letter.detail
    assert not Measurement.objects.exists()  # refused whole, the valid entity included


def test_the_same_refusal_in_normalized_form(world):
    entity = normalized(key_values_entities(when())["FloodMonitoring"])
    entity["currentLevel"]["value"] = "high"
    response = notify(notification(entity), world.gateway_token)
    assert response.status_code == 400
    assert response.json()["details"]["errors"][0]["attribute"] == "currentLevel"


def test_an_unsupported_entity_type_is_refused(world):
    response = notify(notification({"id": "urn:ngsi-ld:Parking:1", "type": "OffStreetParking"}), world.gateway_token)
    assert response.status_code == 400
    assert response.json()["details"]["errors"][0]["rule"] == "enum"
    assert DeadLetter.objects.get().reason == DeadLetterReason.SCHEMA_INVALID


@pytest.mark.parametrize(("body", "status", "reason"), [
    ("{not json", 400, DeadLetterReason.MALFORMED),
    ({"type": "Notification", "data": "nope"}, 400, DeadLetterReason.MALFORMED),
    ({"type": "Notification", "data": []}, 400, DeadLetterReason.MALFORMED),
    ("x" * 300_000, 413, DeadLetterReason.OVERSIZE),
])
def test_bodies_that_are_no_notification(world, body, status, reason):
    response = notify(body, world.gateway_token)
    assert response.status_code == status
    assert DeadLetter.objects.get().reason == reason


def test_registry_refusals_are_dead_lettered_and_reported(world):
    entities = key_values_entities(when())
    unknown = {**entities["WaterObserved"], "refDevice": "urn:ngsi-ld:Device:nobody"}
    other = {**entities["FloodMonitoring"], "id": "urn:ngsi-ld:FloodMonitoring:essonne-ormoy"}
    ahead = {**entities["WaterObserved"], "id": "urn:ngsi-ld:WaterObserved:wo-2", "dateObserved": when(-10)}
    untimed = {key: value for key, value in entities["DeviceMeasurement"].items() if key != "dateObserved"}
    body = notify(notification(unknown, other, ahead, untimed), world.gateway_token).json()
    reasons = sorted(item["reason"] for item in body["rejections"])
    assert reasons == sorted([DeadLetterReason.UNKNOWN_DEVICE, DeadLetterReason.FORBIDDEN,
                              DeadLetterReason.FUTURE_TIME, DeadLetterReason.TIME_INVALID])
    assert body["stored"] == 0 and DeadLetter.objects.count() == 4
    assert not Measurement.objects.filter(device=world.other_gauge).exists()


def test_a_gateway_of_the_other_commune_cannot_write_ours(world):
    _, token = make_gateway(world.other, "broker-ormoy")
    body = notify(notification(key_values_entities(when())["WaterObserved"]), token).json()
    assert (body["stored"], body["rejections"][0]["reason"]) == (0, DeadLetterReason.FORBIDDEN)


@pytest.mark.parametrize("authorization", [None, "Bearer nope.nope", "Token x"])
def test_the_broker_needs_a_token(world, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().post(URL, data=json.dumps(notification()), content_type="application/json", **headers)
    assert response.status_code == 401
    assert SecurityEvent.objects.get().kind == SecurityEventKind.FAILED_CREDENTIALS


def test_key_values_of_a_normalized_entity():
    entity = normalized(key_values_entities("2026-12-01T10:00:00Z")["AirQualityObserved"])
    entity["pm10"]["observedAt"] = "2026-12-01T09:59:00Z"
    document, meta = key_values(entity)
    assert document["refDevice"] == "urn:ngsi-ld:Device:air-mennecy" and document["location"] == POINT
    assert meta["pm10"] == {"observedAt": "2026-12-01T09:59:00Z", "unitCode": "GQ"}
    assert "@context" not in document and check("AirQualityObserved", document) is None


@pytest.mark.parametrize(("reference", "identifier"), [
    ("urn:ngsi-ld:Device:essonne-mennecy", "essonne-mennecy"),
    ("URN:NGSI-LD:Device:essonne-mennecy", "essonne-mennecy"),
    (["urn:ngsi-ld:Device:a"], "a"),
    ("essonne-mennecy", "essonne-mennecy"),
    (["a", "b"], ""),
    (12, ""),
])
def test_device_identifier(reference, identifier):
    assert device_identifier(reference) == identifier


def test_the_schemas_resolve_their_references_locally():
    for entity_type in ENTITY_TYPES:  # `id` is checked by common-schema.json's EntityIdentifierType
        errors = list(validator(entity_type).iter_errors({"id": 5, "type": entity_type}))
        assert any(list(error.absolute_path) == ["id"] for error in errors), entity_type
    problem = check("AirQualityObserved", {**key_values_entities(when())["AirQualityObserved"], "airQualityLevel": 3})
    assert (problem.attribute, problem.rule) == ("airQualityLevel", "type")  # a rule of Environment-schema.json
