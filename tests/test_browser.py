"""A real Chromium: log in, open the territory map, take screenshots (written under test-output/)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser


def test_login_then_territory_map(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.goto(f"{demo_server}/comptes/connexion/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Identifiant").fill("operateur")
    page.get_by_label("Mot de passe").fill("confiance-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{demo_server}/agents/")
    assert page.get_by_role("heading", name="Mes communes").is_visible()
    assert page.get_by_role("cell", name="Mennecy").is_visible()
    expect(page.locator("#live-status")).to_contain_text("Connecté")
    page.screenshot(path=str(OUTPUT / "agent-home.png"), full_page=True)
    page.get_by_role("link", name="Voir la carte du territoire").click()
    page.wait_for_selector("#territory-map[data-loaded]")
    assert int(page.locator("#territory-map").get_attribute("data-loaded")) >= 6 + 15
    assert page.locator(".leaflet-interactive").count() >= 21
    assert page.get_by_text("Commune : Mennecy (91386)").is_visible()
    page.screenshot(path=str(OUTPUT / "territory-map.png"), full_page=True)
    page.close()


def test_wrong_password_message_and_phone_layout(demo_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, locale="fr-FR")
    page.goto(f"{demo_server}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("policier")
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    assert "incorrect" in alert.text_content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scroll on a phone: {width}px"
    page.screenshot(path=str(OUTPUT / "login-phone.png"), full_page=True)
    page.close()
