"""The public camera page of a commune with 200 cameras, 16 concurrent clients: p95 latency and requests/s.

The demo is loaded into a throwaway database, then Mennecy gets cameras up to CONFIANCE_BENCH_CAMERAS (default
200) written in bulk (with a camera revision, as every change writes). The server runs as `confiance serve` out of
the box (1 process x 4 request threads, BENCH_SERVER_LAYOUTS to change); bench/http_load.mjs drives it with 16
clients for BENCH_SECONDS. Measured: the HTML page (/videoprotection/91386/), and its GeoJSON. Each process builds
the commune's registry once (per-process cache keyed by the camera and devices revisions, selectors/
public_cameras.py); the warm-up requests are not counted.

BENCH_SMOKE=1: the same server and pages over a bare territory (the schema created from the models instead of the
30 s of migrations, Mennecy alone with its notice instead of the demo), 40 cameras, 1 s phases; SQLite only unless
CI=true; an error or a wrong camera count is fatal. It finishes in some 15 s.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx
import numpy as np
from _common import ROOT, SMOKE, bench_databases, emit, engine_database_url, smoke_check

sys.path.insert(0, str(ROOT))
from confiance.core.testing import server_process, throwaway_database

BENCH = "cameras_public"
CAMERAS = int(os.environ.get("CONFIANCE_BENCH_CAMERAS", "40" if SMOKE else "200"))
CLIENTS = 16
DURATION = float(os.environ.get("BENCH_SECONDS", "1" if SMOKE else "10"))
LAYOUTS = [tuple(int(n) for n in layout.split("x"))
           for layout in os.environ.get("BENCH_SERVER_LAYOUTS", "1x4").split(",")]
INSEE = "91386"

# Smoke mode: the schema straight from the models (what the test runner does without migrations) and a bare
# Mennecy with its notice; the fill below then adds the cameras as in the full run.
BARE = r'''
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.test.utils import override_settings
from confiance.devices.services.cameras import notice_save
from confiance.territory.tests.factories import make_commune

with override_settings(MIGRATION_MODULES={config.label: None for config in apps.get_app_configs()}):
    call_command("migrate", run_syncdb=True, verbosity=0)
commune = make_commune(insee_code="91386", name="Mennecy", lon=2.43, lat=48.57, size=0.03)
notice_save(actor=None, commune=commune, controller="Le maire de Mennecy", dpo_contact="dpo@mairie.example.test",
            panel_text="Espace placé sous vidéoprotection.", detailed_notice="Notice détaillée.",
            rights_contact="Police municipale")
print(commune.pk)
'''

FILL = r'''
import sys
from datetime import timedelta
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape
from confiance.devices.choices import DeviceKind
from confiance.devices.models import Camera, CameraRevision, Device
from confiance.territory.models import Commune

wanted = int(sys.argv[1])
commune = Commune.objects.get(insee_code="91386")
have = Camera.objects.filter(device__commune=commune).count()
box = shape(commune.geometry).representative_point()
today = timezone.localdate()
with transaction.atomic():
    devices = Device.objects.bulk_create([
        Device(commune=commune, identifier=f"bench-cam-{n}", name=f"Caméra de charge {n:03d}", kind=DeviceKind.CAMERA,
               lat=box.y + (n % 20 - 10) * 0.0004, lon=box.x + (n // 20 - 5) * 0.0006, address=f"{n} rue du Banc",
               reporting_interval_s=3600) for n in range(max(0, wanted - have))])
    Camera.objects.bulk_create([
        Camera(device=device, purposes=["persons_property", "public_buildings"], direction_deg=(n * 37) % 360,
               angle_deg=70, range_m=60, authorisation_reference=f"AP-BENCH-{n:03d}",
               authorisation_date=today - timedelta(days=30 + 9 * n), authorisation_retention_days=30,
               retention_days=15, vms_url=f"https://vms.invalid/{n}") for n, device in enumerate(devices)])
    CameraRevision.objects.create(reason="bench")
print(Camera.objects.filter(device__commune=commune).count())
'''


def run_child(script: str, env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", script, *args],
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def load(base: str, path: str) -> tuple[float, np.ndarray, int]:
    spec = {"base": base, "clients": CLIENTS, "seconds": DURATION, "method": "GET", "path": path}
    result = subprocess.run(["node", str(ROOT / "bench" / "http_load.mjs")], input=json.dumps(spec),
                            capture_output=True, text=True, check=True)
    out = json.loads(result.stdout)
    smoke_check(out["requests"] > 0 and out["errors"] == 0,
                f"GET {path}: {out['errors']} errors in {out['requests']} requests ({out['statuses']})")
    return out["requests"] / out["seconds"], np.array(out["latencies_ms"]), out["errors"]


def measure(engine: str, env: dict, cameras: int, workers: int, threads: int) -> None:
    context = {"database": engine, "cameras": cameras, "clients": CLIENTS, "server_processes": workers,
               "request_threads": threads, "load_average": round(os.getloadavg()[0], 1)}
    server_env = {**env, "CONFIANCE_LOG_LEVEL": "WARNING", "CONFIANCE_WORKERS": str(workers),
                  "CONFIANCE_REQUEST_THREADS": str(threads)}
    page, geojson = f"/videoprotection/{INSEE}/", f"/videoprotection/{INSEE}/cameras.geojson"
    with server_process(server_env) as base:
        for _index in range(4 * workers):
            answer = httpx.get(base + page, timeout=60)
            smoke_check(answer.status_code == 200 and "Caméra de charge" in answer.text,
                        f"warm-up: {answer.status_code}")
            features = httpx.get(base + geojson, timeout=60).json()["features"]
            smoke_check(len(features) == cameras, f"GeoJSON: {len(features)} cameras, {cameras} expected")
        for name, path in (("page", page), ("geojson", geojson)):
            rate, latencies, errors = load(base, path)
            emit(BENCH, f"{name}_requests_per_s", round(rate, 1), "req/s", errors=errors, **context)
            emit(BENCH, f"{name}_p95", round(float(np.percentile(latencies, 95)), 1), "ms",
                 goal="< 50" if name == "page" else "", **context)


@contextlib.contextmanager
def bare_database(folder: Path, extra_env: dict[str, str] | None = None, then: str = "",
                  output: list[str] | None = None):
    """Smoke mode: a database of its own (a fresh PostgreSQL database when DATABASE_URL names one) with the schema
    and Mennecy only; `then`, a script run in the same child (one Django start-up less), its last line put in
    `output` (bench/video_events.py uses it)."""
    env = {**os.environ, "CONFIANCE_ENV": "demo", "CONFIANCE_DATA_DIR": str(folder),
           "CONFIANCE_EMAIL_FILE_PATH": str(folder / "mail"), **(extra_env or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    base_url, name = os.environ.get("DATABASE_URL", ""), f"confiance_bench_{uuid.uuid4().hex[:10]}"
    if base_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunparse(urlparse(base_url)._replace(path=f"/{name}"))
    try:
        last = run_child(BARE + then, env)
        if output is not None:
            output.append(last)
        yield env
    finally:
        if base_url.startswith("postgres"):
            import psycopg

            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(engine: str, folder: Path) -> None:
    with engine_database_url(engine), (bare_database(folder) if SMOKE else throwaway_database(folder)) as env:
        cameras = int(run_child(FILL, env, str(CAMERAS)))
        smoke_check(cameras == CAMERAS, f"{cameras} cameras stored, {CAMERAS} expected")
        for workers, threads in LAYOUTS:
            measure(engine, env, cameras, workers, threads)


def main() -> None:
    for engine in bench_databases(BENCH, "sqlite,postgres"):
        with tempfile.TemporaryDirectory() as folder:
            run(engine.strip(), Path(folder))


if __name__ == "__main__":
    main()
