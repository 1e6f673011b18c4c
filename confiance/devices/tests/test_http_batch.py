"""The gateways' HTTP batch endpoint: tokens, tenancy, the platform JSON and SenML, every bad input dead-lettered."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.devices.choices import DeadLetterReason, MeasurementSource, SecurityEventKind
from confiance.devices.models import DeadLetter, Device, Measurement, SecurityEvent
from confiance.devices.readings import MAX_PAYLOAD_BYTES
from confiance.devices.tests.factories import make_gateway

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices/gateways/measurements"
SENML = "application/senml+json"


def post(body, token, *, content_type="application/json", **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client(raise_request_exception=False).post(URL, data=data, content_type=content_type, **extra, **headers)


def now_iso(seconds_ago: int = 60) -> str:
    return (timezone.now() - timedelta(seconds=seconds_ago)).isoformat()


def device_token(device: Device) -> str:
    """Give a device its own token (a save appends the registry revision the per-process registry watches)."""
    prefix, secret = f"d{device.pk:07d}", "device-secret-" + device.identifier
    device.token_prefix, device.token_hash = prefix, hashlib.sha256(secret.encode()).hexdigest()
    device.save()
    return f"{prefix}.{secret}"


def test_a_gateway_batch_is_stored_and_a_redelivery_counted_as_duplicates(world):
    batch = [{"device": "essonne-mennecy", "time": now_iso(120), "values": {"water_level": 1.42, "battery": 87}},
             {"device": "air-mennecy", "time": now_iso(60), "values": {"pm10": 31.5, "no2": 12}}]
    first = post(batch, world.gateway_token)
    assert first.status_code == 200, first.content
    assert first.json() == {"stored": 4, "duplicates": 0, "rejected": 0, "rejections": [], "truncated": False}
    again = post(batch, world.gateway_token)
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 4
    assert Measurement.objects.filter(source=MeasurementSource.HTTP).count() == 4
    world.gateway.refresh_from_db()
    assert world.gateway.last_seen_at is not None


def test_a_gateway_cannot_write_another_communes_device(world):
    batch = [{"device": "essonne-ormoy", "time": now_iso(), "values": {"water_level": 3.0}},
             {"device": "essonne-mennecy", "time": now_iso(), "values": {"water_level": 1.0}}]
    response = post(batch, world.gateway_token)
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["rejected"]) == (1, 1)
    assert body["rejections"][0]["reason"] == DeadLetterReason.FORBIDDEN
    assert body["rejections"][0]["device"] == "essonne-ormoy"
    assert not Measurement.objects.filter(device=world.other_gauge).exists()
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.gateway_id, letter.source) == (DeadLetterReason.FORBIDDEN, world.gateway.pk, "http")


def test_the_other_communes_gateway_writes_its_own_device_and_not_ours(world):
    _, token = make_gateway(world.other, "gw-ormoy")
    response = post([{"device": "essonne-ormoy", "time": now_iso(), "values": {"water_level": 2.0}},
                     {"device": "essonne-mennecy", "time": now_iso(), "values": {"water_level": 9.0}}], token)
    assert (response.json()["stored"], response.json()["rejected"]) == (1, 1)
    assert not Measurement.objects.filter(device=world.gauge).exists()


def test_a_device_token_writes_its_own_values_only(world):
    token = device_token(world.gauge)
    response = post({"time": now_iso(), "values": {"water_level": 1.1}}, token)
    assert response.status_code == 200 and response.json()["stored"] == 1
    # naming another device (even of the same commune) is refused
    other = post({"device": "air-mennecy", "time": now_iso(), "values": {"pm10": 5}}, token)
    assert other.status_code == 400
    pack = [{"bn": "air-mennecy/", "n": "pm10", "v": 5, "u": "ug/m3"}, {"bn": "", "n": "water_level", "v": 1.2}]
    senml = post(pack, token, content_type=SENML)
    assert senml.status_code == 200
    assert (senml.json()["stored"], senml.json()["rejections"][0]["reason"]) == (1, DeadLetterReason.FORBIDDEN)
    assert not Measurement.objects.filter(device=world.air).exists()


@pytest.mark.parametrize(("authorization", "reason"), [
    (None, "aucun jeton"),
    ("Basic abc", "sans jeton Bearer"),
    ("Bearer nodot", "mal formé"),
    ("Bearer ffffffff.whatever", "préfixe de jeton inconnu"),
])
def test_bad_tokens_are_refused_and_counted(world, authorization, reason):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().post(URL, data="[]", content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "devices_gateway_token_invalid"
    assert response.json()["message"] == "Jeton de passerelle absent ou invalide."
    event = SecurityEvent.objects.get()
    assert event.kind == SecurityEventKind.FAILED_CREDENTIALS and reason in event.detail
    assert not DeadLetter.objects.exists()


def test_a_wrong_secret_names_the_gateway_and_repeated_attempts_are_coalesced(world):
    wrong = world.gateway.token_prefix + ".not-the-secret"
    for _ in range(5):
        assert post([], wrong).status_code == 401
    event = SecurityEvent.objects.get()
    assert (event.count, event.gateway_id, event.commune_id) == (5, world.gateway.pk, world.commune.pk)
    assert event.subject == "127.0.0.1" and "secret erroné" in event.detail
    assert not Measurement.objects.exists() and not DeadLetter.objects.exists()


def test_a_disabled_gateway_is_refused(world):
    world.gateway.active = False
    world.gateway.save()
    response = post([{"device": "essonne-mennecy", "time": now_iso(), "values": {"water_level": 1.0}}],
                    world.gateway_token)
    assert response.status_code == 401
    assert "désactivée" in SecurityEvent.objects.get().detail


def test_an_agent_api_token_or_session_does_not_open_the_endpoint(world):
    client = Client()
    response = client.post(URL, data="[]", content_type="application/json", HTTP_AUTHORIZATION="Bearer cft_abc")
    assert response.status_code == 401


@pytest.mark.parametrize(("message", "reason"), [
    ({"device": "nobody", "time": "T", "values": {"water_level": 1}}, DeadLetterReason.TIME_INVALID),
    ({"device": "nobody", "time": None, "values": {"water_level": 1}}, DeadLetterReason.TIME_INVALID),
    ({"device": "essonne-mennecy", "time": 1700000000, "values": {"water_level": "high"}},
     DeadLetterReason.WRONG_TYPE),
    ({"device": "essonne-mennecy", "time": 1700000000, "values": {"water_level": 10 ** 400}},
     DeadLetterReason.WRONG_TYPE),
    ({"device": "essonne-mennecy", "time": 1700000000, "values": {}}, DeadLetterReason.MALFORMED),
    ("not an object", DeadLetterReason.MALFORMED),
])
def test_a_batch_with_nothing_readable_is_a_400_and_dead_lettered(world, message, reason):
    response = post([message], world.gateway_token)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "devices_payload_malformed" and body["message"].startswith("Lot illisible")
    assert body["details"]["rejections"][0]["reason"] == reason
    assert DeadLetter.objects.get().reason == reason


@pytest.mark.parametrize(("values", "device", "reason"), [
    ({"water_level": 1.0}, "nobody", DeadLetterReason.UNKNOWN_DEVICE),
    ({"pm25": 1.0}, "essonne-mennecy", DeadLetterReason.UNKNOWN_QUANTITY),
    ({"nonsense": 1.0}, "essonne-mennecy", DeadLetterReason.UNKNOWN_QUANTITY),
])
def test_registry_refusals_are_dead_lettered_counted_and_the_rest_stored(world, values, device, reason):
    batch = [{"device": device, "time": now_iso(), "values": values},
             {"device": "essonne-mennecy", "time": now_iso(30), "values": {"water_level": 1.5}}]
    body = post(batch, world.gateway_token).json()
    assert (body["stored"], body["rejected"], body["rejections"][0]["reason"]) == (1, 1, reason)
    assert DeadLetter.objects.filter(reason=reason, device_identifier=device).count() == 1


def test_a_time_more_than_five_minutes_ahead_is_refused(world):
    ahead = (timezone.now() + timedelta(minutes=6)).isoformat()
    body = post([{"device": "essonne-mennecy", "time": ahead, "values": {"water_level": 1.0}},
                 {"device": "essonne-mennecy", "time": now_iso(), "values": {"water_level": 1.0}}],
                world.gateway_token).json()
    assert body["rejections"][0]["reason"] == DeadLetterReason.FUTURE_TIME and body["stored"] == 1


def test_malformed_json_is_a_400_with_the_reason_and_a_dead_letter(world):
    response = post('[{"device": "essonne-mennecy",', world.gateway_token)
    assert response.status_code == 400
    assert response.json()["details"]["rejections"][0]["reason"] == DeadLetterReason.MALFORMED
    letter = DeadLetter.objects.get()
    assert letter.reason == DeadLetterReason.MALFORMED and letter.payload.startswith('[{"device"')


def test_an_oversize_body_is_a_413_and_a_dead_letter(world):
    body = json.dumps([{"device": "essonne-mennecy", "time": now_iso(), "values": {"water_level": 1.0},
                        "pad": "x" * MAX_PAYLOAD_BYTES}])
    response = post(body, world.gateway_token)
    assert response.status_code == 413
    assert response.json()["code"] == "devices_payload_too_large"
    assert DeadLetter.objects.get().reason == DeadLetterReason.OVERSIZE
    assert not Measurement.objects.exists()


def test_too_many_messages_is_a_413(world):
    batch = [{"device": "essonne-mennecy", "time": 1700000000 + i, "values": {"water_level": 1}}
             for i in range(5001)]
    response = post(json.dumps(batch, separators=(",", ":")), world.gateway_token)
    assert response.status_code == 413
    assert DeadLetter.objects.get().reason == DeadLetterReason.OVERSIZE


def test_an_unsupported_content_type_is_a_415_and_a_dead_letter(world):
    response = post("<xml/>", world.gateway_token, content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["code"] == "devices_payload_malformed"
    assert DeadLetter.objects.get().reason == DeadLetterReason.MALFORMED


def test_senml_pack_is_stored_with_units_converted(world):
    base = timezone.now().timestamp() - 600
    pack = [{"bn": "essonne-mennecy/", "bt": base, "n": "water_level", "u": "cm", "v": 142},
            {"n": "battery", "u": "%EL", "v": 80, "t": 10},
            {"bn": "air-mennecy/", "n": "pm10", "u": "ug/m3", "v": 20.5},
            {"n": "signal", "u": "dBW", "v": -100, "t": 5}]
    response = post(pack, world.gateway_token, content_type=SENML)
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 4
    level = Measurement.objects.get(device=world.gauge, quantity="water_level")
    assert level.value == pytest.approx(1.42)
    assert abs(level.observed_at.timestamp() - base) < 0.001
    assert Measurement.objects.get(device=world.air, quantity="signal").value == pytest.approx(-70.0)


def test_senml_wrong_unit_is_dead_lettered_with_the_expected_one(world):
    pack = [{"bn": "essonne-mennecy/", "n": "water_level", "u": "Cel", "v": 1.0, "t": -5},
            {"n": "battery", "v": 50, "t": -5}]
    body = post(pack, world.gateway_token, content_type=SENML + "; charset=utf-8").json()
    assert (body["stored"], body["rejected"]) == (1, 1)
    rejection = body["rejections"][0]
    assert rejection["reason"] == DeadLetterReason.WRONG_TYPE and "attendu : m, cm, mm" in rejection["detail"]


def test_senml_must_understand_field_refuses_the_pack(world):
    pack = [{"bn": "essonne-mennecy/", "n": "water_level", "v": 1.0, "t": -5, "crit_": 1}]
    response = post(pack, world.gateway_token, content_type=SENML)
    assert response.status_code == 400
    assert "crit_" in response.json()["details"]["rejections"][0]["detail"]
