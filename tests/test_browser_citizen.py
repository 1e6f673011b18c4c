"""Chromium on the citizen pages and the agents' bulk closing, on a desktop and a 390 px phone: a refused report
form opens on its error summary (focused, links that move to the field) with the map as the citizen left it (pin and
zoom); the public list of reports draws its map; closing several reports goes through a confirmation page that asks
for the public message. Screenshots go to test-output/."""

import re

import pytest
from playwright.sync_api import expect

from confiance.core.testing import server_process, throwaway_database
from tests.conftest import OUTPUT
from tests.test_browser_flows import login

pytestmark = pytest.mark.browser
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory):
    """A demo with citizen reports (the shared demo server has none)."""
    folder = tmp_path_factory.mktemp("browser-citizen")
    with throwaway_database(folder, {"CONFIANCE_DEMO_REPORTS": "80"}) as env, server_process(env) as base:
        yield base


def assert_no_horizontal_scroll(page, width):
    box = page.locator("main").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"main overflows the screen: {box}"


def assert_fitted(page, map_selector):
    """The communes' outlines fill the map along its limiting side (a fit, not the zoom below it)."""
    page.wait_for_timeout(400)  # the fit's animation
    frame = page.locator(map_selector).bounding_box()
    paths = page.locator(f"{map_selector} .leaflet-overlay-pane path").all()
    boxes = [b for b in (path.bounding_box() for path in paths) if b]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right, bottom = max(b["x"] + b["width"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
    filled = max((right - left) / frame["width"], (bottom - top) / frame["height"])
    assert filled > 0.7, f"the territory fills {filled:.0%} of the map"


@pytest.mark.parametrize("device", DEVICES)
def test_refused_form_focuses_its_summary_and_keeps_the_map(demo_server, browser, device):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(locale="fr-FR", **DEVICES[device])
    page.goto(f"{demo_server}/signaler/")
    page.wait_for_selector("#report-map .leaflet-interactive")
    assert_fitted(page, "#report-map")
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(700)  # the zoom animation, then moveend writes the view into its field
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55)
    expect(page.locator("#commune-name")).not_to_have_text("")
    view = page.locator("#map-view").input_value()
    latitude = page.locator("#id_lat").input_value()
    assert re.fullmatch(r"-?\d+\.\d{5},-?\d+\.\d{5},\d+", view) and latitude
    page.get_by_role("button", name="Envoyer le signalement").click()  # no category chosen
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choisissez une catégorie.")
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    expect(page.locator("#map-view")).to_have_value(view)
    expect(page.locator("#id_lat")).to_have_value(latitude)
    expect(page.locator("#report-map .leaflet-marker-icon")).to_be_visible()
    expect(page.locator("#id_service_code_error")).to_have_text("Choisissez une catégorie.")
    page.screenshot(path=str(OUTPUT / f"report-form-error-summary-{device}.png"), full_page=True)
    assert_no_horizontal_scroll(page, DEVICES[device]["viewport"]["width"])
    summary.get_by_role("link", name="Choisissez une catégorie.").click()
    expect(page.locator("#id_service_code")).to_be_focused()
    page.close()


@pytest.mark.parametrize("device", DEVICES)
def test_public_list_of_reports_with_its_map(reports_server, browser, device):
    demo_server = reports_server
    page = browser.new_page(locale="fr-FR", **DEVICES[device])
    page.goto(f"{demo_server}/")
    page.get_by_role("link", name="Voir les signalements").click()
    page.wait_for_url(f"{demo_server}/signalements/")
    page.wait_for_selector("#public-map[data-loaded]", state="attached")
    assert int(page.locator("#public-map").get_attribute("data-loaded")) > 0
    expect(page.locator("#public-map .leaflet-interactive").first).to_be_attached()
    expect(page.locator("#public-map")).to_have_attribute("data-basemap", re.compile("drawn|tiles"))
    if page.locator("#public-map").get_attribute("data-basemap") == "drawn":  # the platform's own streets
        page.wait_for_selector("#public-map[data-basemap-roads]", state="attached")
        expect(page.locator("#public-map .leaflet-confianceBase-pane path").first).to_be_attached()
    expect(page.locator(".report-cards > li").first).to_be_visible()
    page.screenshot(path=str(OUTPUT / f"reports-public-list-{device}.png"), full_page=True)
    assert_no_horizontal_scroll(page, DEVICES[device]["viewport"]["width"])
    page.close()


@pytest.mark.parametrize("device", DEVICES)
def test_bulk_closing_asks_for_confirmation_and_the_public_message(reports_server, browser, device):
    demo_server = reports_server
    page = login(browser, demo_server, "technicien", **DEVICES[device])
    page.goto(f"{demo_server}/agents/signalements/?etat=open")
    boxes = page.locator("#reports-body input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(page.locator("#bulk-count")).to_have_text("2 signalements sélectionnés.")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("h1")).to_have_text("Clore 2 signalements (service fait) ?")
    page.screenshot(path=str(OUTPUT / f"reports-bulk-confirm-{device}.png"), full_page=True)
    page.get_by_role("button", name="Confirmer : clore 2 signalements").click()  # the browser asks for the message
    expect(page.locator("h1")).to_have_text("Clore 2 signalements (service fait) ?")
    page.get_by_label("Message public envoyé aux citoyens").fill("Intervention faite ce matin. Merci.")
    page.get_by_role("button", name="Confirmer : clore 2 signalements").click()
    expect(page.locator(".messages")).to_contain_text("2 signalements clos (service fait)")
    assert_no_horizontal_scroll(page, DEVICES[device]["viewport"]["width"])
    page.close()
