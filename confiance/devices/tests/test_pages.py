"""Hypervision pages through Django's test client: who sees the sensors, the chart, the console layer and the
health page; who may acknowledge, resolve and open an intervention; another commune's objects are not found."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.devices.choices import AlarmState, DeviceState, MeasurementSource, Quantity, RuleKind, Severity
from confiance.devices.models import Alarm, AlarmStep, Device, Rule
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import readings
from confiance.operations.models import InterventionType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # the chef de poste and the RSSI pass TOTP; not what these tests are about


def client_as(commune, role):
    client = Client()
    client.force_login(make_agent(communes=[commune], role=role, password=None))
    return client


def make_alarm(device, *, severity=Severity.MAJOR, state=AlarmState.RAISED, message="Crue de l'Essonne") -> Alarm:
    rule = Rule.objects.create(commune=device.commune, name=f"Seuil {device.identifier}", kind=RuleKind.THRESHOLD,
                               quantity=Quantity.WATER_LEVEL, device=device, threshold=2.0, severity=severity)
    Device.objects.filter(pk=device.pk).update(state=DeviceState.ALARM)
    return Alarm.objects.create(commune=device.commune, rule=rule, device=device, subject=f"device:{device.pk}",
                                severity=severity, state=state, message=message, value=2.4)


def store_levels(identifier, values, *, minutes_ago=30):
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    measurements_store(readings(identifier, Quantity.WATER_LEVEL,
                                [(start + timedelta(minutes=i), value) for i, value in enumerate(values)]),
                       source=MeasurementSource.SIMULATION)


# --- The sensors page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["csu_operator", "elected_official", "technical_agent", "rssi", "police_agent"])
def test_every_role_with_devices_view_sees_its_communes_sensors_only(world, role):
    store_levels("essonne-mennecy", [1.2, 1.25, 1.31])
    page = client_as(world.commune, role).get("/agents/capteurs/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "essonne mennecy" in body and "air mennecy" in body and "essonne ormoy" not in body
    assert "Hauteur d&#x27;eau <strong>1,31 m</strong>" in body  # the last value, in French
    assert "Normal" in body and "Jamais vu" in body  # states as words, never codes


def test_the_dpo_has_no_sensors_page(world):
    page = client_as(world.commune, "dpo").get("/agents/capteurs/")
    assert page.status_code == 403 and "réservés" in page.content.decode()


def test_the_filter_keeps_to_the_actors_communes(world):
    client = client_as(world.commune, "csu_operator")
    other = client.get("/agents/capteurs/", {"commune": world.other.pk}).content.decode()
    assert "essonne ormoy" not in other  # not a choice: the form refuses it, the list stays the actor's
    alarm_only = client.get("/agents/capteurs/", {"state": "alarm"}).content.decode()
    assert "0 capteur" in alarm_only


def test_elected_officials_see_values_but_no_handling_buttons(world):
    make_alarm(world.gauge)
    elu = client_as(world.commune, "elected_official").get(f"/agents/capteurs/{world.gauge.pk}/").content.decode()
    operator = client_as(world.commune, "csu_operator").get(f"/agents/capteurs/{world.gauge.pk}/").content.decode()
    assert "Crue de l&#x27;Essonne" in elu and "Prendre en compte" not in elu and "Résoudre" not in elu
    assert "Prendre en compte" in operator and "Ouvrir une intervention" in operator


def test_another_communes_device_is_not_found(world):
    client = client_as(world.commune, "shift_supervisor")
    assert client.get(f"/agents/capteurs/{world.other_gauge.pk}/").status_code == 404
    assert client.get(f"/agents/capteurs/{world.other_gauge.pk}/mesures.json",
                      {"grandeur": "water_level"}).status_code == 404
    assert client.get("/agents/capteurs/999999/").status_code == 404


# --- The chart, from the aggregates ----------------------------------------------------------------------


def test_the_chart_reads_minute_buckets_for_hours_and_hour_buckets_for_days(world):
    store_levels("essonne-mennecy", [1.0, 2.0, 3.0], minutes_ago=10)
    client = client_as(world.commune, "elected_official")
    url = f"/agents/capteurs/{world.gauge.pk}/mesures.json"
    hours = client.get(url, {"grandeur": "water_level", "periode": "heures"}).json()
    assert hours["resolution"] == "minute" and hours["unit"] == "m"
    assert [(p["mean"], p["min"], p["max"]) for p in hours["points"]] == [(1.0, 1.0, 1.0), (2.0, 2.0, 2.0),
                                                                           (3.0, 3.0, 3.0)]
    days = client.get(url, {"grandeur": "water_level", "periode": "jours"}).json()
    assert days["resolution"] == "hour"
    assert sum(1 for _ in days["points"]) in (1, 2)  # the three minutes fall in one or two hours
    assert min(p["min"] for p in days["points"]) == 1.0 and max(p["max"] for p in days["points"]) == 3.0


def test_the_chart_refuses_what_the_device_does_not_measure_in_french(world):
    client = client_as(world.commune, "csu_operator")
    url = f"/agents/capteurs/{world.gauge.pk}/mesures.json"
    wrong = client.get(url, {"grandeur": "pm10"})
    assert wrong.status_code == 400 and wrong.json()["message"] == "Ce capteur ne mesure pas cette grandeur."
    period = client.get(url, {"grandeur": "water_level", "periode": "siècle"})
    assert period.status_code == 400 and period.json()["message"] == "Période inconnue."


# --- The console layer and the alarm actions --------------------------------------------------------------


def test_console_state_lists_sensors_and_open_alarms_with_who_may_handle(world):
    open_alarm = make_alarm(world.gauge)
    make_alarm(world.other_gauge, message="Crue à Ormoy")
    resolved = make_alarm(world.air, state=AlarmState.RESOLVED, message="Pic de particules")
    Alarm.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    data = client_as(world.commune, "csu_operator").get("/agents/capteurs/etat.json").json()
    assert {d["name"] for d in data["devices"]} == {"essonne mennecy", "air mennecy"}
    assert [(a["id"], a["state_label"], a["severity_label"]) for a in data["alarms"]] == [
        (open_alarm.pk, "Levée", "Alerte")]
    assert data["handle_commune_ids"] == [world.commune.pk]
    assert ["ok", "Normal"] in data["legend"]
    elu = client_as(world.commune, "elected_official").get("/agents/capteurs/etat.json").json()
    assert elu["handle_commune_ids"] == [] and elu["alarms"][0]["can_handle"] is False


def test_an_operator_acknowledges_then_resolves_from_the_console(world):
    alarm = make_alarm(world.gauge)
    client = client_as(world.commune, "csu_operator")
    acknowledged = client.post(f"/agents/capteurs/alarmes/{alarm.pk}/prise-en-compte", {"note": "Équipe prévenue"},
                               HTTP_ACCEPT="application/json")
    assert acknowledged.status_code == 200 and acknowledged.json()["state"] == "acknowledged"
    assert AlarmStep.objects.filter(alarm=alarm, kind="acknowledged", note="Équipe prévenue").exists()
    resolved = client.post(f"/agents/capteurs/alarmes/{alarm.pk}/resolution", HTTP_ACCEPT="application/json")
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    again = client.post(f"/agents/capteurs/alarmes/{alarm.pk}/resolution", HTTP_ACCEPT="application/json")
    assert again.status_code in (400, 409) and again.json()["message"]


def test_a_page_form_redirects_back_with_a_message(world):
    alarm = make_alarm(world.gauge)
    client = client_as(world.commune, "shift_supervisor")
    back = f"/agents/capteurs/{world.gauge.pk}/"
    response = client.post(f"/agents/capteurs/alarmes/{alarm.pk}/prise-en-compte", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert "Alarme prise en compte." in client.get(back).content.decode()
    outside = client.post(f"/agents/capteurs/alarmes/{alarm.pk}/resolution", {"next": "https://ailleurs.example/"})
    assert outside["Location"] == "/agents/capteurs/"


def test_an_operator_opens_an_intervention_from_an_alarm(world):
    InterventionType.objects.create(commune=world.commune, code="capteur", label="Alarme capteur")
    alarm = make_alarm(world.gauge)
    response = client_as(world.commune, "csu_operator").post(
        f"/agents/capteurs/alarmes/{alarm.pk}/intervention", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    alarm.refresh_from_db()
    assert alarm.intervention_id is not None and response.json()["intervention_number"] == alarm.intervention.number
    assert (alarm.intervention.lat, alarm.intervention.lon) == (world.gauge.lat, world.gauge.lon)


@pytest.mark.parametrize("role", ["elected_official", "technical_agent", "rssi", "police_agent"])
def test_roles_without_devices_handle_are_refused_and_nothing_changes(world, role):
    alarm = make_alarm(world.gauge)
    client = client_as(world.commune, role)
    for action in ("prise-en-compte", "resolution", "intervention"):
        response = client.post(f"/agents/capteurs/alarmes/{alarm.pk}/{action}", HTTP_ACCEPT="application/json")
        assert response.status_code == 403, action
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.RAISED and alarm.intervention_id is None and not alarm.steps.exists()


def test_another_communes_alarm_is_not_found_and_nothing_changes(world):
    alarm = make_alarm(world.other_gauge)
    client = client_as(world.commune, "shift_supervisor")
    for action in ("prise-en-compte", "resolution", "intervention"):
        assert client.post(f"/agents/capteurs/alarmes/{alarm.pk}/{action}",
                           HTTP_ACCEPT="application/json").status_code == 404
        assert client.post(f"/agents/capteurs/alarmes/{alarm.pk}/{action}").status_code == 404
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.RAISED and not alarm.steps.exists()


def test_alarm_actions_need_post_and_csrf(world):
    alarm = make_alarm(world.gauge)
    agent = make_agent(communes=[world.commune], role="csu_operator", password=None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get(f"/agents/capteurs/alarmes/{alarm.pk}/prise-en-compte").status_code == 405
    assert client.post(f"/agents/capteurs/alarmes/{alarm.pk}/prise-en-compte").status_code == 403
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.RAISED


def test_the_console_carries_the_sensors_layer_for_operators(world):
    page = client_as(world.commune, "csu_operator").get("/agents/console/").content.decode()
    assert 'id="sensor-console"' in page and "devices/console-sensors.js" in page and "Alarmes capteurs" in page
    assert "<script>" not in page  # no inline script


def test_navigation_links_follow_the_permissions(world):
    rssi = client_as(world.commune, "rssi").get("/agents/").content.decode()
    elu = client_as(world.commune, "elected_official").get("/agents/").content.decode()
    dpo = client_as(world.commune, "dpo").get("/agents/").content.decode()
    assert "/agents/capteurs/sante/" in rssi and "/agents/capteurs/" in rssi
    assert "/agents/capteurs/sante/" not in elu and "/agents/capteurs/" in elu
    assert "/agents/capteurs/" not in dpo
