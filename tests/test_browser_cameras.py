"""Chromium on video-protection: the public page of Mennecy on a desktop and on a 390 px phone (map markers drawn
from the GeoJSON, the lapsed authorisation flagged, nothing wider than the screen), the console's cameras layer
and an operator's camera page (the stream form only where the operator is individually authorised)."""

import pytest

from confiance.core.testing import server_process, throwaway_database
from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"
MENNECY_CAMERAS = 8


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo, with a patient start: the server may take more than 30 s on a busy shared machine."""
    folder = tmp_path_factory.mktemp("browser-cameras")
    with throwaway_database(folder) as env, server_process(env, start_seconds=180) as base:
        yield base


def _public(browser, base, viewport, name):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(locale="fr-FR", viewport=viewport)
    page.goto(f"{base}/videoprotection/91386/")
    page.wait_for_selector("#cameras-map[data-markers]", state="attached")
    assert page.locator("#cameras-map").get_attribute("data-markers") == str(MENNECY_CAMERAS)
    assert page.locator(".leaflet-marker-icon.camera-icon").count() == MENNECY_CAMERAS
    assert page.locator(".leaflet-marker-icon.auth-expired").count() == 1
    assert page.locator(".camera-card").count() == MENNECY_CAMERAS
    assert "Autorisation expirée" in page.locator(".camera-card.auth-expired").text_content()
    assert "vms." not in page.content()
    page.screenshot(path=str(OUTPUT / f"cameras-public-{name}.png"), full_page=True)
    return page


def test_the_public_page_on_a_desktop(demo_server, browser):
    page = _public(browser, demo_server, {"width": 1400, "height": 900}, "desktop")
    page.get_by_role("link", name="Notice d'information détaillée").click()
    page.wait_for_selector("article.notice-text")
    assert "L.251-2" in page.locator("article.notice-text").text_content()
    page.close()


def test_the_public_page_on_a_phone(demo_server, browser):
    page = _public(browser, demo_server, {"width": 390, "height": 844}, "phone")
    for selector in (".camera-cards", "#cameras-map", ".notice-panel"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    page.close()


def _login(browser, base, username):
    page = browser.new_page(locale="fr-FR", viewport={"width": 1600, "height": 900})
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    return page


def test_the_console_layer_and_an_operators_camera_page(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = _login(browser, demo_server, "operateur")
    page.goto(f"{demo_server}/agents/console/")
    page.wait_for_selector("#camera-console[data-markers]", state="attached")
    assert int(page.locator("#camera-console").get_attribute("data-markers")) >= 20
    assert page.locator(".leaflet-marker-icon.camera-icon.auth-expired").count() == 1
    page.screenshot(path=str(OUTPUT / "cameras-console.png"))
    page.goto(f"{demo_server}/agents/cameras/?commune=")
    authorised = page.locator("tr[data-camera]", has_text="habilité").first
    authorised.get_by_role("link").click()
    page.wait_for_selector("#stream-title")
    assert page.get_by_role("button", name="Ouvrir le flux (consultation journalisée)").count() == 1
    assert "vms." not in page.content()
    page.screenshot(path=str(OUTPUT / "cameras-agent-page.png"), full_page=True)
    page.goto(f"{demo_server}/agents/cameras/")
    page.locator("tr[data-camera]", has_text="non").first.get_by_role("link").click()
    page.wait_for_selector("#stream-title")
    assert page.get_by_role("button", name="Ouvrir le flux (consultation journalisée)").count() == 0
    assert "pas habilité individuellement" in page.locator("main").text_content()
    page.close()
