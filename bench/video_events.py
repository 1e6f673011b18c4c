"""Video-analytics events: p99 from the MQTT publish of a Frigate event to the review queue's live event
(`devices.detection` at an SSE client), at 200 events/s. Goal < 250 ms.

The machine's Mosquitto (localhost:1883) under topic prefixes of the run's own, the ingestion worker
(`confiance devices ingest`, which also listens on Frigate's `<prefix>/events`), the server streaming `/live/events`
to a client holding the video review permission; the worker's commits wake the server's streams through Redis when
it is reachable. The demo camera `cam-gare-mennecy-parvis` has a legal basis and maps Frigate's `fire` to "départ de
feu". Full mode: 60 s (BENCH_VIDEO_SECONDS) over the demo; BENCH_SMOKE=1: 3 s over a bare territory (the
schema from the models, Mennecy with that camera, its mapping, its legal basis and the chef de poste: the demo and
its 30 s of migrations are not needed to cross the same path).
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from _common import ROOT, SMOKE, emit, smoke_check
from cameras_public import bare_database

sys.path.insert(0, str(ROOT))
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from confiance.core.testing import PROJECT_ROOT, server_process, service_reachable, throwaway_database
from confiance.devices.tests.mqtt_support import WorkerProcess, wait_for

BENCH = "video_events"
RATE = 200  # events per second
SECONDS = 3 if SMOKE else int(os.environ.get("BENCH_VIDEO_SECONDS", "60"))
CAMERA = "cam-gare-mennecy-parvis"
BROKER = ("127.0.0.1", 1883)
PREPARE = r"""
import json
import django
django.setup()
from confiance.accounts.models import Agent
from confiance.accounts.services import api_token_create
from confiance.territory.models import Commune
commune = Commune.objects.get(insee_code="91386")
token = api_token_create(actor=None, agent=Agent.objects.get(username="chef"), name="bench", communes=[commune],
                         permissions=["live.view", "video.review"], days=1)
