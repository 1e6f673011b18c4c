"""Soak: 10 minutes of mixed traffic on two server processes, PostgreSQL and Redis; nothing may be lost.

Traffic, all at once: citizens submitting the public form with a photo and an e-mail address, Open311 clients
polling requests.json, 100 agents' consoles holding the live stream (SSE), a GPS tracker sending positions
(OsmAnd), and `confiance simulate` (reports, interventions, sensors through the gateways' HTTP path).

Figures: errors (5xx, refused connections, unexpected answers; goal 0), p99 latency per route, resident memory of
each server process at start and end, `/metrics` as the server sees it (requests, live streams), and the
accounting at the end: every accepted report is stored, every accepted position is stored, every e-mail queued for
those reports has left (status sent, and found in the file mail backend's output).

BENCH_SOAK_SECONDS sets the duration (default 600), BENCH_SSE_CLIENTS the consoles (100). BENCH_DATABASES picks the
engine (default postgres). BENCH_SMOKE=1: 30 s, 10 consoles, SQLite unless CI=true (PostgreSQL then), Redis when
reachable; any error or anything lost is fatal.
"""

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np
from _common import ROOT, SMOKE, bench_databases, emit, engine_database_url, smoke_check

sys.path.insert(0, str(ROOT))
from confiance.core.testing import CONFIANCE, server_process, service_reachable, throwaway_database

