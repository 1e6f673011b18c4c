"""Police operations through real processes: GPS trackers over HTTP, the engage race on PostgreSQL, the console
receiving a unit's move and status live."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from confiance.core.testing import PROJECT_ROOT, login_client, server_process, throwaway_database
from conftest import require_service
from tests.test_live_events import StreamReader

PASSWORD = "confiance-demo"
PG_URL = os.environ.get("CONFIANCE_PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def test_trackers_store_positions_and_refuse_bad_ones(tmp_path):
    with throwaway_database(tmp_path) as env, server_process(env) as base:
        now = int(time.time())
        good = {"id": "demo-traceur-1", "key": "demo-tracker-key", "lat": "48.5662", "lon": "2.4301",
                "timestamp": str(now), "speed": "10", "accuracy": "6"}
        response = httpx.get(f"{base}/positions/osmand", params=good)
        assert response.status_code == 200 and response.json() == {"accepted": 1}
        # Traccar Client posts the same fields as a form.
        response = httpx.post(f"{base}/positions/osmand", data={**good, "lat": "48.5663", "timestamp": str(now + 1)})
        assert response.status_code == 200
        owntracks = {"_type": "location", "lat": 48.5664, "lon": 2.4302, "tst": now + 2, "acc": 5, "vel": 20}
        auth = ("demo-traceur-1", "demo-tracker-key")
        response = httpx.post(f"{base}/positions/owntracks", json=owntracks, auth=auth)
        assert response.status_code == 200 and response.json() == []
        response = httpx.post(f"{base}/positions/owntracks", json={"_type": "waypoint"},
                              auth=("demo-traceur-1", "demo-tracker-key"))
        assert response.status_code == 200  # not a position: nothing stored, nothing refused
        refused = [
            (httpx.get, {**good, "key": "wrong"}, 401, "traceur_inconnu"),
            (httpx.get, {**good, "lat": "91"}, 400, "coordonnees_invalides"),
            (httpx.get, {**good, "lat": "abc"}, 400, "latitude_invalide"),
            (httpx.get, {**good, "timestamp": str(now + 3600)}, 400, "horodatage_futur"),
            (httpx.get, {**good, "timestamp": "hier"}, 400, "horodatage_invalide"),
            (httpx.get, {**good, "timestamp": str(now - 5 * 86400)}, 400, "horodatage_trop_ancien"),
        ]
        for method, params, status, code in refused:
            response = method(f"{base}/positions/osmand", params=params)
            assert (response.status_code, response.json()["code"]) == (status, code)
        response = httpx.post(f"{base}/positions/owntracks", content=b"{not json",
                              auth=("demo-traceur-1", "demo-tracker-key"))
        assert response.status_code == 400 and response.json()["code"] == "json_invalide"
        response = httpx.post(f"{base}/positions/owntracks", content=b"x" * 20000,
                              auth=("demo-traceur-1", "demo-tracker-key"))
        assert response.status_code == 413
        chef = login_client(base, "chef", PASSWORD)
        units = chef.get("/api/v1/operations/units", params={"commune": "91386"}).json()
        chef.close()
        tracked = next(u for u in units if u["name"] == "PM Mennecy 1")
        assert (tracked["lat"], tracked["lon"], tracked["stale"]) == (48.5664, 2.4302, False)
        counts = _query(env, "from confiance.operations.models import RejectedPosition, UnitPosition;"
                             "print(json.dumps({'stored': UnitPosition.objects.count(), 'refused': "
                             "dict(RejectedPosition.objects.values_list('reason', 'count'))}))")
    assert counts["stored"] == 3
    assert counts["refused"]["coordonnees_invalides"] == 1 and counts["refused"]["traceur_inconnu"] == 1
    assert counts["refused"]["json_invalide"] == 1


def _query(env: dict, code: str):
    script = f"import json, django; django.setup(); {code}"
    result = subprocess.run([sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                            cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


RACE = r'''
import json, sys, time
import django
django.setup()
from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.core.errors import ApplicationError
from confiance.operations.models import Intervention, Unit
from confiance.operations.services.units import assignment_engage

agent = Agent.objects.get(username=sys.argv[1])
intervention = Intervention.objects.get(pk=int(sys.argv[2]))
unit = Unit.objects.get(name="PM Mennecy 2")
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.0005)
try:
    assignment_engage(actor=Actor(agent=agent), intervention=intervention, unit=unit)
    print(json.dumps({"ok": True}))
except ApplicationError as error:
    print(json.dumps({"ok": False, "code": error.code, "message": error.message}))
'''

SETUP_RACE = r'''
from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.operations.models import InterventionType
from confiance.operations.drafts import InterventionDraft
from confiance.operations.services.interventions import intervention_create
from confiance.territory.models import Commune
commune = Commune.objects.get(insee_code="91386")
actor = Actor(agent=Agent.objects.get(username="operateur"))
kind = InterventionType.objects.get(commune=commune, code="tapage")
ids = [intervention_create(actor=actor, commune_id=commune.pk, draft=InterventionDraft(type_id=kind.pk, lat=48.57,
       lon=2.44)).pk for _ in range(2)]
print(json.dumps(ids))
'''


def test_two_operators_engaging_one_unit_on_postgresql(tmp_path, monkeypatch):
    require_service("postgresql")
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    with throwaway_database(tmp_path) as env:
        assert env["DATABASE_URL"].startswith("postgres")
        for attempt in range(3):  # three rounds: the unit is freed between them
            first, second = _query(env, SETUP_RACE)
            start = time.time() + 2.0
            processes = [subprocess.Popen([sys.executable, "-c", RACE, user, str(pk), str(start)],
                                          env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                         for user, pk in (("operateur", first), ("chef", second))]
            results = []
            for process in processes:
                out, err = process.communicate(timeout=60)
                assert process.returncode == 0, err
                results.append(json.loads(out.strip().splitlines()[-1]))
            assert sorted(r["ok"] for r in results) == [False, True], results
            loser = next(r for r in results if not r["ok"])
            assert loser["code"] == "operations_unit_engaged" and "PM Mennecy 2" in loser["message"]
            _query(env, "from confiance.operations.models import Assignment; from django.utils import timezone;"
                        "Assignment.objects.filter(finished_at__isnull=True).update(finished_at=timezone.now());"
                        f"print(json.dumps({attempt}))")


def test_console_receives_moves_and_statuses_live(tmp_path):
    with throwaway_database(tmp_path, {"CONFIANCE_SSE_POLL_SECONDS": "60"}) as env, server_process(env) as base:
        operator, elected = login_client(base, "operateur", PASSWORD), login_client(base, "elu", PASSWORD)
        page = operator.get("/agents/console/")
        assert page.status_code == 200 and "Console opérationnelle" in page.text
        assert elected.get("/agents/console/").status_code == 403
        assert elected.get("/api/v1/operations/units").json() == []
        stream = StreamReader(operator)
        elected_stream = StreamReader(elected)
        httpx.get(f"{base}/positions/osmand", params={"id": "demo-traceur-1", "key": "demo-tracker-key",
                                                      "lat": "48.5701", "lon": "2.4402"})
        moved = stream.wait_for("operations.units_moved")
        assert moved and moved[0]["data"]["payload"]["units"][0]["lat"] == 48.5701
        unit = next(u for u in operator.get("/api/v1/operations/units").json() if u["name"] == "PM Mennecy 2")
        csrf = operator.cookies.get("csrftoken")
        response = operator.post(f"/api/v1/operations/units/{unit['id']}/status", json={"status_code": "5"},
                                 headers={"X-CSRFToken": csrf})
        assert response.status_code == 200, response.text
        changed = stream.wait_for("operations.unit")
        assert changed and changed[0]["data"]["payload"]["status_code"] == "5"
        time.sleep(0.5)
        assert not [m for m in elected_stream.messages() if m.get("event", "").startswith("operations.")]
        stream.stop()
        elected_stream.stop()


def test_roads_import_command_and_bad_files(tmp_path):
    with throwaway_database(tmp_path) as env:
        confiance = str(Path(sys.executable).with_name("confiance"))
        demo = PROJECT_ROOT / "confiance" / "operations" / "demo" / "roads.osm"
        result = subprocess.run([confiance, "roads", "import", str(demo)], env=env, capture_output=True, text=True,
                                cwd=PROJECT_ROOT)
        assert result.returncode == 0 and "tronçons orientés" in result.stdout
        broken = tmp_path / "broken.osm"
        broken.write_text("<osm><way id='1'>", encoding="utf-8")
        result = subprocess.run([confiance, "roads", "import", str(broken)], env=env, capture_output=True, text=True,
                                cwd=PROJECT_ROOT)
        assert result.returncode != 0 and "illisible" in result.stderr
        wrong = tmp_path / "roads.geojson"
        wrong.write_text("{}", encoding="utf-8")
        result = subprocess.run([confiance, "roads", "import", str(wrong)], env=env, capture_output=True, text=True,
                                cwd=PROJECT_ROOT)
        assert result.returncode != 0 and ".osm" in result.stderr


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    monkeypatch.delenv("HTTP_PROXY", raising=False)


def _recommendation(client: httpx.Client, intervention_id: int) -> dict:
    response = client.get(f"/api/v1/operations/interventions/{intervention_id}/recommendation")
    assert response.status_code == 200, response.text
    return response.json()


def _engaged_in(recommendation: dict, name: str) -> bool:
    return any(row["name"] == name and row["reason"].startswith("engagée sur") for row in recommendation["excluded"])


def test_dispatch_index_follows_engagements_in_every_process(tmp_path, redis_url):
    """Two server processes on one database: each keeps its own dispatch index; an engagement made through one
    reaches the other's index through the Redis wake-up (the poll is set to a minute so it cannot hide a miss)."""
    extra = {"CONFIANCE_SSE_POLL_SECONDS": "60", "REDIS_URL": redis_url}
    with throwaway_database(tmp_path, extra) as env, server_process(env) as first, server_process(env) as second:
        operator_first, operator_second = login_client(first, "operateur", PASSWORD), login_client(second, "operateur",
                                                                                                    PASSWORD)
        intervention_id = _query(env, SETUP_RACE)[0]
        before = _recommendation(operator_first, intervention_id)
        assert before["candidates"] and _recommendation(operator_second, intervention_id)["candidates"]
        unit = before["candidates"][0]
        response = operator_first.post(f"/api/v1/operations/interventions/{intervention_id}/engage",
                                       json={"unit_id": unit["unit_id"], "recommended_rank": 1},
                                       headers={"X-CSRFToken": operator_first.cookies.get("csrftoken")})
        assert response.status_code == 201, response.text
        assert _engaged_in(_recommendation(operator_first, intervention_id), unit["name"])  # in-process wake-up
        deadline = time.monotonic() + 5
        while not _engaged_in(_recommendation(operator_second, intervention_id), unit["name"]):
            assert time.monotonic() < deadline, "the other process's index missed the engagement"
            time.sleep(0.1)
