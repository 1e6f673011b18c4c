"""Chromium on Opération Tranquillité Vacances: a resident registers from a 390 px phone (address search, pin,
dates) and lands on the private page; a police agent reads the homes of the day on desktop, list and map.
Screenshots go to test-output/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import OUTPUT
from tests.test_browser_citizen import DEVICES, assert_no_horizontal_scroll
from tests.test_browser_flows import login

pytestmark = pytest.mark.browser


def test_a_resident_registers_from_a_phone(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(locale="fr-FR", **DEVICES["phone"])
    page.goto(f"{demo_server}/tranquillite-vacances/")
    expect(page.get_by_role("heading", name="Opération Tranquillité Vacances")).to_be_visible()
    page.get_by_label("Commune du logement").select_option(label="Mennecy")
    search = page.get_by_role("combobox", name="Rechercher une adresse")
    search.fill("2 rue mennecy")
    expect(page.locator("#otv-address-search-list [role=option]").first).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.locator("#id_lat")).not_to_have_value("")
    expect(page.locator("#otv-map .leaflet-marker-icon")).to_have_count(1)
    today = timezone.localdate()
    page.locator("#id_leaves_on").fill((today + timedelta(days=10)).isoformat())
    page.locator("#id_returns_on").fill((today + timedelta(days=24)).isoformat())
    page.locator("#id_last_name").fill("Martin")
    page.locator("#id_first_name").fill("Claire")
    page.locator("#id_email").fill("claire.martin@example.org")
    page.locator("#id_phone").fill("06 12 34 56 78")
    page.locator("#id_consent").check()
    assert_no_horizontal_scroll(page, 390)
    page.screenshot(path=str(OUTPUT / "otv-register-phone.png"), full_page=True)
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url("**/tranquillite-vacances/inscription/**")
    expect(page.get_by_role("heading", name="Mon inscription à l'Opération Tranquillité Vacances")).to_be_visible()
    expect(page.get_by_text("Active")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "otv-private-phone.png"), full_page=True)
    page.close()


def test_the_police_read_the_homes_of_the_day_on_desktop(demo_server, browser):
    page = login(browser, demo_server, "policier", **DEVICES["desktop"])
    page.goto(f"{demo_server}/agents/otv/?commune=91386")
    expect(page.locator(".otv-table")).to_have_count(0)  # nothing before the motive
    page.get_by_label("Motif de la consultation (journalisé)").fill("Préparation de la patrouille")
    page.get_by_role("button", name="Afficher").click()
    rows = page.locator(".otv-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    expect(page.locator("#otv-homes-map .leaflet-overlay-pane path").first).to_be_attached()
    page.screenshot(path=str(OUTPUT / "otv-homes-desktop.png"), full_page=True)
    page.close()
