"""The delivery worker as real processes: killed with SIGKILL halfway then restarted, every targeted subscriber
gets the alert exactly once per channel; two workers at once never send the same message. SQLite and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from confiance.alerts.tests.smtp_sink import SmtpSink
from confiance.core.testing import CONFIANCE, PROJECT_ROOT
from conftest import require_service

PG_URL = os.environ.get("CONFIANCE_PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SUBSCRIBERS = 240

SEED = """
from confiance.alerts.delivery import enqueue_alert
from confiance.alerts.tests.delivery_factories import make_published_alert, polygon_feature, spread_subscribers
from confiance.territory.tests.factories import make_commune
commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
people = spread_subscribers(commune, SUBSCRIBERS, phones=True)
area = {"type": "FeatureCollection", "features": [polygon_feature(
    [[2.399, 48.549], [2.414, 48.549], [2.414, 48.571], [2.399, 48.571], [2.399, 48.549]])]}
alert = make_published_alert(commune, area=area)
dispatch = enqueue_alert(alert.pk)
inside = sorted(p.email for p in people if p.lon <= 2.414)
print(json.dumps({"targeted": dispatch.targeted, "emails": inside,
                  "phones": sorted(p.phone for p in people if p.lon <= 2.414)}))
""".replace("SUBSCRIBERS", str(SUBSCRIBERS))

CHECK = """
from django.db.models import Count
from confiance.alerts.models import Delivery
rows = Delivery.objects.values("channel", "status").annotate(n=Count("id"))
print(json.dumps({f"{row['channel']}:{row['status']}": row["n"] for row in rows}))
"""


def _run(env, code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", "import json, django; django.setup()\n" + code],
                          env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker(env, *args: str) -> subprocess.Popen:
    return subprocess.Popen([CONFIANCE, "alerts", "deliver", "--batch", "10", "--idle", "0.1", *args], env=env,
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _postgresql_database(tmp_path):
    require_service("postgresql")
    import psycopg

    name = f"confiance_delivery_{uuid.uuid4().hex[:10]}"
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
def delivery_world(request, tmp_path):
    with request.param(tmp_path) as database, SmtpSink(delay=0.01) as sink:
        env = {**os.environ, "CONFIANCE_ENV": "test", "CONFIANCE_DATA_DIR": str(tmp_path), **database,
               "CONFIANCE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
               "CONFIANCE_EMAIL_HOST": "127.0.0.1", "CONFIANCE_EMAIL_PORT": str(sink.port),
               "CONFIANCE_SMS_FILE": str(tmp_path / "sms.log"), "CONFIANCE_SMS_PER_SECOND": "1000",
               "CONFIANCE_ALERTS_CLAIM_SECONDS": "2"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run([CONFIANCE, "migrate", "--noinput"], env=env, check=True, capture_output=True,
                       cwd=PROJECT_ROOT)
        seeded = _run(env, SEED)
        yield env, sink, seeded, tmp_path / "sms.log"


def _wait(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _sms_keys(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split("\t")[1:3]) for line in path.read_text(encoding="utf-8").splitlines()]


def _assert_exactly_once(sink, seeded, sms_file, env, *, in_flight: int) -> None:
    targeted = seeded["targeted"]
    by_recipient: dict[str, set[str]] = {}
    for message in sink.messages:
        for recipient in message.recipients:
            by_recipient.setdefault(recipient, set()).add(message.message_id)
    assert sorted(by_recipient) == seeded["emails"]  # every targeted subscriber, nobody else
    assert all(len(ids) == 1 for ids in by_recipient.values())  # one message (one Message-ID) each
    assert len(sink.messages) - targeted <= in_flight  # a message handed over at the kill comes again, same ID
    sms = _sms_keys(sms_file)
    assert sorted(phone for _key, phone in sms) == seeded["phones"]  # the file gateway tells what it has
    assert _run(env, CHECK) == {"email:sent": targeted, "sms:sent": targeted}


def test_a_worker_killed_halfway_leaves_every_subscriber_warned_exactly_once_per_channel(delivery_world):
    env, sink, seeded, sms_file = delivery_world
    targeted = seeded["targeted"]
    assert targeted > 60
    worker = _worker(env)
    _wait(lambda: len(sink.messages) >= targeted // 2, 120)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    assert len(sink.messages) < targeted  # really halfway
    restarted = _worker(env)
    try:
        _wait(lambda: _run(env, CHECK) == {"email:sent": targeted, "sms:sent": targeted}, 120)
    finally:
        restarted.send_signal(signal.SIGTERM)
        _, err = restarted.communicate(timeout=30)
    assert restarted.returncode == 0, err
    _assert_exactly_once(sink, seeded, sms_file, env, in_flight=1)


def test_two_workers_at_once_never_send_the_same_message(delivery_world):
    env, sink, seeded, sms_file = delivery_world
    workers = [_worker(env, "--once") for _ in range(2)]
    for worker in workers:
        _, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
    assert Counter(message.message_id for message in sink.messages).most_common(1)[0][1] == 1
    _assert_exactly_once(sink, seeded, sms_file, env, in_flight=0)
