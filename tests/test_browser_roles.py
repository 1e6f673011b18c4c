"""Each demo role in Chromium, on a desktop and on a phone: it signs in, lands on its home, opens its main page;
the visible text holds no English and no raw code; each screenshot is checked on its pixels (as wide as the screen,
no map an empty square). Screenshots: test-output/<role>-<viewport>[-accueil].png."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, server_process, throwaway_database
from tests.conftest import OUTPUT
from tests.screenshots import assert_screenshot

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# role -> (its home block, its main page, a heading the main page shows)
ROLES = {
    "policier": ("mission", "/agents/terrain/", "Terrain"),
    "operateur": ("console", "/agents/console/", "Console"),
    "chef": ("console", "/agents/equipages/", "Équipages du"),
    "technicien": ("queue", "/agents/signalements/", "Signalements"),
    "elu": ("indicators", "/agents/analyse/indicateurs/", "Indicateurs"),
    "dpo": ("journal", "/agents/", "Journal d'audit"),
    "rssi": ("health", "/agents/capteurs/sante/", "Santé"),
}
ENGLISH = re.compile(r"\b(the|and|of|Submit|Loading|Error|None|null|undefined|true|false|Save|Cancel|Search|"
                     r"Status|Details|Unknown|Logout|Login|Dashboard|Settings|Page not found|French)\b")
RAW_CODES = [
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"),  # ISO timestamps
    re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),  # enum values (en_route, sans_suite...)
    re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b"),  # enum names (FIRMWARE_OUTDATED...)
    re.compile(r"(?<![\d,])\d+,0(?![\d,])"),  # "2,0" for 2
]
# The simulator's first call and engagement for the policier's unit, so that its home shows a mission.
MISSION = """
from confiance.operations.models import Unit, InterventionType
from confiance.operations.drafts import InterventionDraft
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage
from confiance.operations.demo_data import random_point_in
from confiance.operations.simulation import simulator_actor
import random
unit = Unit.objects.filter(agents__username="policier").first()
kind = InterventionType.objects.filter(commune=unit.commune, active=True).first()
actor = simulator_actor()
lat, lon = random_point_in(random.Random(1), unit.commune)
call = intervention_create(actor=actor, commune_id=unit.commune_id, draft=InterventionDraft(
    type_id=kind.pk, lat=lat, lon=lon, origin="appel", description="Appel de démonstration.",
    address="12 rue de la Mairie"))
assignment_engage(actor=actor, intervention=call, unit=unit)
"""


@pytest.fixture(scope="module")
def lived_in_server(tmp_path_factory):
    """A demo with some reports and closed interventions, and the policier's unit engaged."""
    folder = tmp_path_factory.mktemp("roles")
    extra = {"CONFIANCE_DEMO_REPORTS": "150", "CONFIANCE_DEMO_INTERVENTIONS": "12"}
    with throwaway_database(folder, extra_env=extra) as env:
        subprocess.run([CONFIANCE, "shell", "-c", MISSION], env=env, check=True, capture_output=True,
                       cwd=PROJECT_ROOT)
        with server_process(env) as base:
            yield base


def login(browser, base, username, viewport):
    page = browser.new_page(locale="fr-FR", **VIEWPORTS[viewport])
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    return page


def assert_plain_french(page, where: str) -> None:
    text = page.locator("body").inner_text()
    english = ENGLISH.findall(text.replace("English", ""))  # the language menu names English in English
    assert not english, f"{where}: English words {english}"
    for pattern in RAW_CODES:
        found = pattern.findall(text)
        assert not found, f"{where}: raw codes {found[:5]}"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", list(ROLES))
def test_role_home_and_main_page(lived_in_server, browser, role, viewport):
    OUTPUT.mkdir(exist_ok=True)
    block, main, heading = ROLES[role]
    page = login(browser, lived_in_server, role, viewport)
    expect(page.locator(f'[data-role-block="{block}"]')).to_be_visible()
    if role == "policier":
        expect(page.locator(".mission-current")).to_be_visible()
    expect(page.locator("#live-status")).to_contain_text("Connecté")
    assert_plain_french(page, f"{role} home ({viewport})")
    assert_screenshot(page, OUTPUT / f"{role}-{viewport}-accueil.png", f"{role} home ({viewport})")
    if main != "/agents/":
        page.goto(f"{lived_in_server}{main}")
    expect(page.get_by_role("heading").filter(has_text=heading).first).to_be_visible()
    page.wait_for_load_state("load")
    assert_plain_french(page, f"{role} {main} ({viewport})")
    assert_screenshot(page, OUTPUT / f"{role}-{viewport}.png", f"{role} {main} ({viewport})")
    page.close()


@pytest.mark.parametrize("path", ["/page-inconnue/", "/open311/"])
def test_error_page_and_open311_root_on_a_phone(lived_in_server, browser, path):
    page = browser.new_page(locale="fr-FR", **VIEWPORTS["phone"])
    page.goto(f"{lived_in_server}{path}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("introuvable" if "inconnue" in path else "Open311")
    assert_plain_french(page, path)
    assert page.locator('link[rel="icon"]').get_attribute("href").endswith(".svg")
    assert_screenshot(page, OUTPUT / f"{'404' if 'inconnue' in path else 'open311'}-phone.png", path)
    page.close()
