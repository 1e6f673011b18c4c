"""Chromium on population alerts: the operator drafts an alert with its area drawn on the map and submits it; the
élu approves and sends it; the public page shows it first, instructions first, readable at 200 % zoom (a 640 px
wide window at device scale 2, as a 1280 px screen zoomed twice) and in forced high-contrast colours."""

import pytest

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


def test_draft_drawn_approved_by_a_second_person_then_public(demo_server, browser):
    base = demo_server
    OUTPUT.mkdir(exist_ok=True)
    operator = login(browser, base, "operateur", viewport={"width": 390, "height": 844})
    operator.goto(f"{base}/agents/alertes/")
    operator.get_by_role("link", name="Nouvelle alerte — Mennecy").click()
    operator.get_by_role("link", name="Inondation").first.click()
    operator.wait_for_url("**template=*")
    assert operator.locator("#id_headline").input_value()  # prefilled from the template
    operator.wait_for_selector("#alert-map[data-ready='1']")
    operator.get_by_role("button", name="Tracer un polygone").click()
    box = operator.locator("#alert-map").bounding_box()
    for dx, dy in ((0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7)):
        operator.locator("#alert-map").click(position={"x": box["width"] * dx, "y": box["height"] * dy})
    operator.get_by_role("button", name="Terminer la forme").click()
    assert operator.locator("#draw-count").text_content().startswith("1 ")
    operator.locator("#id_area_description").fill("Quartier du Moulin")
    operator.screenshot(path=str(OUTPUT / "alerts-draft-phone.png"), full_page=True)
    operator.get_by_role("button", name="Enregistrer le brouillon").click()
    operator.get_by_role("button", name="Soumettre à validation").click()
    operator.wait_for_selector("text=une autre personne doit la valider")
    assert operator.get_by_role("button", name="Valider et diffuser").count() == 0
    detail_url = operator.url
    operator.close()

    elu = login(browser, base, "elu", viewport={"width": 1280, "height": 900})
    elu.goto(detail_url)
    elu.get_by_role("button", name="Valider et diffuser").click()
    elu.wait_for_selector("text=Alerte validée et publiée")
    elu.close()

    public = browser.new_page(locale="fr-FR", viewport={"width": 640, "height": 900}, device_scale_factor=2)
    public.goto(f"{base}/alertes/91386/")
    card = public.locator(".alerts-current .alert-card").first
    assert "Que faire" in card.text_content()
    assert public.locator("body").bounding_box()["width"] <= 640  # no sideways scrolling at 200 %
    assert card.bounding_box()["width"] <= 640
    public.screenshot(path=str(OUTPUT / "alerts-public-200pct.png"), full_page=True)
    public.emulate_media(forced_colors="active")
    public.screenshot(path=str(OUTPUT / "alerts-public-forced-colors.png"), full_page=True)
    assert public.get_by_role("heading", name="Archives").is_visible()
    assert public.get_by_text("Canicule : protégez-vous de la chaleur").is_visible()  # the demo's past alert
    public.close()


def test_console_panel_of_received_alerts_and_push_refusal_on_the_subscription_page(demo_server, browser):
    base = demo_server
    operator = login(browser, base, "operateur", viewport={"width": 1280, "height": 900})
    errors = []
    operator.on("pageerror", lambda error: errors.append(str(error)))
    operator.goto(f"{base}/agents/console/")
    operator.wait_for_selector("#incoming-alerts-console[data-loaded]")
    assert operator.locator("#c-incoming-list li").count() >= 1  # a received alert, or the French "none" line
    assert not errors
    operator.close()

    public = browser.new_page(locale="fr-FR")
    public.goto(f"{base}/alertes/abonnement/")
    button = public.locator("#subscribe-push-button")
    if button.is_visible():  # headless Chromium has push; the permission is refused without a prompt
        button.click()
        public.wait_for_selector("#subscribe-push[data-state='refused']")
    status = public.locator("#subscribe-push-status").text_content()
    assert "courriel ou le SMS" in status
    assert public.locator("#id_email").is_enabled()
    public.close()
