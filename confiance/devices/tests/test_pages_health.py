"""The device health and cyber page and its CSV exports: for the RSSI and the chef de poste only, their communes
only, French column names, never a credential; spreadsheet formulas from device-sent text are neutralised."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.devices.choices import DeadLetterReason, MeasurementSource, SecurityEventKind
from confiance.devices.models import DeadLetter, Device, SecurityEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


def client_as(commune, role):
    client = Client()
    client.force_login(make_agent(communes=[commune], role=role, password=None))
    return client


@pytest.fixture
def troubled(world):
    now = timezone.now()
    Device.objects.filter(pk=world.gauge.pk).update(
        firmware_version="1.0.2", expected_firmware_version="1.1.0", default_credentials=True, battery_pct=12.5,
        signal_dbm=-97, last_seen_at=now, clock_offset_s=-3.25)
    for _ in range(3):
        DeadLetter.objects.create(source=MeasurementSource.MQTT, reason=DeadLetterReason.FUTURE_TIME,
                                  device_identifier="essonne-mennecy", device=world.gauge, commune=world.commune)
    DeadLetter.objects.create(source=MeasurementSource.HTTP, reason=DeadLetterReason.UNKNOWN_DEVICE,
                              device_identifier="=cmd|calc", commune=world.commune, gateway=world.gateway)
    DeadLetter.objects.create(source=MeasurementSource.MQTT, reason=DeadLetterReason.MALFORMED,
                              device_identifier="essonne-ormoy", device=world.other_gauge, commune=world.other)
    SecurityEvent.objects.create(commune=world.commune, kind=SecurityEventKind.FAILED_CREDENTIALS,
                                 gateway=world.gateway, subject="gw-mennecy", detail="=HYPERLINK(\"x\")", count=4)
    SecurityEvent.objects.create(commune=world.other, kind=SecurityEventKind.FLOODING, device=world.other_gauge,
                                 subject="essonne-ormoy")
    return world


@pytest.mark.parametrize("role", ["rssi", "shift_supervisor", "administrator"])
def test_the_rssi_and_the_chef_de_poste_see_health_of_their_communes(troubled, role):
    page = client_as(troubled.commune, role).get("/agents/capteurs/sante/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Échec d&#x27;authentification d&#x27;une passerelle" in body and "Capteur qui inonde" not in body
    assert "attendu 1.1.0" in body and "par défaut" in body and "13 %" in body
    assert "Horodatage dans le futur" in body and "inconnu du registre" in body
    assert "essonne ormoy" not in body and "Message illisible" not in body  # another commune's rows
    assert troubled.gateway_token.split(".")[1] not in body


@pytest.mark.parametrize("role", ["csu_operator", "elected_official", "technical_agent", "police_agent", "dpo"])
def test_other_roles_are_refused_the_health_page_and_its_exports(troubled, role):
    client = client_as(troubled.commune, role)
    for path in ("/agents/capteurs/sante/", "/agents/capteurs/sante/capteurs.csv",
                 "/agents/capteurs/sante/evenements.csv"):
        assert client.get(path).status_code == 403, path


def _rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_device_csv_has_french_columns_and_no_credential(troubled):
    Device.objects.filter(pk=troubled.gauge.pk).update(token_prefix="abcd1234", token_hash="f" * 64,
                                                       mqtt_client_id="client-secret-id")
    rows = _rows(client_as(troubled.commune, "rssi").get("/agents/capteurs/sante/capteurs.csv"))
    assert rows[0] == ["commune", "capteur", "identifiant", "type", "état", "vu le", "batterie (%)", "signal (dBm)",
                       "décalage d'horloge (s)", "micrologiciel", "micrologiciel attendu", "micrologiciel à jour",
                       "identifiants par défaut", "passerelle", "messages rejetés (7 j)"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"essonne mennecy", "air mennecy"}
    gauge = by_name["essonne mennecy"]
    assert gauge[4] == "Jamais vu" and gauge[6] == "12,5" and gauge[7] == "-97" and gauge[8] == "-3,25"
    assert gauge[9:15] == ["1.0.2", "1.1.0", "non", "oui", "gw-mennecy", "3"]
    text = "\n".join(";".join(row) for row in rows)
    assert "abcd1234" not in text and "f" * 64 not in text and "client-secret-id" not in text


def test_events_csv_neutralises_formulas_and_keeps_to_the_commune(troubled):
    rows = _rows(client_as(troubled.commune, "rssi").get("/agents/capteurs/sante/evenements.csv"))
    assert rows[0] == ["date", "commune", "type", "capteur", "passerelle", "objet", "détail", "occurrences"]
    assert len(rows) == 2
    assert rows[1][1:] == ["Mennecy", "Échec d'authentification d'une passerelle", "", "gw-mennecy", "gw-mennecy",
                           "'=HYPERLINK(\"x\")", "4"]
