"""Chromium through the main flows: a citizen reports on a phone and the agents' list gains the row live; the
operator creates an intervention on the console map and engages the recommended unit; the field agent sees the
mission on a phone. Screenshots go to test-output/."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"


def login(browser, base, username, **context):
    page = browser.new_page(locale="fr-FR", **context)
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    return page


def click_open_ground(page, box, shares):
    """Click the map at the first of these points (shares of its box) that lands on the map itself: a unit's label
    or an intervention's marker there would take the click for itself."""
    for x_share, y_share in shares:
        x, y = box["x"] + box["width"] * x_share, box["y"] + box["height"] * y_share
        target = page.evaluate("([x, y]) => { const hit = document.elementFromPoint(x, y);"
                               " return hit && !hit.closest('.leaflet-marker-icon, .leaflet-tooltip,"
                               " .leaflet-popup, .leaflet-control') && !!hit.closest('#ops-map'); }", [x, y])
        if target:
            page.mouse.click(x, y)
            return
    raise AssertionError(f"every candidate point of the map is covered: {shares}")


def test_citizen_report_on_a_phone_reaches_the_agents_list_live(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    agents = login(browser, demo_server, "operateur", viewport={"width": 1280, "height": 900})
    agents.goto(f"{demo_server}/agents/signalements/")
    expect(agents.locator("#live-status")).not_to_have_text("")
    citizen = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               locale="fr-FR")
    citizen.goto(f"{demo_server}/signaler/")
    citizen.wait_for_selector("#report-map .leaflet-interactive")
    box = citizen.locator("#report-map").bounding_box()
    citizen.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(citizen.locator("#commune-name")).not_to_have_text("")
    citizen.wait_for_selector("#id_service_code option:nth-child(2)", state="attached")
    option = citizen.locator("#id_service_code option").nth(1).get_attribute("value")
    citizen.select_option("#id_service_code", option)
    citizen.get_by_label("Description").fill("Lampadaire éteint depuis trois soirs devant l'école.")
    citizen.wait_for_timeout(300)
    citizen.locator("#attributes select, #attributes input").evaluate_all(
        "els => els.forEach(el => { if (el.required && el.tagName === 'SELECT') { el.selectedIndex = 1; } "
        "else if (el.required && el.type === 'number') { el.value = '1'; } "
        "else if (el.required && el.type !== 'checkbox') { el.value = 'test'; } })")
    width = citizen.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scroll on a phone: {width}px"
    citizen.screenshot(path=str(OUTPUT / "report-form-phone.png"), full_page=True)
    citizen.get_by_role("button", name="Envoyer le signalement").click()
    citizen.wait_for_url(re.compile(r".*/signalements/(suivi/[^/]+|\d+)/.*"))
    assert "est enregistré" in citizen.content()
    number = re.search(r"n° (\d+)", citizen.locator("[role=alert], .messages, main").first.text_content()).group(1)
    citizen.screenshot(path=str(OUTPUT / "report-tracking-phone.png"), full_page=True)
    agents.wait_for_selector(f"#reports-body tr[data-report='{number}'].live-new", timeout=10000)
    agents.screenshot(path=str(OUTPUT / "reports-list-live.png"), full_page=True)
    citizen.close()
    agents.close()


