"""MQTT ingestion: the worker (`confiance devices ingest`) against a bare paho subscriber, on one Mosquitto.

- Drain: a backlog of messages (4 values each: pm10, pm25, no2, battery, from 200 sensors; 3 threshold rules of
  the commune evaluated on every value) is published once to the broker while two persistent sessions are
  offline, one of a bare paho subscriber (acknowledges on receipt, does nothing) and one of the worker; then each
  drains it in turn. Printed: the publisher's own rate, the bare subscriber's messages/s, the worker's
  measurements/s and messages/s, and the ratio (worker messages/s over bare messages/s). Goal >= 10,000
  measurements/s, ratio >= 0.5, sustained at least 60 s. Full mode: 480,000 messages, which one worker takes over
  60 s to drain here on either engine (`seconds` says how long it took).
- Two workers on a shared subscription: the same, combined measurements/s.
- Memory: resident memory of one worker at the start and the end of a run at a steady publishing rate (10 minutes
  in full mode, BENCH_MEMORY_SECONDS to change it), and apart that of its MQTT connection process (receiver.py).
- Alarm latency: p99 from the publish of an over-threshold value to the `devices.alarm` event at an SSE client, at
  2,000 measurements/s of background load; only when the rules engine publishes `devices.alarm` events.

The broker is a Mosquitto of the bench's own (no queue limit: the default of 1,000 queued messages per session
would drop the backlog). BENCH_DATABASES picks the engines (default "sqlite,postgres"); BENCH_SMOKE=1: small
backlogs, a 10 s memory run, every path, for `make bench-smoke`. Everything runs on one machine: note its load.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from _common import ROOT, SMOKE, bench_databases, emit, engine_database_url, smoke_check

sys.path.insert(0, str(ROOT))
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from confiance.core.testing import PROJECT_ROOT, migrated_database
from confiance.devices.tests.mqtt_support import (
    WorkerProcess,
    database_env,
    message,
    own_broker,
    publish,
    recent_start,
    spaced,
    wait_for,
)

BENCH = "devices_ingest"
DEVICES = 200
QUANTITIES = "pm10,pm25,no2,battery"
VALUES = len(QUANTITIES.split(","))
BACKLOG = 4_000 if SMOKE else int(os.environ.get("BENCH_BACKLOG", "480000"))  # messages
SHARED_BACKLOG = 4_000 if SMOKE else BACKLOG // 2
MEMORY_SECONDS = 10 if SMOKE else int(os.environ.get("BENCH_MEMORY_SECONDS", "600"))
MEMORY_RATE = 500  # messages/s (2,000 measurements/s) during the memory run
PREFIX = "confiance/v1"

SEED = r"""
import sys
import django
django.setup()
from confiance.devices.choices import Comparison, RuleKind
from confiance.devices.models import Rule
from confiance.devices.tests.factories import make_device
from confiance.territory.tests.factories import make_commune
commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
for index in range(int(sys.argv[1])):
    make_device(commune, f"capteur-{index}", kind="air_quality", quantities=sys.argv[2].split(","))
for quantity, threshold in (("pm10", 5000), ("pm25", 5000), ("no2", 4000)):
    Rule.objects.create(commune=commune, name=f"Seuil {quantity}", kind=RuleKind.THRESHOLD, quantity=quantity,
                        comparison=Comparison.ABOVE, threshold=threshold, clear_threshold=threshold * 0.9)
