"""The MQTT worker as it runs: real Mosquitto, real `confiance devices ingest` processes, a SQLite file.

Worker kill -9 and broker restart run against a Mosquitto of their own (persistence on, no queue limit) so that the
test can kill or restart it; the shared subscription and bad inputs run against the machine's broker (1883), on
topics of their own. "Accepted" is what the broker acknowledged to the publisher (PUBACK): every such message must
be stored exactly once (count and sum of the values).
"""

import json
import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from confiance.devices.tests.mqtt_support import (
    MOSQUITTO,
    WorkerProcess,
    alive,
    dead_letters,
    measurement_totals,
    message,
    own_broker,
    postgres_database,
    postgres_totals,
    publish,
    recent_start,
    spaced,
    sqlite_database,
    wait_for,
)
from conftest import require_service

pytestmark = pytest.mark.service

DEVICES = 25


@pytest.fixture(autouse=True)
def _no_leftover_worker():
    yield
    WorkerProcess.kill_leftovers()


def _need_mosquitto():
    if not Path(MOSQUITTO).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MOSQUITTO} missing")
        pytest.skip(f"{MOSQUITTO} missing")


def _stream(prefix: str, count: int, *, first: int = 0):
    """`count` messages, one value each, spread over the devices one second apart; value i % 1000 / 10."""
    start = recent_start(count // DEVICES + 1)
    for index in range(first, first + count):
        device = f"capteur-{index % DEVICES}"
        yield (f"{prefix}/{device}/up",
               message(device, spaced(start, 1, index // DEVICES), {"pm10": index % 1000 / 10}))


def _expected(accepted: set[int]) -> tuple[int, float]:
    return len(accepted), sum(index % 1000 / 10 for index in accepted)


def _connected(worker: WorkerProcess, timeout: float = 60) -> None:
    assert wait_for(lambda: worker.last.get("connects", 0) >= 1 or worker.process.poll() is not None, timeout, 0.05)
    assert worker.process.poll() is None, Path(worker.log.name).read_text()[-3000:]
    time.sleep(0.3)  # the SUBACK


def _assert_exactly_once(data_dir: Path, accepted: set[int], timeout: float = 90) -> None:
    expected = _expected(accepted)
    wait_for(lambda: measurement_totals(data_dir)[0] >= expected[0], timeout, 0.5)
    count, total = measurement_totals(data_dir)
    assert count == expected[0]
    assert total == pytest.approx(expected[1], abs=1e-6)


def _in_thread(target, *args, **kwargs):
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", target(*args, **kwargs)), daemon=True)
    thread.start()
    return thread, box


def test_kill_9_in_the_middle_of_50000_messages_then_restart_stores_each_once(tmp_path):
    _need_mosquitto()
    env = sqlite_database(tmp_path / "db", devices=DEVICES, quantities="pm10,battery")
    with own_broker() as broker:
        args = ("--url", broker.url, "--client-id", "ingest-kill", "--share-group", "-")
        worker = WorkerProcess(env, *args, log=tmp_path / "worker-1.log")
        _connected(worker)
        publisher, box = _in_thread(publish, broker.port, _stream("confiance/v1", 50_000))
        assert wait_for(lambda: measurement_totals(tmp_path / "db")[0] >= 8_000, 90, 0.1)
        connection_process = worker.connection_pids()
        assert len(connection_process) == 1
        worker.kill()  # SIGKILL: batches committed but not acknowledged are redelivered
        # its connection process ends with it (else it would reconnect and take the session from the next worker)
        assert wait_for(lambda: not alive(connection_process[0]), 10, 0.05)
        stored_at_kill = measurement_totals(tmp_path / "db")[0]
        assert stored_at_kill < 50_000
        restarted = WorkerProcess(env, *args, log=tmp_path / "worker-2.log")
        publisher.join(timeout=120)
        accepted = box["result"].accepted
        assert len(accepted) == 50_000
        _assert_exactly_once(tmp_path / "db", accepted)
        connection_process = restarted.connection_pids()
        assert restarted.terminate() == 0
        assert restarted.last["state"] == "stopped" and restarted.last["acked"] == restarted.last["messages_stored"]
        assert not any(alive(pid) for pid in connection_process)


def test_kill_9_with_two_batches_stored_at_once_on_postgresql_then_restart_stores_each_once(tmp_path):
    """On PostgreSQL the worker stores two batches at once (ADR 0021): killed while both are in flight, what was
    committed and not acknowledged comes back as duplicates, what was acknowledged is stored."""
    _need_mosquitto()
    require_service("postgresql")
    with postgres_database(tmp_path / "db", devices=DEVICES, quantities="pm10,battery") as env, \
            own_broker() as broker:
        args = ("--url", broker.url, "--client-id", "ingest-kill-pg", "--share-group", "-")
        worker = WorkerProcess(env, *args, log=tmp_path / "worker-1.log")
        _connected(worker)
        assert worker.last["store_threads"] == 2
        publisher, box = _in_thread(publish, broker.port, _stream("confiance/v1", 50_000))
        assert wait_for(lambda: postgres_totals(env)[0] >= 8_000, 90, 0.1)
        worker.kill()
        assert postgres_totals(env)[0] < 50_000
        restarted = WorkerProcess(env, *args, log=tmp_path / "worker-2.log")
        publisher.join(timeout=120)
        accepted = box["result"].accepted
        assert len(accepted) == 50_000
        expected = _expected(accepted)
        wait_for(lambda: postgres_totals(env)[0] >= expected[0], 90, 0.5)
        count, total = postgres_totals(env)
        assert count == expected[0]
        assert total == pytest.approx(expected[1], abs=1e-6)
        assert restarted.terminate() == 0
        last = restarted.last
        assert last["state"] == "stopped" and last["acked"] == last["messages_stored"] and last["store_threads"] == 2


def test_broker_restart_during_a_run_the_worker_reconnects_and_nothing_is_lost(tmp_path):
    _need_mosquitto()
    env = sqlite_database(tmp_path / "db", devices=DEVICES, quantities="pm10,battery")
    with own_broker() as broker:
        worker = WorkerProcess(env, "--url", broker.url, "--client-id", "ingest-restart", "--share-group", "-",
                               log=tmp_path / "worker.log")
        _connected(worker)
        publisher, box = _in_thread(publish, broker.port, _stream("confiance/v1", 15_000), rate=4_000)
        assert wait_for(lambda: measurement_totals(tmp_path / "db")[0] >= 2_000, 60, 0.1)
        broker.restart(down_s=1.5)  # SIGTERM: Mosquitto saves its sessions and queues, then starts again
        publisher.join(timeout=120)
        result = box["result"]
        assert result.reconnects >= 1
        assert len(result.accepted) == 15_000
        _assert_exactly_once(tmp_path / "db", result.accepted)
        assert worker.last["connects"] >= 2
        assert worker.terminate() == 0


def test_two_workers_on_a_shared_subscription_split_the_stream_exactly_once(tmp_path):
    require_service("mqtt")
    env = sqlite_database(tmp_path / "db", devices=DEVICES, quantities="pm10,battery")
    run = uuid.uuid4().hex[:8]
    prefix = f"test-{run}/v1"
    common = ("--url", "mqtt://127.0.0.1:1883", "--prefix", prefix, "--share-group", f"g{run}",
              "--session-expiry", "60")
    workers = [WorkerProcess(env, *common, "--client-id", f"ingest-{run}-{n}", log=tmp_path / f"worker-{n}.log")
               for n in (1, 2)]
    for worker in workers:
        _connected(worker)
    # Paced: the machine's broker keeps at most 1,000 queued messages per session (Mosquitto's default).
    result = publish(1883, _stream(prefix, 10_000), rate=2_500)
    assert len(result.accepted) == 10_000
    _assert_exactly_once(tmp_path / "db", result.accepted)
    for worker in workers:
        assert worker.terminate() == 0
    shares = [worker.last["messages_stored"] for worker in workers]
    assert all(share > 1_000 for share in shares), shares  # both took part
    assert sum(shares) >= 10_000


def _bad_inputs() -> dict[str, list[bytes]]:
    """Payloads published on a known sensor's topic, by the dead-letter reason each must get."""
    past, future = int(time.time()) - 3600, int(time.time()) + 3600

    def doc(**fields) -> bytes:
        return json.dumps(fields).encode()

    return {
        "malformed": [b"{not json", b"\xc3\x28", b'"texte"', doc(time=past),
                      doc(device="autre", time=past, values={"pm10": 1})],
        "wrong_type": [doc(time=past, values={"pm10": "haut"}), doc(time=past, values={"pm10": True}),
                       b'{"time": %d, "values": {"pm10": 1%s}}' % (past, b"0" * 400)],  # too large for a float
        "time_invalid": [doc(time="hier", values={"pm10": 1}), doc(time="2026-01-01T00:00:00", values={"pm10": 1})],
        "future_time": [doc(time=future, values={"pm10": 1})],
        "oversize": [doc(time=past, values={"pm10": 1}, x="a" * 300_000)],
        "unknown_quantity": [doc(time=past, values={"flow": 1})],
    }


def test_bad_inputs_are_dead_lettered_and_counted_and_the_run_goes_on(tmp_path):
    require_service("mqtt")
    env = sqlite_database(tmp_path / "db", devices=DEVICES, quantities="pm10,battery")
    run = uuid.uuid4().hex[:8]
    prefix = f"test-{run}/v1"
    worker = WorkerProcess(env, "--url", "mqtt://127.0.0.1:1883", "--prefix", prefix, "--share-group", "-",
                           "--client-id", f"ingest-{run}", "--session-expiry", "60", log=tmp_path / "worker.log")
    _connected(worker)
    inputs = _bad_inputs()
    bad = [(f"{prefix}/capteur-1/up", payload) for payloads in inputs.values() for payload in payloads]
    bad.append((f"{prefix}/inconnu-9/up", json.dumps({"time": int(time.time()), "values": {"pm10": 1}}).encode()))
    good = list(_stream(prefix, 500))
    mixed = [item for pair in zip(good, bad, strict=False) for item in pair if item] + good[len(bad):]
    result = publish(1883, mixed)
    assert len(result.accepted) == len(mixed)
    _assert_exactly_once(tmp_path / "db", set(range(500)))
    expected = {reason: len(payloads) for reason, payloads in inputs.items()}
    expected["unknown_device"] = 1
    assert wait_for(lambda: dead_letters(tmp_path / "db") == expected, 30)
    assert worker.process.poll() is None  # still running
    assert worker.terminate() == 0
    assert worker.last["rejected"] == sum(expected.values())
