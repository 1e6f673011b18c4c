"""Chromium through crisis mode on the demo: the élu declares a flood for Mennecy on a 390 px phone; the chef de
poste, on a desktop, follows the banner to the crisis view, adds Ormoy, ticks a step, writes in the log, sees it
live, ends the crisis and gets the report. Screenshots go to test-output/crisis-*.png."""

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def login(browser, base, username, **context):
    page = browser.new_page(locale="fr-FR", **context)
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    return page


def test_elu_declares_on_a_phone_and_chef_runs_the_crisis_on_a_desktop(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    phone = login(browser, demo_server, "elu", **PHONE)
    phone.goto(f"{demo_server}/agents/crises/declarer/")
    phone.get_by_label("Type de crise").select_option(label="Inondation")
    phone.get_by_label("Titre").fill("Crue de l'Essonne")
    phone.get_by_label("Mennecy").check()
    expect(phone.locator("#crisis-zone-map .leaflet-pane").first).to_be_attached()
    phone.screenshot(path=str(OUTPUT / "crisis-declare-phone.png"), full_page=True)
    phone.get_by_role("button", name="Déclarer la crise").click()
    expect(phone.locator("h1")).to_contain_text("Crue de l'Essonne")
    expect(phone.locator("#crisis-steps li").first).to_be_visible()
    expect(phone.locator("#crisis-interventions")).to_contain_text("Réservé à la police municipale")
    phone.screenshot(path=str(OUTPUT / "crisis-view-phone.png"), full_page=True)
    phone.close()

    desk = login(browser, demo_server, "chef", **DESKTOP)
    banner = desk.locator("[data-crisis-banner]")
    expect(banner).to_contain_text("Crue de l'Essonne")
    banner.get_by_role("link", name="Ouvrir la vue de crise").click()
    expect(desk.locator("#crisis-view")).to_have_attribute("data-live", "1", timeout=15_000)
    desk.get_by_label("Commune à ajouter").select_option(label="Ormoy")
    desk.get_by_role("button", name="Ajouter").click()
    expect(desk.locator("#crisis-steps")).to_contain_text("Ormoy")
    desk.locator("#crisis-steps button").first.click()
    expect(desk.locator("#crisis-steps .step-who").first).to_contain_text("fait par")
    desk.get_by_label("Note au journal de crise").fill("Pont de la D191 fermé à la circulation.")
    desk.get_by_role("button", name="Écrire au journal").click()
    expect(desk.locator("#crisis-log")).to_contain_text("Pont de la D191 fermé")
    expect(desk.locator("#crisis-log")).to_contain_text("Ormoy rejoint la crise")
    desk.screenshot(path=str(OUTPUT / "crisis-view-desktop.png"), full_page=True)
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name="Terminer la crise").click()
    expect(desk.get_by_role("link", name="Rapport de crise (PDF)")).to_be_visible()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Rapport de crise (PDF)").click()
    assert download.value.suggested_filename.startswith("rapport-crise-")
    expect(desk.locator("[data-crisis-banner]")).to_have_count(0)
    desk.close()
