"""Exactly one alarm, whatever the burst and however many workers: 1,000 over-threshold values of one device
observed within 10 ms, stored by two OS processes calling `measurements_store` at the same time, on PostgreSQL
(and on SQLite, whose writers take turns)."""

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

import pytest

from confiance.core.testing import CONFIANCE, PROJECT_ROOT
from conftest import require_service

PG_URL = os.environ.get("CONFIANCE_PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")

SEED = """
from confiance.devices.choices import Quantity
from confiance.devices.models import Rule
from confiance.devices.tests.factories import make_device
from confiance.territory.tests.factories import make_commune
commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
device = make_device(commune, "essonne-mennecy", quantities=(Quantity.WATER_LEVEL,))
Rule.objects.create(commune=commune, name="Crue", quantity="water_level", threshold=2.0, clear_threshold=1.5,
                    escalate_after_min=0)
print(json.dumps(device.pk))
"""

WORKER = """
import sys
from datetime import UTC, datetime, timedelta
from confiance.devices.choices import MeasurementSource
from confiance.devices.drafts import Parsed, Reading
from confiance.devices.services.measurements import measurements_store
share, workers, total, batch = (int(arg) for arg in sys.argv[1:5])
t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
mine = [Reading("essonne-mennecy", "water_level", t0 + timedelta(microseconds=10 * i), 2.5 + i / 10000)
        for i in range(total) if i % workers == share]
measurements_store(Parsed(readings=mine[:1]), source=MeasurementSource.MQTT)  # warm: registry and rules built
print("ready", flush=True)
sys.stdin.readline()
stored = 0
for start in range(1, len(mine), batch):
    stored += measurements_store(Parsed(readings=mine[start:start + batch]), source=MeasurementSource.MQTT).stored
print(json.dumps(stored + 1))
"""

CHECK = """
from confiance.devices.models import Alarm, AlarmStep, Device, Measurement
print(json.dumps({"alarms": Alarm.objects.count(), "open": Alarm.objects.filter(resolved_at__isnull=True).count(),
                  "steps": list(AlarmStep.objects.values_list("kind", flat=True)),
                  "measurements": Measurement.objects.count(), "state": Device.objects.get().state}))
"""


def _run(env, code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import json, django; django.setup()\n" + code, *args],
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _output(process: subprocess.Popen):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _postgresql_database(tmp_path):
    require_service("postgresql")
    import psycopg

    name = f"confiance_alarms_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlunparse(urlparse(PG_URL)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _sqlite_database(tmp_path):
    yield {"DATABASE_URL": ""}


@pytest.fixture(params=[
    pytest.param(contextmanager(_postgresql_database), id="postgresql", marks=pytest.mark.service),
    pytest.param(_sqlite_database, id="sqlite"),
])
def empty_database(request, tmp_path):
    with request.param(tmp_path) as database:
        env = {**os.environ, "CONFIANCE_ENV": "test", "CONFIANCE_DATA_DIR": str(tmp_path), **database}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run([CONFIANCE, "migrate", "--noinput"], env=env, check=True, capture_output=True,
                       cwd=PROJECT_ROOT)
        yield env


@pytest.mark.parametrize("batch", [5])
def test_a_burst_over_two_worker_processes_raises_exactly_one_alarm(empty_database, batch):
    env = empty_database
    _output(_run(env, SEED))
    workers = [_run(env, WORKER, str(share), "2", "1000", str(batch)) for share in range(2)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    for worker in workers:  # both start together
        worker.stdin.write("go\n")
        worker.stdin.flush()
    stored = [_output(worker) for worker in workers]
    assert stored == [500, 500]
    result = _output(_run(env, CHECK))
    assert result == {"alarms": 1, "open": 1, "steps": ["raised"], "measurements": 1000, "state": "alarm"}
    # two sweepers at once escalate it once
    sweepers = [subprocess.Popen([CONFIANCE, "devices", "sweep", "--once"], env=env, cwd=PROJECT_ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for sweeper in sweepers:
        _, err = sweeper.communicate(timeout=120)
        assert sweeper.returncode == 0, err
    assert _output(_run(env, CHECK))["steps"] == ["raised", "escalated"]
