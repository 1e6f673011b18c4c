"""Police operations: dispatch recommendation, GPS position ingestion, live console delivery.

- Dispatch: 500 available units and a road graph of about 50,000 directed edges (an OpenStreetMap extract written
  here, imported with `confiance roads import`): p50 and p99 of one recommendation (units read from the database,
  straight-line ranking, road travel times for the shortlist).
- Positions: OsmAnd requests to /positions/osmand from 500 trackers, 32 concurrent clients: positions stored per
  second (a 200 means committed) and p95 latency.
- Console: 100 SSE consoles, unit status changes through the API at 20 per second: p50 and p99 from the change to
  its receipt on every console.

BENCH_DATABASES picks the engines ("sqlite" by default; "sqlite,postgres" for both). The clients run on the same
machine as the server. BENCH_SMOKE=1: a small run of every path (few units, a small graph, short loads) in
about half a minute, for `make test`.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from _common import ROOT, SMOKE, bench_databases, emit, engine_database_url, smoke_check

sys.path.insert(0, str(ROOT))
from confiance.core.testing import server_process, throwaway_database

BENCH = "operations"
DATABASES = bench_databases(BENCH, "sqlite")  # the smoke covers PostgreSQL too under CI=true
UNITS = 40 if SMOKE else 500
GRID = 30 if SMOKE else 112  # 112 x 112 nodes, two-way streets: 4 x 112 x 111 = 49,728 directed edges
RECOMMENDATIONS = 200 if SMOKE else 2000
POSITION_SECONDS = "2" if SMOKE else os.environ.get("BENCH_SECONDS", "15")
CONSOLES, CHANGES = (5, 40) if SMOKE else (100, 600)
# The grid covers Mennecy (about 48.54-48.58 N, 2.40-2.46 E) in both modes; the smoke grid has wider streets.
STEP = 0.0009 * 112 / GRID
TRACKER_KEY = "bench-tracker-key"


def write_grid(path: Path) -> None:
    rng = random.Random(1)
    south, west, step = 48.50, 2.35, STEP
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    for row in range(GRID):
        for column in range(GRID):
            lat = south + row * step + rng.uniform(-0.0001, 0.0001)
            lon = west + column * step * 1.5 + rng.uniform(-0.0001, 0.0001)
            lines.append(f'<node id="{row * GRID + column + 1}" lat="{lat:.6f}" lon="{lon:.6f}"/>')
    way = 10_000_000
    for row in range(GRID):
        for column in range(GRID - 1):
            way += 1
            kind = "secondary" if row % 8 == 0 else "residential"
            lines.append(f'<way id="{way}"><nd ref="{row * GRID + column + 1}"/><nd ref="{row * GRID + column + 2}"/>'
                         f'<tag k="highway" v="{kind}"/></way>')
    for column in range(GRID):
        for row in range(GRID - 1):
            way += 1
            kind = "secondary" if column % 8 == 0 else "residential"
            below = (row + 1) * GRID + column + 1
            lines.append(f'<way id="{way}"><nd ref="{row * GRID + column + 1}"/><nd ref="{below}"/>'
                         f'<tag k="highway" v="{kind}"/></way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")


PREPARE = r'''
import random, sys, time
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from confiance.accounts.models import Agent
from confiance.accounts.services import api_token_create
from confiance.operations.choices import Milestone
from confiance.operations.models import Unit, UnitStatus
from confiance.operations.services.positions import tracker_key_hash
from confiance.territory.models import Commune
from confiance.operations.roads import roads_import

started = time.perf_counter()
result = roads_import(sys.argv[1])
imported = time.perf_counter() - started
commune = Commune.objects.get(insee_code="91386")
available = UnitStatus.objects.get(commune=commune, code="1")
rng = random.Random(2)
now = timezone.now()
key_hash = tracker_key_hash(sys.argv[2])
Unit.objects.bulk_create([
    Unit(commune=commune, name=f"Bench {n:03d}", status=available, milestone=Milestone.AVAILABLE, status_at=now,
         lat=48.50 + rng.random() * 0.1, lon=2.35 + rng.random() * 0.15, position_at=now,
         tracker_id=f"bench-{n}", tracker_key_hash=key_hash)
    for n in range(int(sys.argv[3]))])
agent = Agent.objects.get(username="chef")
token = api_token_create(actor=None, agent=agent, name="bench", communes=[commune],
                         permissions=["live.view", "operations.view", "operations.dispatch", "operations.log"], days=1)
print(json.dumps({"nodes": result.nodes, "edges": result.edges, "import_s": round(imported, 2),
                  "token": token.secret, "commune": commune.pk}))
'''.replace("import random, sys, time", "import json, random, sys, time")

DISPATCH = r'''
import random, sys, time
import django
django.setup()
from shapely.geometry import Point, shape
from confiance.accounts.access import Actor
from confiance.accounts.models import Agent
from confiance.operations.dispatch import recommend
from confiance.operations.models import InterventionType
from confiance.operations.drafts import InterventionDraft
from confiance.operations.services.interventions import intervention_create
from confiance.territory.models import Commune

commune = Commune.objects.get(insee_code="91386")
actor = Actor(agent=Agent.objects.get(username="operateur"))
kind = InterventionType.objects.filter(commune=commune).first()
rng = random.Random(3)
area = shape(commune.geometry)
west, south, east, north = area.bounds


def point_in_commune():
    """Interventions must lie in their commune: points drawn in its bounds until one falls inside."""
    while True:
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if area.contains(Point(lon, lat)):
            return lat, lon


interventions = []
for _ in range(50):
    lat, lon = point_in_commune()
    interventions.append(intervention_create(actor=actor, commune_id=commune.pk,
                                             draft=InterventionDraft(type_id=kind.pk, lat=lat, lon=lon)))
recommend(intervention=interventions[0])  # loads the graph and the unit index once
samples, by_road = [], None
for index in range(int(sys.argv[1])):
    started = time.perf_counter()
    result = recommend(intervention=interventions[index % len(interventions)])
    samples.append(time.perf_counter() - started)
    by_road = result.by_road
samples.sort()
print(f"{samples[len(samples) // 2] * 1000:.3f} {samples[int(len(samples) * 0.99)] * 1000:.3f} {by_road}")
'''


def run_child(script: str, env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", script, *args],
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=ROOT, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def node_load(spec: dict) -> dict:
    result = subprocess.run(["node", str(ROOT / "bench" / "http_load.mjs")], input=json.dumps(spec),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def positions(base: str, engine: str) -> None:
    spec = {"base": base, "clients": 32, "seconds": float(POSITION_SECONDS), "method": "GET",
            "path": (f"/positions/osmand?id=bench-{{client}}&key={TRACKER_KEY}&lat=48.5{{jitter}}"
                     "&lon=2.4{jitter}&timestamp={now}&speed=12&accuracy=8")}
    out = node_load(spec)
    latencies = np.array(out["latencies_ms"])
    smoke_check(out["errors"] == 0, f"positions: {out['errors']} refused or failed ({out['statuses']})")
    accepted = out["requests"] - out["errors"]  # a refused position (429, 4xx) is not ingestion throughput
    emit(BENCH, "positions_per_s", round(accepted / out["seconds"], 1), "positions/s", database=engine,
         clients=32, errors=out["errors"], statuses=out["statuses"], goal=">= 2000")
    emit(BENCH, "positions_p95", round(float(np.percentile(latencies, 95)), 1), "ms", database=engine, clients=32)


def console(base: str, token: str, engine: str) -> None:
    consoles, changes, rate = CONSOLES, CHANGES, 20
    clients = subprocess.Popen([sys.executable, str(ROOT / "bench" / "sse_clients.py"), base, token, str(consoles),
                                str(changes), "operations.unit", "status_at"], stdout=subprocess.PIPE, text=True)
    assert clients.stdout.readline().strip() == "READY"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        units = [u["id"] for u in http.get("/api/v1/operations/units").json()][:60]
        codes = ["5", "1"]
        began = time.monotonic()
        for number in range(changes):
            unit = units[number % len(units)]
            code = codes[(number // len(units)) % 2]
            response = http.post(f"/api/v1/operations/units/{unit}/status", json={"status_code": code})
            assert response.status_code == 200, response.text
            delay = began + (number + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    out, _ = clients.communicate(timeout=300)
    latencies = np.array(json.loads(out.strip().splitlines()[-1]))
    emit(BENCH, "console_p50", round(float(np.percentile(latencies, 50)), 1), "ms", database=engine,
         consoles=consoles, changes=changes, changes_per_second=rate)
    emit(BENCH, "console_p99", round(float(np.percentile(latencies, 99)), 1), "ms", database=engine,
         consoles=consoles, received=int(latencies.size), expected=consoles * changes, goal="< 150")


def run(engine: str, folder: Path) -> None:
    with engine_database_url(engine), throwaway_database(folder) as env:
        osm = folder / "grid.osm"
        write_grid(osm)
        prepared = json.loads(run_child(PREPARE, env, str(osm), TRACKER_KEY, str(UNITS)))
        emit(BENCH, "roads_import", prepared["import_s"], "s", database=engine, nodes=prepared["nodes"],
             edges=prepared["edges"])
        median, p99, by_road = run_child(DISPATCH, env, str(RECOMMENDATIONS)).split()
        emit(BENCH, "dispatch_p50", float(median), "ms", database=engine, units=UNITS, edges=prepared["edges"],
             by_road=by_road == "True")
        emit(BENCH, "dispatch_p99", float(p99), "ms", database=engine, units=UNITS, edges=prepared["edges"],
             goal="< 5", smoke=SMOKE)
        # The 32 trackers all send from this machine's address, as fast as they can: the tracker rate limits
        # (per address and per unit, tested in the operations tests) are lifted so that what is measured is the
        # ingestion path, not the limiter's refusals.
        with server_process({**env, "CONFIANCE_LOG_LEVEL": "WARNING", "CONFIANCE_SSE_POLL_SECONDS": "60",
                             "CONFIANCE_RATE_TRACKER_IP": "", "CONFIANCE_RATE_TRACKER_ACCOUNT": ""}) as base:
            positions(base, engine)
            console(base, prepared["token"], engine)


def main() -> None:
    for engine in DATABASES:
        with tempfile.TemporaryDirectory() as folder:
            run(engine.strip(), Path(folder))


if __name__ == "__main__":
    main()