print(json.dumps({"token": token.secret}))
"""
# Smoke mode, before PREPARE: what the demo would have given the bench on a bare Mennecy.
BARE_VIDEO = r"""
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from confiance.accounts.tests.factories import make_agent
from confiance.devices.choices import VideoEventType
from confiance.devices.tests.video_support import make_basis, make_camera, map_label
from confiance.territory.models import Commune
commune = Commune.objects.get(insee_code="91386")
make_agent(communes=[commune], role="shift_supervisor", username="chef", password=None)
camera = make_camera(commune, "cam-gare-mennecy-parvis")
map_label(camera, "fire", VideoEventType.FIRE_START)
make_basis(commune, [camera], starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() + timedelta(days=1))
"""


def _key(observed_at: str) -> int:
    return round(datetime.fromisoformat(observed_at).timestamp() * 1000)


def _read(base: str, token: str, arrivals: dict, ready: threading.Event, stop: threading.Event) -> None:
    import httpx

    with contextlib.suppress(httpx.HTTPError), httpx.Client(base_url=base, timeout=httpx.Timeout(600, connect=10)) \
            as http, http.stream("GET", "/live/events", headers={"Authorization": f"Bearer {token}"}) as response:
        buffer = ""
        for chunk in response.iter_text():
            ready.set()
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                for line in block.splitlines():
                    if line.startswith("data: "):
                        data = json.loads(line[6:])
                        if data.get("type") == "devices.detection":
                            arrivals.setdefault(_key(data["payload"]["observed_at"]), time.time())
            if stop.is_set():
                return


def _publisher(client_id: str) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect(*BROKER)
    client.loop_start()
    assert connected.wait(10), "publisher: no connection"
    return client


def _event(index: int, start_ms: int) -> tuple[int, bytes]:
    observed_ms = start_ms + index  # one millisecond apart: the observation time names the event at the client
    after = {"id": f"bench-{index}", "camera": CAMERA, "label": "fire", "score": 0.9, "top_score": 0.9,
             "start_time": observed_ms / 1000, "current_zones": ["parvis"], "entered_zones": ["parvis"],
             "sub_label": ["Personne Bench", 0.9], "recognized_license_plate": "AA-000-AA", "false_positive": False}
    return observed_ms, json.dumps({"type": "new", "before": after, "after": after}).encode()


def measure() -> None:
    import numpy as np

    run = uuid.uuid4().hex[:8]
    prepared: list[str] = []  # the last line of PREPARE: the reader's token
    frigate = f"bench-{run}/frigate"
    extra = {"CONFIANCE_LOG_LEVEL": "WARNING", "CONFIANCE_FRIGATE_TOPIC_PREFIX": frigate}
    if SMOKE:  # a heartbeat a second: the reader sees `stop` at once and the server stops without waiting for it
        extra["CONFIANCE_SSE_HEARTBEAT_SECONDS"] = "1"
    if service_reachable("127.0.0.1", 6379):
        extra["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    with tempfile.TemporaryDirectory(prefix="confiance-bench-video-") as folder, \
            (bare_database(Path(folder), extra, then=BARE_VIDEO + PREPARE, output=prepared) if SMOKE
             else throwaway_database(Path(folder), extra)) as env:
        if not SMOKE:
            prepared.append(subprocess.run(
                [sys.executable, "-c", PREPARE], env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        token = json.loads(prepared[-1])["token"]
        # The worker starts while the server does (each takes seconds to import Django and the apps).
        worker = WorkerProcess(env, "--url", f"mqtt://{BROKER[0]}:{BROKER[1]}", "--client-id", f"bench-video-{run}",
                               "--prefix", f"bench-{run}/confiance", "--share-group", "-",
                               "--session-expiry", "60", log=Path(folder) / "worker.log")
        with contextlib.ExitStack() as cleanup, server_process(env) as base:
            cleanup.callback(lambda: worker.process.poll() is None and worker.kill())
            assert wait_for(lambda: worker.last.get("connects", 0) >= 1, 120, 0.05), "worker did not connect"
            time.sleep(0.5)  # its subscription acknowledged
            arrivals: dict[int, float] = {}
            ready, stop = threading.Event(), threading.Event()
            threading.Thread(target=_read, args=(base, token, arrivals, ready, stop), daemon=True).start()
            assert ready.wait(30), "SSE stream did not open"
            publisher = _publisher(f"bench-video-pub-{run}")
            sent: dict[int, float] = {}
            start_ms = int(time.time() * 1000) - 10_000
            started = time.perf_counter()
            for index in range(RATE * SECONDS):
                ahead = started + index / RATE - time.perf_counter()
                if ahead > 0:
                    time.sleep(ahead)
                key, payload = _event(index, start_ms)
                sent[key] = time.time()
                publisher.publish(f"{frigate}/events", payload, qos=1)
            rate = len(sent) / (time.perf_counter() - started)
            wait_for(lambda: len(arrivals) >= len(sent), 60, 0.1)
            stop.set()
            publisher.disconnect()
            publisher.loop_stop()
            worker.terminate()
            stats = worker.last
    latencies = np.array([(arrivals[key] - sent[key]) * 1000 for key in sent if key in arrivals])
    smoke_check(latencies.size == len(sent), f"{latencies.size} detections of {len(sent)} reached the SSE client")
    if latencies.size:
        emit(BENCH, "publish_to_review_queue_p50", round(float(np.percentile(latencies, 50)), 1), "ms")
        emit(BENCH, "publish_to_review_queue_p99", round(float(np.percentile(latencies, 99)), 1), "ms",
             goal="< 250", events=len(sent), received=int(latencies.size), publish_rate=round(rate, 1),
             worker_stored=stats.get("video_stored"), worker_batches=stats.get("batches"),
             worker_store_s=stats.get("store_s"), worker_parse_s=stats.get("parse_s"), redis="REDIS_URL" in extra,
             load=round(os.getloadavg()[0], 2),
             at=datetime.now(UTC).isoformat(timespec="seconds"))


def main() -> None:
    if not service_reachable(*BROKER):
        emit(BENCH, "publish_to_review_queue_p99", None, "ms", note="not measured: no Mosquitto on localhost:1883")
        smoke_check(False, "no Mosquitto on localhost:1883")
        return
    measure()


if __name__ == "__main__":
    main()
