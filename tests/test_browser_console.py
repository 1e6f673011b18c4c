"""The console at 1366 x 768 and 1920 x 1080: it fills the screen, has a legend that explains the status codes in
words, keeps unit labels from overlapping, draws the recommendation once, shows the caller and the chronology, and
lets the operator change a unit's status. Screenshots go to test-output/ (looked at by a person)."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.conftest import OUTPUT
from tests.test_browser_flows import login

pytestmark = pytest.mark.browser
SIZES = [(1366, 768), (1920, 1080)]


def _overlap(a, b) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def _boxes(locator) -> list[dict]:
    boxes = []
    for index in range(locator.count()):
        try:
            box = locator.nth(index).bounding_box(timeout=1000)
        except PlaywrightTimeoutError:  # redrawn meanwhile
            continue
        if box:
            boxes.append(box)
    return boxes


def _labels_apart(page) -> None:
    """No unit name shown in full covers another one, an intervention, a sensor or a commune's name (a crowded one
    shrinks to its dot)."""
    page.wait_for_timeout(500)  # the last declutter pass after the map settled
    boxes = _boxes(page.locator("#ops-map .unit-icon:not(.dot)"))
    others = _boxes(page.locator("#ops-map .leaflet-marker-icon:not(.unit-icon), #ops-map .commune-label"))
    for index, box in enumerate(boxes):
        assert not any(_overlap(box, other) for other in boxes[index + 1:] + others), "a unit label overlaps"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_console_fills_the_screen_with_a_legend_and_no_overlapping_labels(demo_server, browser, width, height):
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "operateur", viewport={"width": width, "height": height})
    page.goto(f"{demo_server}/agents/console/")
    page.wait_for_selector("#ops-map[data-decluttered]", state="attached")
    map_box, side_box = page.locator("#ops-map").bounding_box(), page.locator(".console-side").bounding_box()
    assert map_box["x"] + map_box["width"] <= side_box["x"], "map and side panel side by side"
    assert side_box["x"] + side_box["width"] <= width, "nothing wider than the screen"
    assert map_box["width"] >= width * 0.5, f"the map uses the screen: {map_box['width']} of {width}"
    assert map_box["y"] + map_box["height"] <= height, "the map fits the screen's height"
    legend = page.locator(".map-legend")
    expect(legend).to_be_visible()
    if not legend.locator("h3").first.is_visible():
        legend.locator("summary").click()
    expect(legend).to_contain_text("Urgente")
    expect(legend.locator(".legend-statuses")).to_contain_text("Disponible (code radio 1)")
    units = page.locator("#c-units li")
    expect(units.first).to_contain_text("Disponible")
    assert not re.search(r"\b\d · ", units.first.text_content()), "status shown as a raw code"
    _labels_apart(page)
    page.screenshot(path=str(OUTPUT / f"console-{width}x{height}.png"))
    page.close()


def test_console_dispatch_caller_chronology_and_unit_status(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "operateur", viewport={"width": 1366, "height": 768})
    page.goto(f"{demo_server}/agents/console/")
    page.wait_for_selector("#ops-map[data-live='1']", state="attached")
    page.keyboard.press("n")
    page.get_by_role("button", name="Créer").click()  # no point on the map yet: said in words, nothing sent
    expect(page.locator("#c-new-error")).to_have_text(
        "Placez l'intervention : cliquez sur la carte ou choisissez une adresse.")
    page.locator("#n-commune").select_option(label="Mennecy")
    page.locator("#n-lat").fill("48.566")
    page.locator("#n-lon").fill("2.438")
    page.get_by_label("Type").select_option(label="Tapage")
    page.get_by_label("Nom du requérant").fill("Mme Durand")
    page.get_by_label("Téléphone du requérant").fill("06 12 34 56 78")
    page.get_by_role("button", name="Créer").click()
    expect(page.locator("#c-detail")).to_be_visible()
    expect(page.locator("#c-caller")).to_contain_text("Mme Durand")
    expect(page.locator("#c-chronology")).to_contain_text("Ouverture")
    page.wait_for_selector("#c-reco li")
    page.wait_for_timeout(1500)  # live events may ask for the recommendation again: it must still be drawn once
    names = [item.locator("strong").text_content() for item in page.locator("#c-reco li").all()]
    assert names and len(names) == len(set(names)), names
    expect(page.locator("#c-reco-mode")).to_contain_text("réseau routier")
    assert page.locator("#c-reco li").first.text_content().index("par la route") < \
        page.locator("#c-reco li").first.text_content().index("vol d'oiseau")
    expect(page.locator("#c-reco-none")).to_be_hidden()
    summary = page.locator("#c-excluded").locator("..").locator("summary").bounding_box()
    closure = page.get_by_text("Motif de clôture", exact=True).bounding_box()
    assert closure["y"] - (summary["y"] + summary["height"]) >= 8, "the two headings touch"
    page.keyboard.press("1")
    expect(page.locator("#c-chronology")).to_contain_text("Engagement")
    expect(page.locator("#c-detail-body")).to_contain_text("En cours")
    page.locator("#c-excluded").locator("..").locator("summary").click()
    engaged_here = page.locator("#c-excluded li", has_text="engagée sur")
    expect(engaged_here.first).to_be_visible()
    expect(engaged_here.first.get_by_role("button")).to_have_count(0)  # no "réaffecter" for this intervention
    href = page.locator("#c-sheet").get_attribute("href")
    sheet = page.request.get(f"{demo_server}{href}")
    assert sheet.status == 200 and sheet.headers["content-type"] == "application/pdf"
    page.screenshot(path=str(OUTPUT / "console-detail-1366x768.png"))
    row = page.locator("#c-units li", has_text="PM Ballancourt 1")
    row.get_by_role("button", name=re.compile("Changer le statut")).click()
    page.locator("#c-status-select").select_option(label="Pause / indisponible (code radio 5)")
    page.locator("#c-units").get_by_role("button", name="Valider").click()
    expect(page.locator("#c-units li", has_text="PM Ballancourt 1")).to_contain_text("Pause")
    page.close()
