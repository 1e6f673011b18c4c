"""Live events: 100 SSE clients, 1,000 events published; latency from commit to receipt (p50, p99).

Case 1: one server process, the publisher in that same process (in-process wake-up).
Case 2: two server processes, 50 clients on each, the publisher in a third process; Redis pub/sub wakes them.

BENCH_SMOKE=1: 10 clients, 50 events, a demo territory without reports; a client that fails or misses an event is fatal.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

import numpy as np
from _common import ROOT, SMOKE, emit, setup_django, smoke_check

CLIENTS = 10 if SMOKE else 100
EVENTS = 50 if SMOKE else 1000
INTERVAL = 0.02  # 50 events per second: 5,000 messages per second to deliver
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def start_clients(base: str, token: str, count: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "sse_clients.py"), base, token, str(count),
                                str(EVENTS)], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line == "READY", line
    return process


def publish_all(commune_id: int) -> None:
    from django.db import transaction

    from confiance.core.live import LiveEvent, publish_on_commit

    @dataclass(frozen=True)
    class Tick(LiveEvent):
        event_type = "bench.tick"
        sent: float
        number: int

    for number in range(EVENTS):
        with transaction.atomic():
            publish_on_commit(Tick(sent=time.time(), number=number), commune_id=commune_id)
        time.sleep(INTERVAL)


def collect(processes) -> np.ndarray:
    latencies = []
    for process in processes:
        out, _ = process.communicate(timeout=60 if SMOKE else 300)
        smoke_check(process.returncode == 0, f"SSE clients exited with status {process.returncode}")
        latencies.extend(json.loads(out.strip().splitlines()[-1]))
    return np.array(latencies)


def report(case: str, latencies: np.ndarray, **extra) -> None:
    smoke_check(latencies.size == CLIENTS * EVENTS, f"{case}: {latencies.size} events received, "
                f"{CLIENTS * EVENTS} expected")
    emit("live_events", f"{case}_p50", round(float(np.percentile(latencies, 50)), 2), "ms", **extra)
    emit("live_events", f"{case}_p99", round(float(np.percentile(latencies, 99)), 2), "ms",
         received=int(latencies.size), expected=CLIENTS * EVENTS, **extra)


def serve_in_thread(port: int):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config("config.asgi:application", host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread


def prepare(folder: str):
    from confiance.accounts.models import Agent
    from confiance.accounts.services import api_token_create
    from confiance.territory.models import Commune

    subprocess.run([str(ROOT / ".venv/bin/confiance"), "migrate", "--noinput"], check=True, capture_output=True,
                   env={**os.environ})
    subprocess.run([str(ROOT / ".venv/bin/confiance"), "demo", "load"], check=True, capture_output=True,
                   env={**os.environ})
    commune = Commune.objects.get(insee_code="91386")
    issued = api_token_create(actor=None, agent=Agent.objects.get(username="operateur"), name="bench",
                              communes=[commune], permissions=["live.view"], days=1)
    return commune.pk, issued.secret


def free_port() -> int:
    from confiance.core.testing import free_port as pick

    return pick()


def one_process(commune_id: int, token: str) -> None:
    port = free_port()
    server, thread = serve_in_thread(port)
    clients = start_clients(f"http://127.0.0.1:{port}", token, CLIENTS)
    publish_all(commune_id)
    latencies = collect([clients])
    server.should_exit = True
    thread.join(10)
    report("one_process", latencies, clients=CLIENTS, events=EVENTS, events_per_second=round(1 / INTERVAL))


def two_processes(commune_id: int, token: str, folder: str) -> None:
    from confiance.core.testing import server_process, service_reachable

    if not service_reachable("127.0.0.1", 6379):
        emit("live_events", "redis_two_processes_p99", None, "ms", skipped="Redis unreachable")
        return
    env = {**os.environ, "REDIS_URL": REDIS_URL}
    with server_process(env) as first, server_process(env) as second:
        clients = [start_clients(first, token, CLIENTS // 2), start_clients(second, token, CLIENTS // 2)]
        from django.conf import settings

        settings.REDIS_URL = REDIS_URL
        publish_all(commune_id)
        latencies = collect(clients)
    report("redis_two_processes", latencies, clients=CLIENTS, events=EVENTS, events_per_second=round(1 / INTERVAL))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        smoke = {"CONFIANCE_DEMO_REPORTS": "0", "CONFIANCE_DEMO_INTERVENTIONS": "0"} if SMOKE else {}
        setup_django(folder, {"CONFIANCE_ENV": "demo", "CONFIANCE_SSE_POLL_SECONDS": "60", **smoke})
        commune_id, token = prepare(folder)
        one_process(commune_id, token)
        two_processes(commune_id, token, folder)


if __name__ == "__main__":
    main()
