"""Chromium as the élu, on a desktop and on a 390 px phone: analyses of the demo burglaries open with a sentence in
plain French, indicators say which way is better, the dataset fixes the commune, and the events' CSV is refused
in French with the 500 m counts offered instead. Screenshots go to test-output/analytics-elu-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def login(browser, base, username, **context):
    page = browser.new_page(locale="fr-FR", **context)
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")
    return page


def ask(page, base, kind, check):
    """Ask an analysis of the demo dataset from the form and wait for its result."""
    page.goto(f"{base}/agents/analyse/")
    page.get_by_role("combobox", name="Analyse").select_option(kind)
    page.get_by_label("Ou un jeu de données importé").select_option(index=1)
    expect(page.locator("#dataset-area")).to_contain_text("Zone analysée : Mennecy")
    expect(page.get_by_label("Mennecy")).to_be_checked()
    expect(page.locator("input[name=sources]").first).to_be_disabled()
    page.get_by_role("spinbutton", name="Permutations (Monte Carlo)").fill("99")
    page.get_by_role("button", name="Lancer l'analyse").click()
    page.wait_for_selector(check, timeout=90_000)
    return page.url


def fits(page, selector="main"):
    """Nothing of the element lies beyond the phone's 390 px (checked from its box, no script evaluated)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 391, box


def visible_text(page) -> str:
    return page.locator("main").inner_text()


def test_elected_official_reads_analyses_in_plain_words(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = login(browser, demo_server, "elu", **DESKTOP)
    knox_url = ask(page, demo_server, "near_repeat", "table.knox")
    headline = page.locator(".headline .lead")
    expect(headline).to_contain_text(re.compile(r"(qui suivent un cambriolage, le risque d'un autre cambriolage est"
                                                r"|Aucune répétition significative)"))
    assert page.get_by_role("link", name="Événements analysés, un par ligne (CSV)").count() == 0
    expect(page.get_by_role("link", name="Nombre d'événements par maille de 500 m (CSV)")).to_be_visible()
    text = visible_text(page)
    assert not ISO_DATE.search(text) and "None" not in text
    page.screenshot(path=str(OUTPUT / "analytics-elu-knox.png"), full_page=True)

    ask(page, demo_server, "time", "#weekly-chart")
    expect(page.locator(".headline")).to_contain_text("période précédente de même durée")
    text = visible_text(page)
    assert not ISO_DATE.search(text), ISO_DATE.findall(text)
    page.screenshot(path=str(OUTPUT / "analytics-elu-trend.png"), full_page=True)

    ask(page, demo_server, "hotspots", "#analysis-map canvas")
    expect(page.locator(".headline .lead")).to_contain_text(re.compile(r"concentre"))
    page.screenshot(path=str(OUTPUT / "analytics-elu-hotspots.png"), full_page=True)

    # the events of the imported burglaries, one per line: refused in French, the 500 m counts offered
    page.goto(knox_url + "evenements.csv")
    expect(page.get_by_role("heading", name="Accès réservé")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("fichiers de la police municipale")
    expect(page.get_by_role("link", name="Nombre d'événements par maille de 500 m (CSV)")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "analytics-elu-refused.png"), full_page=True)

    page.goto(f"{demo_server}/agents/analyse/indicateurs/")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("plus c'est bas, mieux c'est").first).to_be_visible()
    expect(page.get_by_text("plus c'est haut, mieux c'est").first).to_be_visible()
    assert not ISO_DATE.search(visible_text(page))
    page.screenshot(path=str(OUTPUT / "analytics-elu-indicators.png"), full_page=True)
    page.close()

    phone = login(browser, demo_server, "elu", **PHONE)
    phone.goto(knox_url)
    expect(phone.locator(".headline .lead")).to_be_visible()
    fits(phone)
    fits(phone, ".headline")
    phone.screenshot(path=str(OUTPUT / "analytics-elu-knox-phone.png"), full_page=True)
    phone.goto(f"{demo_server}/agents/analyse/")
    phone.get_by_label("Ou un jeu de données importé").select_option(index=1)
    expect(phone.locator("#dataset-area")).to_be_visible()
    fits(phone)
    fits(phone, "#dataset-area")
    phone.screenshot(path=str(OUTPUT / "analytics-elu-form-phone.png"), full_page=True)
    phone.goto(f"{demo_server}/agents/analyse/indicateurs/")
    phone.get_by_role("button", name="Afficher").click()
    expect(phone.get_by_text("plus c'est bas, mieux c'est").first).to_be_visible()
    fits(phone)
    phone.screenshot(path=str(OUTPUT / "analytics-elu-indicators-phone.png"), full_page=True)
    phone.close()
