"""The MQTT worker on a real Mosquitto: Frigate's `events` and `reviews` beside the sensors' topics; a legal event
stored once however often it is delivered, the rest counted, nothing of the planted identities in the database."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from confiance.core.testing import PROJECT_ROOT
from confiance.devices.tests.mqtt_support import (
    MOSQUITTO,
    WorkerProcess,
    own_broker,
    publish,
    sqlite_database,
    wait_for,
)
from confiance.devices.tests.video_support import PLANTED, frigate_event, frigate_review

pytestmark = pytest.mark.service

SEED = r"""
import django
django.setup()
from confiance.devices.choices import VideoEventType
from confiance.devices.tests.video_support import make_basis, make_camera, map_label
from confiance.territory.models import Commune
commune = Commune.objects.get(insee_code="91386")
covered, uncovered = make_camera(commune, "cam-gare"), make_camera(commune, "cam-mairie")
for camera in (covered, uncovered):
    map_label(camera, "fire", VideoEventType.FIRE_START)
make_basis(commune, [covered])
"""


@pytest.fixture(autouse=True)
def _no_leftover_worker():
    yield
    WorkerProcess.kill_leftovers()


def test_frigate_topics_through_the_worker_on_mosquitto(tmp_path):
    if not Path(MOSQUITTO).exists():
        pytest.skip(f"{MOSQUITTO} missing")
    env = {**sqlite_database(tmp_path, devices=1), "CONFIANCE_FRIGATE_TOPIC_PREFIX": "frigate"}
    subprocess.run([sys.executable, "-c", SEED], env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    with own_broker() as broker:
        worker = WorkerProcess(env, "--url", broker.url, "--client-id", "video-test", "--share-group", "-",
                               log=tmp_path / "worker.log")
        assert wait_for(lambda: worker.last.get("connects", 0) >= 1 or worker.process.poll() is not None, 60, 0.05)
        assert worker.process.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        messages = [("frigate/events", frigate_event("cam-gare", "fire", kind="new")),
                    ("frigate/events", frigate_event("cam-gare", "fire", kind="update")),
                    ("frigate/events", frigate_event("cam-gare", "fire", kind="end")),
                    ("frigate/events", frigate_event("cam-gare", "fire", kind="end")),  # a redelivery
                    ("frigate/reviews", frigate_review("cam-gare", ["fire"])),
                    ("frigate/events", frigate_event("cam-mairie", "fire", identifier="no-basis")),
                    ("frigate/events", frigate_event("cam-gare", "dog", identifier="unmapped")),
                    ("frigate/events", b"not json"), ("frigate/other", b"{}")]
        time.sleep(0.3)  # the SUBACK
        assert len(publish(broker.port, messages).accepted) == len(messages)
        assert wait_for(lambda: worker.last.get("video_stored", 0) + worker.last.get("video_duplicates", 0)
                        + worker.last.get("video_refused", 0) >= 8, 60, 0.1)
        assert worker.terminate() == 0
    stats = worker.last
    assert (stats["video_stored"], stats["video_duplicates"], stats["video_refused"]) == (2, 3, 3)
    with sqlite3.connect(tmp_path / "confiance.sqlite3") as db:
        kinds = db.execute("SELECT event_type, source FROM devices_detection").fetchall()
        refused = dict(db.execute("SELECT reason, sum(count) FROM devices_videodropcount GROUP BY reason"))
        assert sorted(kinds) == [("fire_start", "frigate"), ("fire_start", "frigate")]
        assert refused == {"no_basis": 1, "unmapped": 1, "malformed": 1}
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            text = repr(db.execute(f'SELECT * FROM "{table}"').fetchall()).lower()  # noqa: S608 (schema names)
            assert not [value for value in PLANTED if value.lower() in text], table
    log = (tmp_path / "worker.log").read_text()
    assert not [value for value in PLANTED if value in log]
