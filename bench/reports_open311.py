"""Open311 with 1,000,000 reports stored, on SQLite and on PostgreSQL.

- GET requests.json filtered by status, service code and a date window, page_size=50, 16 concurrent clients,
  with the Open311 search cache (CONFIANCE_OPEN311_CACHE_SECONDS, on by default) and again with it off:
  requests/s and p95 latency.
- POST requests.json (routing, history, audit, live event): requests/s, 8 concurrent clients, every report in one
  commune (one audit chain), then spread over the six demo communes (one chain each, ADR 0003).
- Nearby-duplicate suggestion (the selector behind the citizen form): p95 latency.

CONFIANCE_BENCH_REPORTS sets the number of stored reports (default 1,000,000); BENCH_DATABASES the engines
("sqlite,postgres"); BENCH_SERVER_LAYOUTS the server layouts to measure, as processes x request threads (default
"1x4,2x2": the out-of-the-box setting, then what docs/configuration.md advises on two cores). Each layout first gets
a few requests of each kind (warm-up, not counted). The clients (bench/http_load.mjs, Node) run on the same machine
as the server and share its cores.

BENCH_SMOKE=1: 3,000 reports, 1.5 s load phases, the 1x4 layout only, 200 nearby searches; SQLite only unless
CI=true (then PostgreSQL too). A request that errors or a wrong number of stored reports is fatal.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np
from _common import ROOT, SMOKE, bench_databases, emit, engine_database_url, smoke_check

sys.path.insert(0, str(ROOT))
from confiance.core.testing import server_process, throwaway_database

BENCH = "reports_open311"
REPORTS = int(os.environ.get("CONFIANCE_BENCH_REPORTS", "3000" if SMOKE else "1000000"))
DURATION = float(os.environ.get("BENCH_SECONDS", "1.5" if SMOKE else "15"))
LAYOUTS = [tuple(int(n) for n in layout.split("x")) for layout in os.environ.get("BENCH_SERVER_LAYOUTS",
                                                                                  "1x4" if SMOKE else
                                                                                  "1x4,2x2").split(",")]
NEARBY_SEARCHES = 200 if SMOKE else 2000

FILL = r'''
import random, secrets, sys, time
from datetime import timedelta
import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from confiance.core.geo import h3_cell
from confiance.reports.models import Category, Report
from confiance.reports.demo_data import random_point
from confiance.territory.models import Commune

total = int(sys.argv[1])
rng = random.Random(7)
now = timezone.now()
communes = list(Commune.objects.all())
categories = {c.pk: list(Category.objects.filter(commune=c)) for c in communes}
statuses = ["nouveau", "a_traiter", "programme", "en_cours", "service_fait", "clos", "rejete"]
started = time.perf_counter()
points = {c.pk: [random_point(rng, c, []) for _ in range(2000)] for c in communes}
batch = []
def flush():
    with transaction.atomic():
        Report.objects.bulk_create(batch, batch_size=5000)
    batch.clear()
for index in range(total):
    commune = communes[rng.randrange(len(communes))]
    category = categories[commune.pk][rng.randrange(len(categories[commune.pk]))]
    lat, lon = points[commune.pk][rng.randrange(2000)]
    lat += rng.uniform(-0.0005, 0.0005); lon += rng.uniform(-0.0005, 0.0005)
    status = statuses[rng.randrange(len(statuses))]
    created = now - timedelta(days=730 * rng.random())
    batch.append(Report(commune=commune, category=category, status=status,
                        is_open=status not in ("service_fait", "clos", "rejete"), description="Signalement de charge",
                        address="1 rue du Banc", lat=lat, lon=lon, h3_cell=h3_cell(lat, lon),
                        tracking_token=secrets.token_urlsafe(32), created_at=created, updated_at=created,
                        expected_at=created + timedelta(days=7)))
    if len(batch) >= 20000:
        flush()
if batch:
    flush()
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_report")
else:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(f"{total} {time.perf_counter() - started:.1f}")
'''

NEARBY = r'''
import random, sys, time
import django
django.setup()
from confiance.reports.models import Category
from confiance.reports.selectors import nearby_open_reports
from confiance.reports.demo_data import random_point
from confiance.territory.models import Commune
rng = random.Random(3)
communes = list(Commune.objects.all())
cats = {c.pk: list(Category.objects.filter(commune=c)) for c in communes}
samples = []
for i in range(int(sys.argv[1])):
    commune = communes[i % len(communes)]
    lat, lon = random_point(rng, commune, [])
    category = cats[commune.pk][i % len(cats[commune.pk])]
    t = time.perf_counter()
    nearby_open_reports(category=category, lat=lat, lon=lon)
    samples.append(time.perf_counter() - t)
samples.sort()
print(f"{samples[len(samples) // 2] * 1000:.3f} {samples[int(len(samples) * 0.95)] * 1000:.3f}")
'''

POINTS = r'''
import json, random
import django
django.setup()
from confiance.reports.demo_data import random_point
from confiance.territory.models import Commune
rng = random.Random(11)
print(json.dumps([random_point(rng, commune, []) for commune in Commune.objects.order_by("pk")]))
'''

COUNT = r'''
import django
django.setup()
from confiance.reports.models import Report
print(Report.objects.count())
'''


def run_child(script: str, env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", script, *args], env={**env, "DJANGO_SETTINGS_MODULE":
                                                                       "config.settings"},
                            cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def load(base: str, clients: int, method: str, path: str, form: dict | None = None,
         form_numbers: dict | None = None, points: list | None = None) -> tuple[float, np.ndarray, int]:
    """Drive the server with bench/http_load.mjs (Node: far less CPU per request than a Python client)."""
    spec = {"base": base, "clients": clients, "seconds": DURATION, "method": method, "path": path,
            "form": form, "form_numbers": form_numbers, "points": points, "point_fields": ["lat", "long"]}
    result = subprocess.run(["node", str(ROOT / "bench" / "http_load.mjs")], input=json.dumps(spec),
                            capture_output=True, text=True, check=True)
    out = json.loads(result.stdout)
    smoke_check(out["requests"] > 0 and out["errors"] == 0,
                f"{method} {path}: {out['errors']} errors in {out['requests']} requests ({out['statuses']})")
    return out["requests"] / out["seconds"], np.array(out["latencies_ms"]), out["errors"]


def warm_up(base: str, path: str, form: dict | None, index: int) -> None:
    """One search (and one submission when `form` is given); in smoke mode, their answers are checked."""
    found = httpx.get(base + path, timeout=60)
    smoke_check(found.status_code == 200 and (not SMOKE or 1 <= len(found.json()) <= 50),
                f"warm-up search: {found.status_code}, {found.text[:200]}")
    if form is None:
        return
    sent = httpx.post(base + "/open311/v2/requests.json", timeout=60,
                      data={**form, "description": f"échauffement {time.time_ns()} {index}", "lat": 48.5671,
                            "long": 2.4364})
    smoke_check(sent.status_code in (200, 201), f"warm-up submission: {sent.status_code}, {sent.text[:200]}")


def check_stored(env: dict, expected: int) -> None:
    """Smoke mode: the database holds exactly the reports filled and submitted."""
    if SMOKE:
        stored = int(run_child(COUNT, env))
        smoke_check(stored == expected, f"{stored} reports stored, {expected} expected")


def measure_http(engine: str, env: dict, workers: int, threads: int) -> int:
    """The layout's measurements; returns the number of reports it submitted."""
    context = {"server_processes": workers, "request_threads": threads}
    # One load generator, one address and one client key: the limits are counted (their cost is measured) but
    # set out of reach.
    server_env = {**env, "CONFIANCE_LOG_LEVEL": "WARNING", "CONFIANCE_WORKERS": str(workers),
                  "CONFIANCE_REQUEST_THREADS": str(threads), "CONFIANCE_RATE_OPEN311_POST_IP": "100000000/m",
                  "CONFIANCE_RATE_OPEN311_POST_ACCOUNT": "100000000/m"}
    query = {"status": "open", "service_code": "depot-sauvage", "page_size": 50,
             "start_date": "2025-06-01T00:00:00+02:00", "end_date": "2026-06-01T00:00:00+02:00"}
    path = "/open311/v2/requests.json?" + urlencode(query)
    form = {"api_key": "demo-open311-key", "service_code": "eclairage",
            "description": f"charge {time.time_ns()} {{client}}-{{seq}}"}
    numbers = {"lat": [48.5671, 1e-4, 0], "long": [2.4364, 0, 1e-6]}
    with server_process(server_env) as base:
        for index in range(4 * workers):  # warm-up: every process answers both kinds once or more
            warm_up(base, path, form, index)
        rate, latencies, errors = load(base, 16, "GET", path)
        emit(BENCH, "get_requests_per_s", round(rate, 1), "req/s", database=engine, clients=16,
             reports=REPORTS, errors=errors, goal=">= 300", **context)
        emit(BENCH, "get_requests_p95", round(float(np.percentile(latencies, 95)), 1), "ms",
             database=engine, clients=16, reports=REPORTS, goal="< 50", **context)
        rate, latencies, errors = load(base, 8, "POST", "/open311/v2/requests.json", form=form,
                                       form_numbers=numbers)
        submitted = 4 * workers + latencies.size - errors
        emit(BENCH, "post_requests_per_s", round(rate, 1), "req/s", database=engine, clients=8,
             reports=REPORTS, errors=errors, goal=">= 150", communes=1, **context)
        emit(BENCH, "post_requests_p95", round(float(np.percentile(latencies, 95)), 1), "ms",
             database=engine, clients=8, reports=REPORTS, communes=1, **context)
        # The same POSTs spread over the six demo communes: each commune's audit chain has its own lock.
        points = json.loads(run_child(POINTS, env))
        rate, latencies, errors = load(base, 8, "POST", "/open311/v2/requests.json", form=form, points=points)
        submitted += latencies.size - errors
        emit(BENCH, "post_requests_per_s_spread", round(rate, 1), "req/s", database=engine, clients=8,
             reports=REPORTS, errors=errors, communes=len(points), **context)
        emit(BENCH, "post_requests_p95_spread", round(float(np.percentile(latencies, 95)), 1), "ms",
             database=engine, clients=8, reports=REPORTS, communes=len(points), **context)
    # The same search with the Open311 cache switched off: what each answer costs when computed.
    with server_process({**server_env, "CONFIANCE_OPEN311_CACHE_SECONDS": "0"}) as base:
        for index in range(4 * workers):
            warm_up(base, path, None, index)
        rate, latencies, errors = load(base, 16, "GET", path)
        emit(BENCH, "get_requests_per_s_uncached", round(rate, 1), "req/s", database=engine, clients=16,
             reports=REPORTS, errors=errors, **context)
        emit(BENCH, "get_requests_p95_uncached", round(float(np.percentile(latencies, 95)), 1), "ms",
             database=engine, clients=16, reports=REPORTS, **context)
    return submitted


def run(engine: str, folder: Path) -> None:
    extra = {"CONFIANCE_DEMO_REPORTS": "0", "CONFIANCE_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    with engine_database_url(engine), throwaway_database(folder, extra) as env:
        env = {**env, "CONFIANCE_ENV": "demo"}
        count, seconds = run_child(FILL, env, str(REPORTS)).split()
        emit(BENCH, "fill", float(seconds), "s", database=engine, reports=int(count))
        check_stored(env, int(count))
        median, p95 = run_child(NEARBY, env, str(NEARBY_SEARCHES)).split()
        emit(BENCH, "nearby_duplicates_p50", float(median), "ms", database=engine, reports=REPORTS)
        emit(BENCH, "nearby_duplicates_p95", float(p95), "ms", database=engine, reports=REPORTS, goal="< 10")
        stored = int(count)
        for workers, threads in LAYOUTS:
            stored += measure_http(engine, env, workers, threads)
            check_stored(env, stored)


def main() -> None:
    for engine in bench_databases(BENCH, "sqlite,postgres"):
        with tempfile.TemporaryDirectory() as folder:
            run(engine.strip(), Path(folder))


if __name__ == "__main__":
    main()