"""


BASE = recent_start(0) - timedelta(hours=6)  # observation times: BASE + one second per round of the sensors


def stream(count: int, *, offset: int = 0):
    """Messages `offset` to `offset + count` of one endless stream: identities never repeat across calls."""
    for index in range(offset, offset + count):
        device = f"capteur-{index % DEVICES}"
        values = {"pm10": 20 + index % 17, "pm25": 10 + index % 7, "no2": 30 + index % 11, "battery": 90}
        yield f"{PREFIX}/{device}/up", message(device, spaced(BASE, 1, index // DEVICES), values)


class Database:
    """A migrated, seeded database for one engine (a copy of the run's migrated template: one `migrate` per engine,
    shared with the alarm-latency run); the environment of the worker processes."""

    def __init__(self, engine: str, folder: Path) -> None:
        self.engine, self.folder = engine, folder
        self._copy = contextlib.ExitStack()
        with engine_database_url(engine):
            copied = self._copy.enter_context(migrated_database(folder))
        extra = {"CONFIANCE_LOG_LEVEL": "WARNING"}
        if engine == "postgres":
            extra["DATABASE_URL"] = copied["DATABASE_URL"]
        self.env = database_env(folder, **extra)
        subprocess.run([sys.executable, "-c", SEED, str(DEVICES), QUANTITIES], check=True, capture_output=True,
                       env={**self.env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT)

    def count(self) -> int:
        code = ("import django; django.setup()\nfrom confiance.devices.models import Measurement\n"
                "print(Measurement.objects.count())")
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=PROJECT_ROOT,
                             env={**self.env, "DJANGO_SETTINGS_MODULE": "config.settings"}).stdout
        return int(out.strip().splitlines()[-1])

    def drop(self) -> None:
        self._copy.close()


def _session(port: int, client_id: str, *, subscribe: str | None = None) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = 2000
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect("127.0.0.1", port, clean_start=False, properties=properties)
    client.loop_start()
    assert connected.wait(10), "bare subscriber: no connection"
    if subscribe:
        client.subscribe(subscribe, qos=1)
        time.sleep(0.3)
    return client


def bare_drain(port: int, expected: int) -> float:
    """Messages/s of a paho subscriber that acknowledges on receipt and does nothing else."""
    received = [0, 0.0, 0.0]
    done = threading.Event()

    def on_message(client, userdata, msg):
        if received[0] == 0:
            received[1] = time.perf_counter()
        received[0] += 1
        if received[0] >= expected:
            received[2] = time.perf_counter()
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-bare", protocol=mqtt.MQTTv5)
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = 2000
    client.connect("127.0.0.1", port, clean_start=False, properties=properties)
    client.loop_start()
    done.wait(600)
    client.disconnect()
    client.loop_stop()
    smoke_check(received[0] >= expected, f"bare subscriber got {received[0]} of {expected}")
    return received[0] / max(received[2] - received[1], 1e-9)


def worker_args(broker, client_id: str, group: str) -> tuple[str, ...]:
    return ("--url", broker.url, "--client-id", client_id, "--share-group", group, "--session-expiry", "3600")


def open_sessions(database: Database, broker, *workers: tuple[str, str], folder: Path) -> None:
    """Connect each worker once, so that its session and subscription exist while the backlog is published."""
    processes = [WorkerProcess(database.env, *worker_args(broker, client_id, group), log=folder / f"{client_id}.log")
                 for client_id, group in workers]  # started together: each start-up is a Django set-up
    for process in processes:
        assert wait_for(lambda p=process: p.last.get("connects", 0) >= 1, 120, 0.05), "worker did not connect"
    time.sleep(0.3)
    for process in processes:
        process.terminate()


def drain_rate(processes: list[WorkerProcess], expected: int, timeout: float = 1800) -> tuple[float, float, int]:
    """Measurements/s and messages/s of the workers from their first committed batch to the last new value, counted
    in new values: a redelivery (after a reconnection) is stored once and counts once, so duplicates neither end the
    drain early nor raise the rate. The third figure is the number of messages stored, duplicates included."""
    values = expected * VALUES
    wait_for(lambda: sum(p.last.get("stored", 0) for p in processes) >= values, timeout, 0.1)
    first = min(next((line["t"] for line in p.lines if line.get("messages_stored")), float("inf"))
                for p in processes)
    last = max(next((line["t"] for line in p.lines if line.get("stored", 0) >= p.last["stored"]), first)
               for p in processes)
    stored = sum(p.last.get("stored", 0) for p in processes)
    messages = sum(p.last.get("messages_stored", 0) for p in processes)
    seconds = max(last - first, 1e-9)
    return stored / seconds, stored / VALUES / seconds, messages


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def ingest(database: Database, folder: Path) -> None:
    engine = database.engine
    with own_broker() as broker:
        bare = _session(broker.port, "bench-bare", subscribe=f"{PREFIX}/+/up")
        bare.disconnect()
        bare.loop_stop()
        open_sessions(database, broker, ("bench-worker", "-"), folder=folder)
        published = publish(broker.port, stream(BACKLOG), inflight=2000, drain_s=600)
        emit(BENCH, "publisher_rate", round(published.rate), "messages/s", database=engine, messages=BACKLOG,
             accepted=len(published.accepted), load=load_average())
        bare_rate = bare_drain(broker.port, BACKLOG)
        emit(BENCH, "bare_subscriber_rate", round(bare_rate), "messages/s", database=engine, messages=BACKLOG,
             measurements_per_s=round(bare_rate * VALUES), load=load_average())
        worker = WorkerProcess(database.env, *worker_args(broker, "bench-worker", "-"), log=folder / "worker.log")
        rate, message_rate, messages = drain_rate([worker], BACKLOG)
        duration = BACKLOG / max(message_rate, 1e-9)
        worker.terminate()
        smoke_check(messages >= BACKLOG, f"worker stored {messages} of {BACKLOG} messages")
        reconnections = worker.last.get("connects", 1) - 1
        emit(BENCH, "worker_rate", round(rate), "measurements/s", database=engine, messages_per_s=round(message_rate),
             values_per_message=VALUES, seconds=round(duration, 1), goal_seconds=">= 60", rules=3, goal=">= 10000",
             load=load_average(), batches=worker.last.get("batches"), smoke=SMOKE, reconnections=reconnections,
             duplicate_messages=messages - BACKLOG)
        emit(BENCH, "worker_bare_ratio", round(message_rate / bare_rate, 3), "", database=engine, goal=">= 0.5")

        group = ("bench-a", "pair"), ("bench-b", "pair")
        open_sessions(database, broker, *group, folder=folder)
        publish(broker.port, stream(SHARED_BACKLOG, offset=BACKLOG), inflight=2000, drain_s=600)
        pair = [WorkerProcess(database.env, *worker_args(broker, client_id, name), log=folder / f"{client_id}-run.log")
                for client_id, name in group]
        rate, message_rate, messages = drain_rate(pair, SHARED_BACKLOG)
        for process in pair:
            process.terminate()
        smoke_check(messages >= SHARED_BACKLOG, f"two workers stored {messages} of {SHARED_BACKLOG} messages")
        emit(BENCH, "two_workers_rate", round(rate), "measurements/s", database=engine,
             messages_per_s=round(message_rate), shares=[p.last.get("messages_stored") for p in pair],
             load=load_average())
        stored = database.count()
        smoke_check(stored == (BACKLOG + SHARED_BACKLOG) * VALUES,
                    f"{stored} measurements stored, {(BACKLOG + SHARED_BACKLOG) * VALUES} expected")
        memory(database, broker, folder)


def memory(database: Database, broker, folder: Path) -> None:
    worker = WorkerProcess(database.env, *worker_args(broker, "bench-memory", "-"), log=folder / "memory.log")
    assert wait_for(lambda: worker.last.get("connects", 0) >= 1, 120, 0.05)
    offset = 2 * BACKLOG
    stop = threading.Event()
    count = MEMORY_SECONDS * MEMORY_RATE
    thread = threading.Thread(target=publish, args=(broker.port, stream(count, offset=offset)),
                              kwargs={"rate": MEMORY_RATE, "stop": stop}, daemon=True)
    thread.start()
    wait_for(lambda: worker.last.get("messages_stored", 0) > 0, 60, 0.05)
    start_kib, start_connection_kib = worker.rss_kib(), worker.connection_rss_kib()
    thread.join(MEMORY_SECONDS + 120)
    wait_for(lambda: worker.last.get("messages_stored", 0) >= count, 60, 0.1)
    end_kib, end_connection_kib = worker.rss_kib(), worker.connection_rss_kib()
    worker.terminate()
    emit(BENCH, "worker_rss", {"start": round(start_kib / 1024, 1), "end": round(end_kib / 1024, 1)}, "MiB",
         database=database.engine, seconds=MEMORY_SECONDS, measurements_per_s=MEMORY_RATE * VALUES,
         messages=worker.last.get("messages_stored"),
         connection_process={"start": round(start_connection_kib / 1024, 1),
                             "end": round(end_connection_kib / 1024, 1)})


def rules_engine_present() -> bool:
    """True once the rules engine declares `devices.alarm` live events (confiance/devices/events.py)."""
    import importlib.util

    if importlib.util.find_spec("confiance.devices.events") is None:
        return False
    code = ("import django; django.setup()\nfrom confiance.devices import events\n"
            "print(any('devices.alarm' in f.labels or 'devices.alarm'.startswith(f.prefix)"
            " for f in getattr(events, 'LIVE_EVENT_FAMILIES', ())))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT,
                         env={**os.environ, "CONFIANCE_ENV": "test", "DJANGO_SETTINGS_MODULE": "config.settings"})
    return out.stdout.strip().endswith("True")


PROBES = 20 if SMOKE else 200
LATENCY_PREPARE = r"""
import json, sys
import django
django.setup()
from confiance.accounts.models import Agent
from confiance.accounts.services import api_token_create
from confiance.devices.choices import Comparison, RuleKind
from confiance.devices.models import Rule
from confiance.devices.tests.factories import make_device
from confiance.territory.models import Commune
commune = Commune.objects.get(insee_code="91386")
for index in range(int(sys.argv[1])):
    make_device(commune, f"capteur-{index}", kind="air_quality", quantities=sys.argv[2].split(","))
