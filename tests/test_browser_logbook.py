"""Chromium on the main courante: the form opens on the agent's commune and its nature list follows the commune
chosen (entry-form.js); the console's logbook list shows dates with times, newest first. Screenshots go to
test-output/."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT
from tests.test_browser_flows import login

pytestmark = pytest.mark.browser


def test_logbook_form_natures_follow_the_commune(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "policier", viewport={"width": 390, "height": 844}, is_mobile=True,
                 has_touch=True)
    page.goto(f"{demo_server}/agents/main-courante/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mennecy")  # his crew's commune
    commune = page.locator("#l-new select[name='commune']")
    expect(commune.locator("option:checked")).to_have_text("Mennecy")
    first = page.locator("#l-new select[name='nature'] option").first
    mennecy_value = first.get_attribute("value")
    commune.select_option(label="Ormoy")
    expect(first).not_to_have_attribute("value", mennecy_value or "")
    expect(page.locator("#l-new select[name='nature'] option").first).to_have_text(re.compile(r"\w"))
    page.screenshot(path=str(OUTPUT / "logbook-phone.png"), full_page=True)
    page.close()


def test_console_logbook_list_has_dates_newest_first(demo_server, browser):
    page = login(browser, demo_server, "operateur", viewport={"width": 1366, "height": 768})
    earlier = (datetime.now(ZoneInfo("Europe/Paris")) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    numbers = []
    for text, occurred_at in [("Patrouille au marché, RAS.", ""), ("Passage au parc, RAS.", earlier)]:
        page.goto(f"{demo_server}/agents/main-courante/")
        page.get_by_label("Texte").fill(text)
        if occurred_at:
            page.get_by_label("Heure des faits").fill(occurred_at)
        page.get_by_role("button", name="Enregistrer l'entrée").click()
        expect(page.locator(".messages")).to_contain_text("enregistrée")
        numbers.append(re.search(r"MC-\d{5}-\d{4}-\d{6}", page.locator(".messages").inner_text()).group(0))
    page.goto(f"{demo_server}/agents/console/")
    items = page.locator("#c-log li")
    expect(items.first).to_contain_text(re.compile(r"\d{2}/\d{2}.{1,4}\d{2}:\d{2} MC-\d{5}-\d{4}-\d{6}"))
    stamps = [int(items.nth(index).get_attribute("data-at") or 0) for index in range(items.count())]
    assert stamps == sorted(stamps, reverse=True)
    texts = [items.nth(index).inner_text() for index in range(items.count())]
    now_row = next(i for i, t in enumerate(texts) if numbers[0] in t)
    earlier_row = next(i for i, t in enumerate(texts) if numbers[1] in t)
    assert now_row < earlier_row  # written last but earlier in time: it comes after
    page.close()
