"""Chromium on the DPO's pages (desktop and a 390 px phone) and the public transparency page: each page renders its
title, the register and the access review answer, a rights request runs end to end, nothing overflows the phone's
width, and no page raises a console error (the CSP refuses inline code). Screenshots in test-output/."""

import pytest

from confiance.core.testing import server_process, throwaway_database
from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def governance_server(tmp_path_factory):
    """The demo, with a patient start (the shared fixture's 30 s are short on a busy machine)."""
    folder = tmp_path_factory.mktemp("browser-governance")
    with throwaway_database(folder) as env, server_process(env, start_seconds=180) as base:
        yield base


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")


@pytest.mark.parametrize("layout", list(VIEWPORTS))
def test_the_dpo_walks_through_the_governance_pages(governance_server, browser, layout):
    base = governance_server
    OUTPUT.mkdir(exist_ok=True)
    context = browser.new_context(locale="fr-FR", viewport=VIEWPORTS[layout])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _login(page, base, "dpo")
    page.get_by_role("link", name="Vie privée").first.click()
    page.wait_for_url(f"{base}/agents/vie-privee/")
    for path, title in [("/agents/vie-privee/registre/", "Registre des activités de traitement"),
                        ("/agents/vie-privee/consultations/", "Consultations des fiches"),
                        ("/agents/vie-privee/conservation/", "Durées de conservation"),
                        ("/agents/vie-privee/violations/", "Registre des violations"),
                        ("/agents/vie-privee/demandes/", "Demandes d'exercice des droits")]:
        page.goto(f"{base}{path}")
        assert title in page.locator("h1").inner_text()
        page.screenshot(path=str(OUTPUT / f"governance-{layout}-{path.strip('/').split('/')[-1]}.png"),
                        full_page=True)
        width = page.locator("main").bounding_box()["width"]
        assert width <= VIEWPORTS[layout]["width"] + 1, (path, width)
    page.get_by_label("Droit exercé").select_option("access")
    page.get_by_label("Courriel").fill("personne.inconnue@example.org")
    page.get_by_role("button", name="Enregistrer").last.click()
    page.wait_for_url("**/demandes/*/")
    page.get_by_role("button", name="Rechercher la personne (consultation journalisée)").click()
    assert page.locator(".nothing-found").is_visible()
    page.screenshot(path=str(OUTPUT / f"governance-{layout}-request.png"), full_page=True)
    page.goto(f"{base}/transparence/91386/")
    assert "Exercer vos droits" in page.content()
    page.screenshot(path=str(OUTPUT / f"governance-{layout}-transparency.png"), full_page=True)
    assert not errors, errors
    context.close()
