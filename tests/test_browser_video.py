"""Chromium on the review queue: a Frigate event stored through the worker's parse and store appears live in the
operator's queue and in the console's count, without a reload; the operator dismisses it; phone width."""

import subprocess

import pytest

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, server_process, throwaway_database
from tests.conftest import OUTPUT

pytestmark = pytest.mark.browser
PASSWORD = "confiance-demo"

FIRE = """
import json, time
from confiance.devices.adapters.frigate.parsing import parse_event
from confiance.devices.choices import DetectionSource
from confiance.devices.services.video import detections_store
after = {"id": "browser-%s" % time.time(), "camera": "cam-gare-mennecy-parvis", "label": "fire", "top_score": 0.93,
         "start_time": time.time() - 2, "current_zones": ["parvis"], "sub_label": ["Nom Planté", 0.9]}
detections_store([parse_event(json.dumps({"type": "new", "after": after}).encode())], source=DetectionSource.FRIGATE)
"""


def shell(env, code: str) -> None:
    subprocess.run([CONFIANCE, "shell", "-c", code], env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)


@pytest.fixture(scope="module")
def video_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-video")
    with throwaway_database(folder) as env, server_process(env) as base:
        yield base, env


def _login(page, base):
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("operateur")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/agents/")


def test_a_detection_reaches_the_queue_live_and_is_dismissed(video_server, browser):
    base, env = video_server
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(locale="fr-FR", viewport={"width": 390, "height": 844})
    _login(page, base)
    page.goto(f"{base}/agents/video-analyse/")
    page.wait_for_selector("#video-queue[data-loaded='1']", state="attached")
    assert page.locator("#video-queue li[data-detection]").count() == 0
    page.wait_for_timeout(500)  # the stream open
    shell(env, FIRE)
    item = page.locator("#video-queue li.live-new")
    item.wait_for(timeout=10000)
    assert "Départ de feu" in item.text_content() and "Nom Planté" not in page.content()
    assert page.locator("#video-count").text_content() == "1"
    page.screenshot(path=str(OUTPUT / "video-review-live.png"), full_page=True)
    item.get_by_role("button", name="Écarter (fausse alerte)").click()
    page.wait_for_selector("#video-queue li.empty", timeout=5000)
    assert page.locator("#video-count").text_content() == "0"
    page.close()


def test_the_console_counts_pending_detections_live(video_server, browser):
    base, env = video_server
    page = browser.new_page(locale="fr-FR", viewport={"width": 1600, "height": 900})
    _login(page, base)
    page.goto(f"{base}/agents/console/")
    page.wait_for_selector("#video-console[data-loaded='1']", state="attached")
    page.wait_for_selector("#ops-map[data-live='1']", state="attached")
    before = int(page.locator("#c-video-count").text_content())
    shell(env, FIRE)
    page.wait_for_selector(f"#c-video-count:text-is('{before + 1}')", timeout=10000)
    page.close()
