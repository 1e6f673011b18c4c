"""Chromium on a phone (390 x 844): the field agent's page stays open while the operator, in another session,
engages the agent's unit and sends it a message; both appear on the page without a reload. The main courante form
answers on the page itself: the forbidden-category warning, then the confirmation. Screenshot in test-output/."""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from confiance.core.testing import login_client, server_process, throwaway_database
from tests.conftest import OUTPUT
from tests.test_browser_flows import PASSWORD, login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def field_server(tmp_path_factory):
    """A demo server of its own: the engagements made here must not change the figures other browser tests read."""
    folder = tmp_path_factory.mktemp("browser-field")
    with throwaway_database(folder) as env, server_process(env) as base:
        yield base


def operator_api(base):
    client = login_client(base, "operateur", PASSWORD)
    headers = {"X-CSRFToken": client.cookies["csrftoken"]}

    def call(method, path, body=None):
        response = client.request(method, f"/api/v1/operations/{path}", json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response.json()

    return client, call


def a_mennecy_type(client) -> int:
    page = client.get("/agents/console/").text
    types = json.loads(re.search(r'<script id="ops-types" type="application/json">(.*?)</script>', page, re.S)[1])
    units = client.get("/api/v1/operations/units", params={"commune": "91386"}).json()
    commune_id = next(unit["commune_id"] for unit in units)
    return next(t["id"] for t in types if t["commune_id"] == commune_id)


def test_field_page_receives_its_mission_and_messages_live(field_server, browser):
    demo_server = field_server
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "policier", viewport={"width": 390, "height": 844}, is_mobile=True,
                 has_touch=True)
    page.goto(f"{demo_server}/agents/terrain/")
    page.wait_for_selector("#f-unit[data-live='1']", state="attached")
    client, call = operator_api(demo_server)
    unit = next(u for u in call("GET", "units?commune=91386") if u["name"] == "PM Mennecy 1")
    intervention = call("POST", "interventions", {
        "commune": "91386", "type_id": a_mennecy_type(client), "lat": 48.566, "lon": 2.437,
        "address": "Place de la Mairie", "description": "Différend de voisinage, deux personnes."})
    started = time.monotonic()
    # Another operator may have engaged the unit, or the agent paused it: the override carries its reason.
    call("POST", f"interventions/{intervention['id']}/engage",
         {"unit_id": unit["id"], "override_reason": "Essai de la page terrain"})
    expect(page.locator("#f-mission")).to_contain_text(intervention["number"], timeout=5000)
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"the mission took {elapsed:.2f} s to appear"
    expect(page.locator("#f-mission")).to_contain_text("Place de la Mairie")
    expect(page.locator("#f-message")).to_contain_text("Nouvelle mission")

    # The operator writes to the crew from the console's message form; the acknowledgement comes back there.
    console = login(browser, demo_server, "operateur", viewport={"width": 1366, "height": 768})
    console.goto(f"{demo_server}/agents/console/")
    console.wait_for_selector("#ops-map[data-live='1']", state="attached")
    expect(console.locator("#m-unit option", has_text="PM Mennecy 1")).to_have_count(1)
    expect(console.locator("#m-ack")).to_be_hidden()
    console.get_by_label("Unité", exact=True).select_option(label="PM Mennecy 1 (Mennecy)")
    console.locator("#m-text").fill("Rappelez le poste en arrivant.")
    console.get_by_role("button", name="Envoyer").click()
    expect(console.locator("#m-status")).to_contain_text("Message envoyé à PM Mennecy 1")
    message = page.locator("#f-messages li").first
    expect(message).to_contain_text("Rappelez le poste en arrivant.", timeout=5000)
    expect(page.locator("#f-message")).to_contain_text("Message du poste")
    message.get_by_role("button", name="Lu").click()
    expect(page.locator("#f-messages li").first).to_contain_text("Lu à")
    expect(console.locator("#m-sent li").first).to_contain_text("lu par Paul Martin", timeout=5000)
    console.screenshot(path=str(OUTPUT / "console-unit-message.png"))
    console.close()

    # The logbook form: its warning and its confirmation on the field page.
    page.get_by_label("Texte").fill("Le requérant, musulman pratiquant, signale des insultes.")
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.locator("#f-entry .warning-box")).to_contain_text("données interdites")
    assert page.url == f"{demo_server}/agents/terrain/"
    page.get_by_label(re.compile("Je confirme")).check()
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.locator("#f-entry-status")).to_contain_text("enregistrée")
    expect(page.locator("#f-entry .warning-box")).to_have_count(0)
    expect(page.locator("#f-mission")).to_contain_text(intervention["number"])  # no reload lost the mission
    page.screenshot(path=str(OUTPUT / "field-live-phone.png"), full_page=True)
    client.close()
    page.close()
