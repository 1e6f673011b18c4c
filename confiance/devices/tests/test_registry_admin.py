"""The registry in the admin: pages load, units and locations are checked, writes are journaled, tokens never shown."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.devices.models import Device, DeviceQuantity, RegistryRevision
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    client = Client()
    client.force_login(make_agent(superuser=True, password=None))
    return client


def _device_form(world, **changes):
    data = {"commune": world.commune.pk, "identifier": "essonne-mennecy", "name": "Essonne Mennecy",
            "kind": "water_level", "lat": world.gauge.lat, "lon": world.gauge.lon, "gateway": world.gateway.pk,
            "reporting_interval_s": 120, "address": "", "model": "", "manufacturer": "", "firmware_version": "1.0",
            "expected_firmware_version": "1.1", "owner": "", "mqtt_client_id": "", "active": "on",
            "quantities-TOTAL_FORMS": 2, "quantities-INITIAL_FORMS": 0, "quantities-MIN_NUM_FORMS": 0,
            "quantities-MAX_NUM_FORMS": 1000,
            "quantities-0-quantity": "water_level", "quantities-0-unit": "",
            "quantities-1-quantity": "", "quantities-1-unit": ""}
    data.update(changes)
    return data


def test_registry_admin_pages_load_and_never_show_tokens(admin_client, world):
    pages = ["/admin/devices/gateway/", f"/admin/devices/gateway/{world.gateway.pk}/change/",
             "/admin/devices/gateway/add/", "/admin/devices/device/", "/admin/devices/device/add/",
             f"/admin/devices/device/{world.gauge.pk}/change/", "/admin/devices/device/?kind=water_level"]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        assert world.gateway.token_hash not in text and world.gateway.token_prefix not in text
    assert "Grandeurs mesurées" in admin_client.get(f"/admin/devices/device/{world.gauge.pk}/change/").content.decode()


def test_a_device_created_in_the_admin_gets_the_platform_unit_its_sector_and_a_journal_entry(admin_client, world):
    revisions = RegistryRevision.objects.count()
    response = admin_client.post("/admin/devices/device/add/", _device_form(world, identifier="essonne-aval"))
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(identifier="essonne-aval")
    assert list(DeviceQuantity.objects.filter(device=device).values_list("quantity", "unit")) == [("water_level", "m")]
    assert RegistryRevision.objects.count() > revisions
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"admin.add", "admin.change"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"quantities-0-unit": "cm"}, "L&#x27;unité de la plateforme pour cette grandeur est « m »."),
    ({"lat": 48.9}, "n&#x27;est pas dans la commune du capteur"),
])
def test_bad_units_and_locations_are_refused(admin_client, world, changes, message):
    response = admin_client.post("/admin/devices/device/add/", _device_form(world, identifier="x-1", **changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Device.objects.filter(identifier="x-1").exists()
    assert not AuditEntry.objects.exists()


def test_a_gateway_of_another_commune_is_refused(admin_client, world):
    response = admin_client.post("/admin/devices/device/add/",
                                 _device_form(world, identifier="x-2", commune=world.other.pk,
                                              lat=world.other_gauge.lat, lon=world.other_gauge.lon))
    assert response.status_code == 200 and "La passerelle est d&#x27;une autre commune." in response.content.decode()


def test_the_rules_list_shows_whole_thresholds_without_a_decimal_and_alarms_speak_french(admin_client, world):
    from confiance.devices.tests.rules_helpers import make_rule

    make_rule(world.commune, threshold=50.0, clear_threshold=45.0)
    text = admin_client.get("/admin/devices/rule/").content.decode()
    assert ">50<" in text and ">45<" in text and "50,0" not in text and "45,0" not in text
    from confiance.devices.models import Alarm

    assert str(Alarm._meta.get_field("acknowledged_by").verbose_name) == "prise en compte par"