probes = {f"sonde-{n}": make_device(commune, f"sonde-{n}", kind="air_quality", quantities=["pm10"]).pk
          for n in range(int(sys.argv[3]))}
Rule.objects.create(commune=commune, name="Bench PM10", kind=RuleKind.THRESHOLD, quantity="pm10",
                    comparison=Comparison.ABOVE, threshold=900, clear_threshold=800, min_duration_s=0)
token = api_token_create(actor=None, agent=Agent.objects.get(username="chef"), name="bench", communes=[commune],
                         permissions=["live.view", "devices.view"], days=1)
print(json.dumps({"token": token.secret, "probes": probes}))
"""


def _sse_alarms(base: str, token: str, arrivals: dict, ready: threading.Event, stop: threading.Event) -> None:
    import httpx

    with contextlib.suppress(httpx.HTTPError):  # the server stops at the end of the run
        _read_alarms(base, token, arrivals, ready, stop)


def _read_alarms(base: str, token: str, arrivals: dict, ready: threading.Event, stop: threading.Event) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=httpx.Timeout(600, connect=10)) as http, \
            http.stream("GET", "/live/events", headers={"Authorization": f"Bearer {token}"}) as response:
        buffer = ""
        for chunk in response.iter_text():
            ready.set()
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                for line in block.splitlines():
                    if line.startswith("data: "):
                        data = json.loads(line[6:])
                        if data.get("type") == "devices.alarm":
                            arrivals.setdefault(data["payload"].get("device_id"), time.time())
            if stop.is_set():
                return


def alarm_latency() -> None:
    """p99 from the publish of an over-threshold value to its `devices.alarm` event at an SSE client, while the
    worker ingests 2,000 measurements/s of other sensors."""
    import numpy as np

    from confiance.core.testing import server_process, service_reachable, throwaway_database

    # The worker and the server are two processes: the worker's commit wakes the server's streams through Redis
    # (REDIS_URL); without it the streams see the alarm at their next poll (CONFIANCE_SSE_POLL_SECONDS).
    extra = {"CONFIANCE_LOG_LEVEL": "WARNING"}
    if service_reachable("127.0.0.1", 6379):
        extra["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    with tempfile.TemporaryDirectory(prefix="confiance-bench-alarm-") as folder, \
            throwaway_database(Path(folder), extra) as env, own_broker() as broker:
        out = subprocess.run([sys.executable, "-c", LATENCY_PREPARE, str(DEVICES), QUANTITIES, str(PROBES)],
                             env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT,
                             check=True, capture_output=True, text=True).stdout
        prepared = json.loads(out.strip().splitlines()[-1])
        with server_process(env) as base:
            worker = WorkerProcess(env, *worker_args(broker, "bench-alarm", "-"), log=Path(folder) / "worker.log")
            assert wait_for(lambda: worker.last.get("connects", 0) >= 1, 120, 0.05)
            time.sleep(0.3)
            arrivals: dict = {}
            ready, stop = threading.Event(), threading.Event()
            threading.Thread(target=_sse_alarms, args=(base, prepared["token"], arrivals, ready, stop),
                             daemon=True).start()
            assert ready.wait(30), "SSE stream did not open"
            background = threading.Thread(target=publish, args=(broker.port, stream(10**7, offset=3 * BACKLOG)),
                                          kwargs={"rate": 500, "stop": stop}, daemon=True)
            background.start()
            time.sleep(2)
            probe = _session(broker.port, "bench-probe")
            sent: dict[int, float] = {}
            for name, device_id in prepared["probes"].items():
                payload = json.dumps({"time": time.time() - 1, "values": {"pm10": 1000}})
                sent[device_id] = time.time()
                probe.publish(f"{PREFIX}/{name}/up", payload, qos=1)
                time.sleep(0.25)
            wait_for(lambda: all(device_id in arrivals for device_id in sent), 30, 0.1)
            stop.set()
            probe.disconnect()
            probe.loop_stop()
            worker.terminate()
        latencies = np.array([(arrivals[d] - sent[d]) * 1000 for d in sent if d in arrivals])
        smoke_check(latencies.size == len(sent), f"{latencies.size} alarms of {len(sent)} reached the SSE client")
        if latencies.size:
            emit(BENCH, "alarm_latency_p50", round(float(np.percentile(latencies, 50)), 1), "ms",
                 background_measurements_per_s=500 * VALUES)
            emit(BENCH, "alarm_latency_p99", round(float(np.percentile(latencies, 99)), 1), "ms",
                 background_measurements_per_s=500 * VALUES, probes=len(sent), received=int(latencies.size),
                 redis="REDIS_URL" in extra, goal="< 250", load=load_average())


def main() -> None:
    for engine in bench_databases(BENCH, "sqlite,postgres"):
        with tempfile.TemporaryDirectory(prefix="confiance-bench-mqtt-") as folder:
            database = Database(engine, Path(folder))
            try:
                ingest(database, Path(folder))
            finally:
                database.drop()
    if rules_engine_present():
        alarm_latency()
    else:
        emit(BENCH, "alarm_latency_p99", None, "ms", note="not measured: rules engine not present")


if __name__ == "__main__":
    main()
