"""Chromium on the console: a water level over its threshold, stored through the one ingestion entry point, raises
an alarm whose live event appears in the operator's alarm list without a reload; the operator acknowledges it."""

import subprocess

import pytest

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, server_process, throwaway_database
from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"

SEED = """
from confiance.devices.choices import Quantity, RuleKind
from confiance.devices.models import Rule
from confiance.devices.tests.factories import make_device
from confiance.territory.models import Commune
commune = Commune.objects.get(name="Mennecy")
device = make_device(commune, "essonne-navigateur", quantities=(Quantity.WATER_LEVEL,))
Rule.objects.create(commune=commune, name="Crue (test navigateur)", kind=RuleKind.THRESHOLD, device=device,
                    quantity=Quantity.WATER_LEVEL, threshold=2.0, clear_threshold=1.8, severity=3)
"""
OVER_THRESHOLD = """
from django.utils import timezone
from confiance.devices.choices import MeasurementSource
from confiance.devices.drafts import Parsed, Reading
from confiance.devices.services.measurements import measurements_store
measurements_store(Parsed(readings=[Reading(device="essonne-navigateur", quantity="water_level",
                                            observed_at=timezone.now(), value=2.6)]),
                   source=MeasurementSource.SIMULATION)
"""


def shell(env, code: str) -> None:
    subprocess.run([CONFIANCE, "shell", "-c", code], env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)


@pytest.fixture(scope="module")
def devices_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-devices")
    with throwaway_database(folder) as env:
        shell(env, SEED)
        with server_process(env) as base:
            yield base, env


def test_an_alarm_reaches_the_console_list_live_and_is_acknowledged(devices_server, browser):
    base, env = devices_server
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(locale="fr-FR", viewport={"width": 1600, "height": 900})
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("operateur")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    page.goto(f"{base}/agents/console/")
    page.wait_for_selector("#sensor-console[data-sensors]")
    page.wait_for_selector("#ops-map[data-live='1']", state="attached")
    assert page.locator("#c-alarms li").count() == 0
    shell(env, OVER_THRESHOLD)
    item = page.locator("#c-alarms li.live-new")
    item.wait_for(timeout=30000)
    assert "essonne navigateur" in item.text_content() and "Levée" in item.text_content()
    page.screenshot(path=str(OUTPUT / "console-sensor-alarm-live.png"))
    item.get_by_role("button", name="Prendre en compte").click()
    page.wait_for_selector("#c-alarms li.acknowledged", timeout=5000)
    assert "Prise en compte" in page.locator("#c-alarms li").first.text_content()
    page.close()
