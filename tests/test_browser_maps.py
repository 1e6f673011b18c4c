"""A real Chromium on the demo without tiles: every map draws its own base (roads, outlines, street names), and the
address box moves the citizen's marker and the console's map. Screenshots go to test-output/."""

import pytest
from playwright.sync_api import expect

from confiance.core.testing import free_port, server_process, throwaway_database
from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser


def _login(page, base, username):
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill("confiance-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")


def test_citizen_map_draws_streets_and_the_address_box_places_the_marker(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.goto(f"{demo_server}/signaler/")
    expect(page.locator("#report-map")).to_have_attribute("data-basemap", "drawn")
    page.wait_for_selector("#report-map[data-basemap-roads]")
    assert int(page.locator("#report-map").get_attribute("data-basemap-roads")) > 100
    # The drawn base: road casings and fills, commune outlines, as SVG paths in its own pane under the others.
    expect(page.locator(".leaflet-confianceBase-pane svg path").first).to_be_attached()
    assert page.locator(".leaflet-confianceBase-pane svg path").count() >= 4
    box = page.get_by_role("combobox", name="Rechercher une adresse")
    box.fill("3 rue des ecoles")
    option = page.locator("#address-search-list").get_by_role("option").first
    expect(option).to_contain_text("3 Rue des Écoles")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#id_lat")).not_to_have_value("")
    expect(page.locator("#id_address")).to_have_value(box.input_value())
    expect(page.locator("#report-map .leaflet-marker-icon").first).to_be_visible()
    # Zoomed on the address: the street names of the address file are drawn.
    page.wait_for_selector("#report-map[data-basemap-labels]")
    expect(page.locator(".basemap-label").filter(has_text="Rue des Écoles").first).to_be_attached()
    page.screenshot(path=str(OUTPUT / "map-citizen-address.png"), full_page=True)
    page.close()


def test_console_and_territory_maps_are_never_grey(demo_server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    _login(page, demo_server, "operateur")
    page.goto(f"{demo_server}/agents/territoire/")
    page.wait_for_selector("#territory-map[data-basemap-roads]")
    page.screenshot(path=str(OUTPUT / "map-territory-drawn.png"))
    page.goto(f"{demo_server}/agents/console/")
    page.wait_for_selector("#ops-map[data-basemap-roads]")
    assert page.locator("#ops-map .leaflet-confianceBase-pane svg path").count() >= 4
    box = page.get_by_role("combobox", name="Rechercher une adresse")
    box.fill("avenue du general de gaulle menn")
    expect(page.locator("#c-address-search-list").get_by_role("option").first).to_contain_text(
        "Avenue du Général de Gaulle")
    box.press("Enter")
    expect(page.locator("#ops-map .leaflet-tooltip").filter(has_text="Avenue du Général de Gaulle")).to_be_visible()
    # The base followed the zoom: the street names of the address file are drawn around the address.
    names = page.locator("#ops-map .basemap-label").filter(has_text="Avenue du Général de Gaulle")
    expect(names.first).to_be_attached()
    page.wait_for_timeout(500)  # the roads of the new view, fetched with the names
    page.screenshot(path=str(OUTPUT / "map-console-address.png"))
    page.close()


@pytest.fixture(scope="module")
def tiles_server(tmp_path_factory):
    """The demo with a tile URL that cannot be reached (nothing listens there), as on an isolated network."""
    port = free_port()
    folder = tmp_path_factory.mktemp("tiles")
    tiles = f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"
    with throwaway_database(folder, {"CONFIANCE_TILE_URL": tiles,
                                     "CONFIANCE_TILE_ATTRIBUTION": "Tuiles de test"}) as env, \
            server_process(env) as base:
        yield base, port


def test_configured_tiles_are_used_and_the_drawn_base_comes_when_they_fail(tiles_server, browser):
    base, port = tiles_server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    response = page.goto(f"{base}/signaler/")
    assert f"http://127.0.0.1:{port}" in response.headers["content-security-policy"]
    expect(page.locator("#report-map .leaflet-tile-pane img").first).to_be_attached()
    assert page.locator("#report-map .leaflet-tile-pane img").first.get_attribute("src").startswith(
        f"http://127.0.0.1:{port}/")
    expect(page.locator("#report-map .leaflet-control-attribution")).to_contain_text("Tuiles de test")
    page.wait_for_selector("#report-map[data-basemap-roads]")  # the tiles failed: our own base under them
    expect(page.locator("#report-map")).to_have_attribute("data-basemap", "drawn")
    page.close()
