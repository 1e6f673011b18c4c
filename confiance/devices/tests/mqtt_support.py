"""What the MQTT tests and the ingestion benchmark share: a Mosquitto of their own, a publisher that knows what the
broker accepted, worker processes, and a migrated SQLite file with sensors, built once and copied."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from confiance.core.testing import CONFIANCE, PROJECT_ROOT, free_port, migrated_database, service_reachable

MOSQUITTO = "/usr/sbin/mosquitto"
MACHINE_BROKER = ("127.0.0.1", 1883)


class Broker:
    """A Mosquitto of our own on a free port, with persistence, so that a test can restart or kill it."""

    def __init__(self, directory: Path, *, max_queued: int = 0) -> None:
        self.directory = directory
        self.port = free_port()
        self.config = directory / "mosquitto.conf"
        (directory / "data").mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {directory / 'data'}/\nautosave_interval 0\n"
            f"max_queued_messages {max_queued}\nmax_inflight_messages 0\nlog_dest file {directory / 'broker.log'}\n"
            f"user {getpass.getuser()}\n")  # started by root, Mosquitto would become `mosquitto` and not write here
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not service_reachable("127.0.0.1", self.port, 0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto did not start: {(self.directory / 'broker.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: Mosquitto writes its persistence file (sessions, queued messages) and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def restart(self, down_s: float = 1.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def rss_kib(self) -> int:
        return rss_kib(self.process.pid) if self.process else 0


@contextmanager
def own_broker(**options) -> Iterator[Broker]:
    with tempfile.TemporaryDirectory(prefix="confiance-mosquitto-") as directory:
        broker = Broker(Path(directory), **options)
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()


def rss_kib(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:  # gone
        return 0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def alive(pid: int) -> bool:
    """The process runs (a zombie, ended and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


# --- publishing ----------------------------------------------------------------------------------------------


def message(device: str, at: datetime, values: dict[str, float]) -> bytes:
    return json.dumps({"time": at.isoformat().replace("+00:00", "Z"), "values": values}).encode()


@dataclass
class Publication:
    accepted: set[int] = field(default_factory=set)  # indexes of the messages the broker acknowledged (PUBACK)
    published: int = 0
    seconds: float = 0.0
    reconnects: int = 0

    @property
    def rate(self) -> float:
        return self.published / self.seconds if self.seconds else 0.0


def publish(url_port: int, messages: Iterable[tuple[str, bytes]], *, host: str = "127.0.0.1",
            client_id: str = "", rate: float = 0.0, inflight: int = 1000, drain_s: float = 60.0,
            stop: threading.Event | None = None) -> Publication:
    """Publish (topic, payload) pairs at QoS 1 (at most `rate` per second when given); a message counts as accepted
    once the broker acknowledged it. Across a broker restart paho resends what was not acknowledged."""
    result = Publication()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or f"bench-pub-{os.getpid()}-{time.time()}",
                         protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(inflight)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(0.2, 2)
    index_of: dict[int, int] = {}
    lock = threading.Lock()
    freed = threading.Condition(lock)
    connected = threading.Event()

    early: dict[int, bool] = {}  # acknowledged before `publish` returned its mid

    def on_publish(client, userdata, mid, reason_code, properties):  # never call paho while holding `lock`
        with lock:
            index = index_of.pop(mid, None)
            if index is None:
                early[mid] = not reason_code.is_failure
            elif not reason_code.is_failure:
                result.accepted.add(index)
            if len(index_of) <= inflight // 2:
                freed.notify()

    def on_connect(client, userdata, flags, reason_code, properties):
        if not reason_code.is_failure:
            connected.set()

    def on_disconnect(client, userdata, flags, reason_code, properties):
        result.reconnects += 1

    client.on_publish = on_publish
    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 300
    client.connect_async(host, url_port, keepalive=10, clean_start=False, properties=properties)
    client.loop_start()
    if not connected.wait(10):
        client.loop_stop()
        raise RuntimeError("publisher could not connect")
    started = time.perf_counter()
    try:
        for index, (topic, payload) in enumerate(messages):
            if stop is not None and stop.is_set():
                break
            if rate:
                ahead = started + index / rate - time.perf_counter()
                if ahead > 0:
                    time.sleep(ahead)
            with lock:  # paho's packet ids are 16-bit: never more than `inflight` unacknowledged ones
                if len(index_of) >= inflight:  # then wait for half of them: fewer hand-overs between threads
                    while len(index_of) > inflight // 2:
                        freed.wait(1)
            info = client.publish(topic, payload, qos=1)
            with lock:
                if info.mid in early:
                    if early.pop(info.mid):
                        result.accepted.add(index)
                else:
                    index_of[info.mid] = index
            result.published += 1
        result.seconds = time.perf_counter() - started
        deadline = time.monotonic() + drain_s
        while time.monotonic() < deadline:
            with lock:
                if not index_of:
                    break
            time.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
    return result


# --- the database and the worker processes ---------------------------------------------------------------------

SEED = r"""
import sys
import django
django.setup()
from confiance.devices.tests.factories import make_device
from confiance.territory.tests.factories import make_commune
commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
quantities = sys.argv[2].split(",")
for index in range(int(sys.argv[1])):
    make_device(commune, f"capteur-{index}", kind="air_quality", quantities=quantities)
"""

_templates: dict[tuple[int, str], Path] = {}


def database_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "CONFIANCE_ENV": "test", "CONFIANCE_DATA_DIR": str(data_dir), "DATABASE_URL": "",
           "PYTHONUNBUFFERED": "1", **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def sqlite_database(data_dir: Path, *, devices: int = 20, quantities: str = "pm10,pm25,no2,battery") -> dict:
    """A migrated SQLite file with `devices` sensors capteur-0... measuring `quantities`, in `data_dir`; migrated
    and seeded once per process (15 s), then copied."""
    key = (devices, quantities)
    if key not in _templates:
        template = Path(tempfile.mkdtemp(prefix="confiance-mqtt-template-"))
        env = database_env(template)
        subprocess.run([CONFIANCE, "migrate", "--noinput"], env=env, check=True, capture_output=True,
                       cwd=PROJECT_ROOT)
        subprocess.run([sys.executable, "-c", SEED, str(devices), quantities], check=True, capture_output=True,
                       env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT)
        _templates[key] = template
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("confiance.sqlite3", "confiance.sqlite3-wal", "confiance.sqlite3-shm"):
        source = _templates[key] / name
        if source.exists():
            shutil.copy(source, data_dir / name)
    return database_env(data_dir)


POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database(data_dir: Path, *, devices: int = 20,
                      quantities: str = "pm10,pm25,no2,battery") -> Iterator[dict]:
    """A migrated PostgreSQL database of its own on the machine's server (the suite's DATABASE_URL when it names
    one), seeded like `sqlite_database`; yields the workers' environment, and drops the database afterwards."""
    suite = os.environ.get("DATABASE_URL", "")
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = suite if suite.startswith("postgres") else POSTGRES_URL
    try:
        copied = migrated_database(data_dir)
        migrated = copied.__enter__()
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
    try:
        env = database_env(data_dir, DATABASE_URL=migrated["DATABASE_URL"])
        subprocess.run([sys.executable, "-c", SEED, str(devices), quantities], check=True, capture_output=True,
                       env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT)
        yield env
    finally:
        copied.__exit__(None, None, None)


def postgres_totals(env: dict) -> tuple[int, float]:
    """Count and sum of the stored values in the database `env` names."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        count, total = db.execute("SELECT count(*), coalesce(sum(value), 0) FROM devices_measurement").fetchone()
    return count, total


def measurement_totals(data_dir: Path) -> tuple[int, float]:
    """Count and sum of the stored values, read straight from the SQLite file."""
    with sqlite3.connect(data_dir / "confiance.sqlite3", timeout=30) as db:
        count, total = db.execute("SELECT count(*), coalesce(sum(value), 0) FROM devices_measurement").fetchone()
    return count, total


def dead_letters(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(data_dir / "confiance.sqlite3", timeout=30) as db:
        return dict(db.execute("SELECT reason, count(*) FROM devices_deadletter GROUP BY reason").fetchall())


class WorkerProcess:
    """`confiance devices ingest` in a child process, its counters read from its standard output."""

    started: list[WorkerProcess] = []

    def __init__(self, env: dict[str, str], *args: str, log: Path) -> None:
        WorkerProcess.started.append(self)
        self.log = open(log, "w")  # noqa: SIM115
        self.process = subprocess.Popen([CONFIANCE, "devices", "ingest", "--stats-every", "0.5", *args], env=env,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=PROJECT_ROOT)
        self.last: dict = {}
        self.lines: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.last = json.loads(line)
            except ValueError:
                continue
            self.lines.append(self.last)

    def terminate(self, timeout: float = 120) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        self.log.close()
        return code

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        self.log.close()

    def rss_kib(self) -> int:
        """The worker's resident memory (its MQTT connection process apart: `connection_rss_kib`)."""
        return rss_kib(self.process.pid)

    def connection_pids(self) -> list[int]:
        """The worker's MQTT connection process (receiver.py), once started."""
        return children_of(self.process.pid) if self.process.poll() is None else []

    def connection_rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in self.connection_pids())

    @classmethod
    def kill_leftovers(cls) -> None:
        """After a failed test: no worker of ours outlives it."""
        for worker in cls.started:
            if worker.process.poll() is None:
                worker.kill()
        cls.started.clear()


def wait_for(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def spaced(start: datetime, step_s: float, index: int) -> datetime:
    return start + timedelta(seconds=step_s * index)


def recent_start(count_per_device: int, step_s: float = 1.0) -> datetime:
    """An observation start such that the newest value is a minute in the past (never refused as future)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=count_per_device * step_s + 60)
