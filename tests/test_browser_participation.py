"""Chromium: an élu names a referent, who posts an observation from the phone page (390 px) of their private link;
the police agent's Participation citoyenne page, open meanwhile, shows it live. A name in the free text is warned
first. Screenshots in test-output/."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT
from tests.test_browser_flows import login

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_referent_posts_from_a_phone_and_the_police_see_it_live(demo_server, browser):
    OUTPUT.mkdir(exist_ok=True)
    elected = login(browser, demo_server, "elu", viewport={"width": 1280, "height": 900})
    elected.goto(f"{demo_server}/prevention/participation/")
    expect(elected.locator("[data-protocol-reminder]").first).to_contain_text("prend fin")
    elected.locator("#referent-sector").select_option(label="Mennecy — Centre-ville")
    elected.locator("#referent-first_name").fill("Odile")
    elected.locator("#referent-last_name").fill("Essai")
    elected.locator("#referent-email").fill("odile@demo.confiance.invalid")
    elected.get_by_role("button", name="Nommer").click()
    link = elected.locator("#new-link code").inner_text()
    path = urlparse(link).path

    police = login(browser, demo_server, "policier", viewport={"width": 1280, "height": 900})
    police.goto(f"{demo_server}/prevention/participation/")
    expect(police.locator("#obs-live")).to_have_text("En direct.", timeout=10000)
    before = police.locator("#obs-rows tr[data-observation]").count()

    referent = browser.new_page(locale="fr-FR", **PHONE)
    referent.goto(f"{demo_server}{path}")
    expect(referent.get_by_role("heading", name="Transmettre une observation")).to_be_visible()
    form = referent.locator("#observation-form")
    lat, lon = form.get_attribute("data-lat"), form.get_attribute("data-lon")
    referent.get_by_label("Qu'avez-vous observé ?").select_option(label="Véhicule qui semble faire des repérages")
    referent.locator("#id_lat").fill(lat)
    referent.locator("#id_lon").fill(lon)
    referent.get_by_label("Véhicule", exact=True).select_option(label="Camionnette, utilitaire")
    referent.get_by_label("Couleur du véhicule").select_option(label="Blanc")
    referent.get_by_label("Direction prise").select_option(label="Vers le nord")
    referent.get_by_label("Précisions sur les faits").fill("J'ai reconnu M. Bernard au volant.")
    referent.get_by_role("button", name="Transmettre à la police municipale").click()
    expect(referent.locator("#obs-errors")).to_contain_text("nom d'une personne")
    referent.screenshot(path=str(OUTPUT / "participation-referent-warning.png"), full_page=True)
    referent.get_by_label("Précisions sur les faits").fill("Passe trois fois au ralenti devant les pavillons.")
    referent.get_by_role("button", name="Transmettre à la police municipale").click()
    expect(referent.locator(".messages")).to_contain_text("Observation transmise")
    expect(referent.locator("#my-observations")).to_contain_text("Reçue")
    assert referent.locator("#observation-form").bounding_box()["width"] <= 390  # the form fits the phone
    referent.screenshot(path=str(OUTPUT / "participation-referent-phone.png"), full_page=True)

    expect(police.locator("#obs-rows tr[data-observation]")).to_have_count(before + 1, timeout=10000)
    expect(police.locator("#obs-rows tr").first).to_contain_text("Véhicule qui semble faire des repérages")
    police.screenshot(path=str(OUTPUT / "participation-police-live.png"), full_page=True)
