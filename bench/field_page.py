"""Field page: from the operator's request to what the agent's phone shows, through the live stream.

A demo server; Chromium as the policier on a 390 x 844 phone with the field page open; the operator, in another
session, engages the agent's unit on a new intervention (taking it off the previous one) and sends the crew a
message, ROUNDS times each. Latency: from the moment the operator's request leaves to the moment the page's DOM shows
the mission number or the message (the page stamps it with a MutationObserver; browser and bench share this
machine's clock). Goal: within a second (issue 15), p50 and p99 per kind.

BENCH_SMOKE=1: 3 rounds of each; a round that never shows is fatal.
"""

import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import SMOKE, bench_databases, emit, engine_database_url, smoke_check

from confiance.core.testing import login_client, server_process, throwaway_database

BENCH = "field_page"
ROUNDS = 3 if SMOKE else 40
PASSWORD = "confiance-demo"
CHROMIUM = "/usr/bin/chromium"
# The page stamps, with the browser's wall clock, each change of the mission card's and the message list's text
# (the page may replace the elements themselves, so the whole body is observed).
OBSERVER = """() => {
  window.__stamps = [];
  const last = {};
  const look = () => {
    for (const id of ["f-mission", "f-messages"]) {
      const text = (document.getElementById(id) || {}).textContent || "";
      if (text !== last[id]) { last[id] = text; window.__stamps.push({id, at: Date.now(), text}); }
    }
  };
  look();
  new MutationObserver(look).observe(document.body,
                                     {childList: true, subtree: true, characterData: true, attributes: true});
}"""


def operator(base: str):
    client = login_client(base, "operateur", PASSWORD)
    headers = {"X-CSRFToken": client.cookies["csrftoken"]}

    def call(method: str, path: str, body=None):
        response = client.request(method, f"/api/v1/operations/{path}", json=body, headers=headers)
        smoke_check(response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:200]}")
        return response.json()

    return client, call


def intervention_type(client, commune_id: int) -> int:
    page = client.get("/agents/console/").text
    types = json.loads(re.search(r'<script id="ops-types" type="application/json">(.*?)</script>', page, re.S)[1])
    return next(t["id"] for t in types if t["commune_id"] == commune_id)


def shown_at(page, element: str, text: str, timeout: float = 10.0) -> float | None:
    """The browser's wall-clock time (s) of the first change of `element` that shows `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamps = page.evaluate("() => window.__stamps")
        found = [s["at"] for s in stamps if s["id"] == element and text in s["text"]]
        if found:
            return min(found) / 1000
        page.wait_for_timeout(20)
    return None


def measure(base: str, engine: str) -> None:
    from playwright.sync_api import sync_playwright

    client, call = operator(base)
    unit = next(u for u in call("GET", "units?commune=91386") if u["name"] == "PM Mennecy 1")
    kind = intervention_type(client, unit["commune_id"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
        page.goto(f"{base}/comptes/connexion/")
        page.get_by_label("Identifiant").fill("policier")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{base}/agents/")
        page.goto(f"{base}/agents/terrain/")
        page.wait_for_selector("#f-unit[data-live='1']", state="attached", timeout=30000)
        page.evaluate(OBSERVER)
        missions, messages = [], []
        for number in range(ROUNDS):
            intervention = call("POST", "interventions", {
                "commune": "91386", "type_id": kind, "lat": 48.566, "lon": 2.437, "address": "Place de la Mairie",
                "description": f"Mesure de la page terrain, appel {number + 1}."})
            sent = time.time()
            call("POST", f"interventions/{intervention['id']}/engage",
                 {"unit_id": unit["id"], "override_reason": "Mesure de la page terrain"})
            shown = shown_at(page, "f-mission", intervention["number"])
            smoke_check(shown is not None, f"mission {intervention['number']} never shown")
            if shown is not None:
                missions.append((shown - sent) * 1000)
            text = f"Message de mesure numéro {number + 1}."
            sent = time.time()
            call("POST", f"units/{unit['id']}/messages", {"text": text})
            shown = shown_at(page, "f-messages", text)
            smoke_check(shown is not None, f"message {number + 1} never shown")
            if shown is not None:
                messages.append((shown - sent) * 1000)
            page.wait_for_timeout(100)
        browser.close()
    client.close()
    for kind_name, values in (("mission", missions), ("message", messages)):
        array = np.array(values or [float("nan")])
        emit(BENCH, f"{kind_name}_p50", round(float(np.percentile(array, 50)), 1), "ms", database=engine,
             rounds=ROUNDS, shown=len(values))
        emit(BENCH, f"{kind_name}_p99", round(float(np.percentile(array, 99)), 1), "ms", database=engine,
             rounds=ROUNDS, shown=len(values), max=round(float(array.max()), 1), goal="< 1000", smoke=SMOKE)


def run(engine: str, folder: Path) -> None:
    with engine_database_url(engine), throwaway_database(folder) as env, \
                server_process({**env, "CONFIANCE_LOG_LEVEL": "WARNING"}) as base:
        measure(base, engine)


def main() -> None:
    for engine in bench_databases(BENCH, "sqlite,postgres"):
        with tempfile.TemporaryDirectory() as folder:
            run(engine, Path(folder))


if __name__ == "__main__":
    main()