BENCH = "soak"
SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "30" if SMOKE else "600"))
SSE_CLIENTS = int(os.environ.get("BENCH_SSE_CLIENTS", "10" if SMOKE else "100"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
REPORTERS, POLLERS = 2, 3
TRACKER = "demo-traceur-1"
DRAIN_SECONDS = 20

ACCOUNT = r'''
import json, sys
import django
django.setup()
from confiance.operations.models import UnitPosition
from confiance.reports.models import Report, ReportNotification
tokens = json.loads(open(sys.argv[1]).read())
stored = set(Report.objects.filter(tracking_token__in=tokens).values_list("tracking_token", flat=True))
mails = ReportNotification.objects.filter(report__tracking_token__in=tokens)
print(json.dumps({
    "reports_found": len(stored),
    "positions_found": UnitPosition.objects.filter(unit__tracker_id=sys.argv[2], source="osmand").count(),
    "mails_queued": mails.count(),
    "mails_sent": mails.filter(status="sent").count(),
    "mails_by_status": {s: mails.filter(status=s).count() for s in ("pending", "sending", "sent", "failed")},
}))
'''


def photo_bytes() -> bytes:
    from PIL import Image

    image = Image.effect_noise((800, 600), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, str] = {}
        self.tokens: list[str] = []
        self.positions = 0
        self.sse_events: list[int] = []
        self.sse_reconnects = 0

    def timed(self, route: str, started: float) -> None:
        self.latencies[route].append((time.perf_counter() - started) * 1000)

    def error(self, route: str, what: str) -> None:
        self.errors[route] += 1
        self.samples.setdefault(route, what[:300])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_pids(port: int) -> list[int]:
    """The uvicorn worker processes (children of `confiance serve`) listening on `port`."""
    found = subprocess.run(["pgrep", "-f", f"confiance serve --port {port}"], capture_output=True, text=True)
    parents = [int(pid) for pid in found.stdout.split()]
    children = []
    for parent in parents:
        listed = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
        children += [int(pid) for pid in listed]
    # uvicorn's multiprocess supervisor spawns the workers; a helper (multiprocessing resource tracker) may appear.
    return [pid for pid in children if "multiprocessing.resource_tracker" not in
            Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")] or parents


async def reporter(base: str, stats: Stats, stop: float, index: int, image: bytes) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False) as client:
        sequence = 0
        while time.perf_counter() < stop:
            sequence += 1
            started = time.perf_counter()
            try:
                page = await client.get("/signaler/")
                stats.timed("GET /signaler/", started)
                if page.status_code != 200:
                    stats.error("GET /signaler/", f"{page.status_code} {page.text[:200]}")
                    await asyncio.sleep(1)
                    continue
                data = {"csrfmiddlewaretoken": client.cookies["csrftoken"], "lat": 48.5671 + index * 1e-4,
                        "lon": 2.4364 + sequence * 1e-5, "service_code": "eclairage", "address": "1 rue du Banc",
                        "description": f"Lampadaire éteint, soak {index}-{sequence}-{time.time_ns()}",
                        "email": f"habitant{index}.{sequence}@example.org", "consent": "on",
                        "nonce": f"soak-{index}-{sequence}-{time.time_ns()}"}
                started = time.perf_counter()
                sent = await client.post("/signaler/", data=data, files={"photos": ("photo.jpg", image, "image/jpeg")})
                stats.timed("POST /signaler/", started)
                location = sent.headers.get("location", "")
                match = re.search(r"/signalements/suivi/([^/]+)/", location)
                if sent.status_code == 302 and match:
                    stats.tokens.append(match.group(1))
                else:
                    stats.error("POST /signaler/", f"{sent.status_code} {location} {sent.text[:200]}")
            except httpx.HTTPError as exc:
                stats.error("POST /signaler/", repr(exc))
            await asyncio.sleep(1.0)


async def poller(base: str, stats: Stats, stop: float) -> None:
    path = "/open311/v2/requests.json?status=open&page_size=50"
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                answer = await client.get(path)
                stats.timed("GET open311 requests.json", started)
                if answer.status_code != 200 or not isinstance(answer.json(), list):
                    stats.error("GET open311 requests.json", f"{answer.status_code} {answer.text[:200]}")
            except (httpx.HTTPError, ValueError) as exc:
                stats.error("GET open311 requests.json", repr(exc))
            await asyncio.sleep(0.5)


async def tracker(base: str, stats: Stats, stop: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        step = 0
        while time.perf_counter() < stop:
            step += 1
            params = {"id": TRACKER, "key": "demo-tracker-key", "lat": 48.5671 + (step % 100) * 1e-5,
                      "lon": 2.4364, "timestamp": int(time.time() * 1000), "speed": 5, "accuracy": 8}
            started = time.perf_counter()
            try:
                answer = await client.get("/positions/osmand", params=params)
                stats.timed("GET /positions/osmand", started)
                if answer.status_code == 200:
                    stats.positions += 1
                else:
                    stats.error("GET /positions/osmand", f"{answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError as exc:
                stats.error("GET /positions/osmand", repr(exc))
            await asyncio.sleep(0.2)


async def console(base: str, cookies: httpx.Cookies, stats: Stats, stop: float, slot: int) -> None:
    """One agent's live stream, resumed with Last-Event-ID when it ends (a reset is counted, not an error)."""
    last_id = None
    received = 0
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=httpx.Timeout(30, read=60)) as client:
        while time.perf_counter() < stop:
            headers = {"Last-Event-ID": last_id} if last_id else {}
            try:
                async with client.stream("GET", "/live/events", headers=headers) as stream:
                    if stream.status_code != 200:
                        stats.error("GET /live/events", f"{stream.status_code}")
                        await asyncio.sleep(2)
                        continue
                    async for line in stream.aiter_lines():
                        if line.startswith("id:"):
                            last_id = line[3:].strip()
                            received += 1
                        if time.perf_counter() >= stop:
                            break
            except (httpx.ReadTimeout, httpx.RemoteProtocolError):
                pass
            except httpx.HTTPError as exc:
                stats.error("GET /live/events", repr(exc))
                await asyncio.sleep(1)
            if time.perf_counter() < stop:
                stats.sse_reconnects += 1
    stats.sse_events.append(received)


def login_cookies(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/comptes/connexion/")
        answer = client.post("/comptes/connexion/", data={"username": "operateur", "password": "confiance-demo",
                                                          "csrfmiddlewaretoken": client.cookies["csrftoken"]})
        smoke_check(answer.status_code == 302, f"login: {answer.status_code}")
        return client.cookies


def scrape(base: str, stats: Stats | None = None) -> dict[str, float]:
    started = time.perf_counter()
    answer = httpx.get(base + "/metrics", timeout=60)
    values: dict[str, float] = defaultdict(float)
    if stats is not None:
        stats.timed("GET /metrics", started)
    if answer.status_code != 200:
        if stats is not None:
            stats.error("GET /metrics", f"{answer.status_code} {answer.text[:300]}")
        return values
    text = answer.text
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        values[name.split("{")[0]] += float(value)
        values[name] = float(value)
    return values


async def traffic(base: str, stats: Stats, image: bytes) -> dict[str, float]:
    stop = time.perf_counter() + SECONDS
    cookies = login_cookies(base)
    tasks = [asyncio.create_task(console(base, cookies, stats, stop, n)) for n in range(SSE_CLIENTS)]
    await asyncio.sleep(3)  # the consoles connect before the writers start
    tasks += [asyncio.create_task(reporter(base, stats, stop, n, image)) for n in range(REPORTERS)]
    tasks += [asyncio.create_task(poller(base, stats, stop)) for _ in range(POLLERS)]
    tasks.append(asyncio.create_task(tracker(base, stats, stop)))
    await asyncio.sleep(min(SECONDS / 2, 60))
    middle = await asyncio.to_thread(scrape, base, stats)
    await asyncio.gather(*tasks)
    return middle


def mails_written(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(text.count("\nSubject: ") + text.startswith("Subject: ")
               for text in (path.read_text(errors="replace") for path in folder.glob("*.log")))


def run(engine: str, folder: Path) -> None:
    redis = REDIS_URL if service_reachable("127.0.0.1", 6379) else ""
    if redis:
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    smoke_check(bool(redis) or SMOKE, "Redis unreachable: the soak needs it")
    mail_dir = folder / "mail"
    extra = {"CONFIANCE_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
             "CONFIANCE_EMAIL_FILE_PATH": str(mail_dir), "CONFIANCE_MEDIA_ROOT": str(folder / "media"),
             "REDIS_URL": redis,
             # Every client of the soak comes from this one address: per-address limits would refuse the load it
             # measures (they are tested in tests/test_rate_limits.py).
             "CONFIANCE_RATE_LIMITS": "0"}
    with engine_database_url(engine), throwaway_database(folder, extra) as env:
        env = {**env, "CONFIANCE_WORKERS": "2", "CONFIANCE_REQUEST_THREADS": "4", "CONFIANCE_LOG_LEVEL": "WARNING"}
        context = {"database": engine, "redis": bool(redis), "server_processes": 2, "seconds": SECONDS,
                   "sse_clients": SSE_CLIENTS}
        with server_process(env, start_seconds=180) as base:
            port = int(base.rsplit(":", 1)[1])
            for _ in range(6):  # every worker imports its views and opens its connections
                httpx.get(base + "/open311/v2/requests.json", timeout=60)
                httpx.get(base + "/signaler/", timeout=60)
            pids = server_pids(port)
            rss_start = {pid: rss_kb(pid) for pid in pids}
            simulator = subprocess.Popen([CONFIANCE, "simulate", "--interval", "3", "--seed", "5"], env=env,
                                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(folder / "sim.log", "w"))  # noqa: SIM115
            stats = Stats()
            try:
                middle = asyncio.run(traffic(base, stats, photo_bytes()))
            finally:
                simulator.terminate()
                simulator.wait(timeout=30)
            rss_end = {pid: rss_kb(pid) for pid in pids}
            deadline = time.monotonic() + DRAIN_SECONDS  # e-mails leave after commit, on a background thread
            tokens_file = folder / "tokens.json"
            tokens_file.write_text(json.dumps(stats.tokens))
            while True:
                account = json.loads(subprocess.run(
                    [sys.executable, "-c", ACCOUNT, str(tokens_file), TRACKER], cwd=ROOT, capture_output=True,
                    text=True, check=True, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                ).stdout.strip().splitlines()[-1])
                if account["mails_sent"] == account["mails_queued"] or time.monotonic() > deadline:
                    break
                time.sleep(1)
            end = scrape(base, stats)
            server_log = Path(env["CONFIANCE_DATA_DIR"]) / f"server-{port}.log"
        errors = sum(stats.errors.values())
        if errors:  # the server's side of the errors, kept beside the figures
            (ROOT / "var").mkdir(exist_ok=True)
            (ROOT / "var" / "soak-server.log").write_text(server_log.read_text(errors="replace")[-200_000:])
        emit(BENCH, "errors", errors, "", goal="0", by_route=dict(stats.errors), samples=stats.samples, **context)
        for route, values in sorted(stats.latencies.items()):
            array = np.array(values)
            emit(BENCH, "p99", round(float(np.percentile(array, 99)), 1), "ms", route=route, requests=array.size,
                 p50=round(float(np.percentile(array, 50)), 1), **context)
        for pid in pids:
            emit(BENCH, "rss", {"start": rss_start[pid] // 1024, "end": rss_end[pid] // 1024}, "MB", pid=pid,
                 **context)
        emit(BENCH, "sse", {"consoles": len(stats.sse_events), "events_min": min(stats.sse_events, default=0),
                            "events_max": max(stats.sse_events, default=0), "reconnects": stats.sse_reconnects,
                            "server_counted_mid_run": middle.get("confiance_sse_clients", 0)}, "", **context)
        mails_in_files = mails_written(mail_dir)
        accounting = {"reports_accepted": len(stats.tokens), **account, "positions_accepted": stats.positions,
                      "mails_in_files": mails_in_files}
        lost = {"reports": len(stats.tokens) - account["reports_found"],
                "positions": stats.positions - account["positions_found"],
                "mails": account["mails_queued"] - account["mails_sent"]}
        emit(BENCH, "lost", lost, "", goal="all 0", accounting=accounting, **context)
        emit(BENCH, "server_metrics", {
            "requests": end.get("confiance_http_requests_total", 0),
            "measurements_stored": end.get("confiance_measurements_stored", 0),
            "dead_letters": end.get("confiance_dead_letters", 0),
        }, "", **context)
        smoke_check(errors == 0, f"{errors} errors: {dict(stats.errors)} {stats.samples}")
        smoke_check(not any(lost.values()), f"lost: {lost} ({accounting})")
        smoke_check(len(stats.tokens) > 0 and stats.positions > 0 and min(stats.sse_events, default=0) > 0,
                    f"no traffic measured: {accounting}, sse {stats.sse_events[:5]}")
        smoke_check(account["mails_queued"] >= len(stats.tokens), f"e-mails not queued: {accounting}")
        smoke_check(mails_in_files >= account["mails_sent"], f"e-mails marked sent but not written: {accounting}")


def main() -> None:
    for engine in bench_databases(BENCH, "postgres"):
        with tempfile.TemporaryDirectory() as folder:
            run(engine, Path(folder))


if __name__ == "__main__":
    main()
