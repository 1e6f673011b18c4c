"""Analytics through a real server: an analyst imports the Chicago burglaries through the page, asks a Knox
test with 999 permutations, and the embedded task worker computes it in the background while the server
keeps answering, with progress readable all along."""

import re
import time

from confiance.core.testing import PROJECT_ROOT, login_client, server_process, throwaway_database

CHICAGO = PROJECT_ROOT / "tests" / "data" / "near-repeat-chicago" / "chicago_burglary_2014_2017.csv"


def test_knox_runs_in_the_background_with_progress(tmp_path):
    with throwaway_database(tmp_path) as env, server_process(env) as base:
        client = login_client(base, "chef", "confiance-demo")
        client.timeout = 60
        page = client.get("/agents/analyse/")
        commune_id = re.search(r'<option value="(\d+)">Mennecy</option>', page.text).group(1)
        response = client.post("/agents/analyse/jeux/", data={
            "csrfmiddlewaretoken": client.cookies["csrftoken"], "name": "Chicago", "commune": commune_id,
            "crs": "EPSG:26971", "tz": "America/Chicago"},
            files={"file": ("chicago.csv", CHICAGO.read_bytes(), "text/csv")})
        assert response.status_code == 302
        home = client.get("/agents/analyse/").text
        assert "Chicago — Mennecy, 45\u00a0319" in home  # grouped as a French reader writes it
        dataset_id = re.search(r'<option value="(\d+)">Chicago \(', home).group(1)
        response = client.post("/api/v1/analytics/runs", headers={"X-CSRFToken": client.cookies["csrftoken"]}, json={
            "kind": "near_repeat", "query": {"communes": ["91386"], "start": "2014-01-01", "end": "2017-12-31",
                                             "dataset_id": int(dataset_id)},
            "options": {"permutations": 999, "spatial_bands": 5, "temporal_bands": 5}})
        assert response.status_code == 201, response.text
        run = response.json()
        assert run["status"] in ("pending", "running")
        seen_progress, served_while_running = set(), 0
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            state = client.get(f"/agents/analyse/resultats/{run['id']}/etat.json").json()
            if state["status"] in ("done", "failed"):
                break
            if state["status"] == "running":
                seen_progress.add(state["progress"])
                # the server answers other requests during the computation
                if client.get("/agents/analyse/").status_code == 200:
                    served_while_running += 1
            time.sleep(0.2)
        assert state["status"] == "done", state
        assert len(seen_progress) >= 3 and served_while_running >= 3
        result = client.get(f"/api/v1/analytics/runs/{run['id']}").json()["result"]["knox"]
        assert result["permutations"] == 999 and result["events"] == 45319
        assert result["knox_ratio"][0][0] > 5  # same place, first week: repeat victimisation
        page = client.get(f"/agents/analyse/resultats/{run['id']}/")
        assert "Test de Knox" in page.text