def test_console_create_intervention_and_engage(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "operateur", viewport={"width": 1440, "height": 900})
    page.goto(f"{demo_server}/agents/console/")
    page.wait_for_selector("#ops-map[data-units]")
    page.wait_for_selector("#ops-map[data-live='1']", state="attached")
    assert int(page.locator("#ops-map").get_attribute("data-units")) >= 9
    page.keyboard.press("n")
    assert page.locator("#c-new-card").is_visible()
    page.get_by_label("Commune", exact=True).last.select_option(label="Mennecy")
    # Open ground near the same spot: a camera's or a unit's marker there would take the click for itself.
    click_open_ground(page, page.locator("#ops-map").bounding_box(),
                      [(0.62, 0.3), (0.6, 0.32), (0.64, 0.28), (0.58, 0.3), (0.62, 0.34), (0.66, 0.3)])
    assert page.locator("#n-lat").input_value()
    page.wait_for_load_state("networkidle")  # the commune follows the clicked point
    page.get_by_label("Type").select_option(label="Accident matériel")
    page.get_by_label("Description").fill("Deux véhicules, pas de blessé.")
    page.get_by_role("button", name="Créer").click()
    error = page.locator("#c-new-error")
    page.wait_for_selector("#c-detail:not([hidden]), #c-new-error:not([hidden])")
    assert error.is_hidden(), error.text_content()
    page.wait_for_selector("#c-reco li")
    first = page.locator("#c-reco li").first.text_content()
    assert "vol d'oiseau" in first and "par la route" in first
    page.screenshot(path=str(OUTPUT / "console-recommendation.png"))
    page.keyboard.press("1")
    page.wait_for_selector("#c-units li:has-text('engagée sur')")
    page.screenshot(path=str(OUTPUT / "console-engaged.png"))
    # A description with a forbidden category is stopped until the operator confirms.
    page.keyboard.press("n")
    click_open_ground(page, page.locator("#ops-map").bounding_box(),
                      [(0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.4, 0.6), (0.6, 0.4), (0.5, 0.35), (0.35, 0.5)])
    assert page.locator("#n-lat").input_value()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Description").fill("Le requérant, musulman pratiquant, signale des insultes.")
    page.get_by_role("button", name="Créer").click()
    page.wait_for_selector("#c-new-error:not([hidden])")
    assert "données interdites" in page.locator("#c-new-error").text_content()
    assert page.locator("#n-ack-row").is_visible()
    page.close()


def test_field_page_on_a_phone(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "policier", viewport={"width": 390, "height": 844}, is_mobile=True,
                 has_touch=True)
    page.goto(f"{demo_server}/agents/terrain/")
    assert page.get_by_role("heading", name=re.compile("PM Mennecy 1")).is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scroll on a phone: {width}px"
    page.get_by_role("button", name=re.compile("Pause")).click()
    expect(page.locator("#f-status")).to_contain_text("Pause")
    page.get_by_label("Texte").fill("Patrouille pédestre centre-ville, RAS.")
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.locator("#f-entry-status")).to_contain_text("enregistrée")  # answered on the page, no reload
    assert page.url == f"{demo_server}/agents/terrain/"
    page.screenshot(path=str(OUTPUT / "field-phone.png"), full_page=True)
    page.close()


def test_elected_official_reads_hot_spots_and_near_repeats(demo_server, browser):
    """An élu asks two analyses of the demo burglaries from the form and reads the map and the Knox table;
    then the same on a phone: nothing wider than the screen except the scrollable tables."""
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "elu", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Analyses").click()
    for kind, check in [("hotspots", "#analysis-map canvas"), ("near_repeat", "table.knox")]:
        page.goto(f"{demo_server}/agents/analyse/")
        page.get_by_role("combobox", name="Analyse").select_option(kind)
        page.get_by_label("Ou un jeu de données importé").select_option(index=1)
        page.get_by_label("Mennecy").check()
        page.locator("#id_start").fill("2024-12-01")
        page.get_by_role("spinbutton", name="Permutations (Monte Carlo)").fill("199")
        page.get_by_role("button", name="Lancer l'analyse").click()
        page.wait_for_selector(check, timeout=60_000)
        page.screenshot(path=str(OUTPUT / f"analytics-{kind}.png"), full_page=True)
    assert "même lieu" in page.content()
    page.get_by_role("link", name="Tableau complet (CSV)").focus()
    assert page.evaluate("document.activeElement.textContent").startswith("Tableau complet")
    phone = login(browser, demo_server, "elu", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(page.url)
    phone.screenshot(path=str(OUTPUT / "analytics-knox-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    phone.goto(f"{demo_server}/agents/analyse/indicateurs/")
    phone.get_by_role("button", name="Afficher").click()
    assert phone.get_by_text("Non disponible").first.is_visible()
    phone.screenshot(path=str(OUTPUT / "analytics-indicators-phone.png"), full_page=True)
