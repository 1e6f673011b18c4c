"""E-mails of reports: sent together over one connection, retried, given up; and claimed before sending, so each
notification leaves once even when senders meet."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlparse, urlunparse

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.utils import timezone

from confiance.core.testing import CONFIANCE, PROJECT_ROOT
from confiance.reports.choices import NotificationStatus
from confiance.reports.drafts import Reporter
from confiance.reports.models import ReportNotification
from confiance.reports.notifications import CLAIM_TIMEOUT, MAX_ATTEMPTS, notification_send
from confiance.reports.tests.factories import make_world, submit
from conftest import require_service

PG_URL = os.environ.get("CONFIANCE_PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")


class SlowRecordingBackend(locmem.EmailBackend):
    """Records who sent what, a little slowly, so that two senders overlap."""

    lock = threading.Lock()
    sent_by: dict[str, list[str]] = {}

    def send_messages(self, messages):
        time.sleep(0.002 * len(messages))
        with SlowRecordingBackend.lock:
            for message in messages:
                SlowRecordingBackend.sent_by.setdefault(threading.current_thread().name, []).append(message.to[0])
        return super().send_messages(messages)


def queue(count: int, *, prefix: str = "habitant") -> list[int]:
    now = timezone.now()
    rows = ReportNotification.objects.bulk_create(
        ReportNotification(recipient=f"{prefix}{n}@example.org", subject=f"n° {n}", body="corps", created_at=now)
        for n in range(count))
    return [row.pk for row in rows]


def send_until_empty(barrier: threading.Barrier) -> None:
    barrier.wait(10)
    try:
        while notification_send(limit=7) != (0, 0):
            pass
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sender_threads_send_each_notification_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("threads on the in-memory SQLite test database meet table locks: two processes below")
    settings.EMAIL_BACKEND = f"{__name__}.SlowRecordingBackend"
    SlowRecordingBackend.sent_by = {}
    mail.outbox = []
    queue(60)
    barrier = threading.Barrier(2)
    senders = [threading.Thread(target=send_until_empty, args=(barrier,), name=f"sender-{n}") for n in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    recipients = [address for sent in SlowRecordingBackend.sent_by.values() for address in sent]
    assert sorted(recipients) == sorted(f"habitant{n}@example.org" for n in range(60))  # each once, none lost
    assert len(mail.outbox) == 60
    statuses = set(ReportNotification.objects.values_list("status", "attempts", "claim_token"))
    assert statuses == {(NotificationStatus.SENT, 1, "")}


@pytest.mark.django_db
def test_a_row_claimed_by_another_sender_is_left_to_it_until_the_claim_is_stale(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    claimed, free = queue(2)
    ReportNotification.objects.filter(pk=claimed).update(status=NotificationStatus.SENDING, claim_token="autre",
                                                         claimed_at=timezone.now())
    assert notification_send() == (1, 0)
    assert [message.to for message in mail.outbox] == [["habitant1@example.org"]]
    assert ReportNotification.objects.get(pk=claimed).status == NotificationStatus.SENDING
    stale = timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1)
    ReportNotification.objects.filter(pk=claimed).update(claimed_at=stale)  # its sender died mid-batch
    assert notification_send() == (1, 0)
    assert ReportNotification.objects.get(pk=claimed).status == NotificationStatus.SENT
    assert ReportNotification.objects.get(pk=free).attempts == 1


@pytest.mark.django_db
def test_the_mail_thread_and_the_sweep_do_not_both_send_a_notification(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    ids = queue(3)
    assert notification_send(ids=ids, limit=len(ids)) == (3, 0)  # the mail thread's batch
    assert notification_send() == (0, 0)  # the sweep right after finds nothing to send
    assert len(mail.outbox) == 3


SEED = """
import json, sys
from django.utils import timezone
from confiance.reports.models import ReportNotification
now = timezone.now()
rows = ReportNotification.objects.bulk_create(ReportNotification(recipient=f"habitant{n}@example.org", subject="s",
    body="b", created_at=now) for n in range(int(sys.argv[1])))
print(json.dumps(len(rows)))
"""

SENDER = """
import json, sys
from django.core import mail
from confiance.reports.notifications import notification_send
mail.outbox = []
print("ready", flush=True)
sys.stdin.readline()
while notification_send(limit=7) != (0, 0):
    pass
print(json.dumps([message.to[0] for message in mail.outbox]))
"""


def _run(env: dict[str, str], code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import django; django.setup()\n" + code, *args],
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=PROJECT_ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _output(process: subprocess.Popen):
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _postgresql_database(tmp_path):
    require_service("postgresql")
    import psycopg

    name = f"confiance_mail_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlunparse(urlparse(PG_URL)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _sqlite_database(tmp_path):
    yield {"DATABASE_URL": ""}  # the default: a file in CONFIANCE_DATA_DIR, writers queued on its lock


@pytest.fixture(params=[
    pytest.param(_sqlite_database, id="sqlite"),
    pytest.param(contextmanager(_postgresql_database), id="postgresql", marks=pytest.mark.service),
])
def empty_database(request, tmp_path):
    """A new database, migrated, for processes of their own; dropped afterwards."""
    with request.param(tmp_path) as database:
        env = {**os.environ, "CONFIANCE_ENV": "test", "CONFIANCE_DATA_DIR": str(tmp_path),
               "CONFIANCE_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", **database}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run([CONFIANCE, "migrate", "--noinput"], env=env, check=True, capture_output=True,
                       cwd=PROJECT_ROOT)
        yield env


def test_two_sender_processes_send_each_notification_once(empty_database):
    env = empty_database
    assert _output(_run(env, SEED, "300")) == 300
    senders = [_run(env, SENDER) for _ in range(2)]
    for sender in senders:
        assert sender.stdout.readline().strip() == "ready"
    for sender in senders:  # both start together
        sender.stdin.write("go\n")
        sender.stdin.flush()
    sent = [_output(sender) for sender in senders]
    assert sorted(sent[0] + sent[1]) == sorted(f"habitant{n}@example.org" for n in range(300))
    assert all(sent), sent  # both processes took part


@pytest.fixture
def world():
    return make_world()


class CountingBackend(locmem.EmailBackend):
    """The test mail transport: counts connections opened and refuses mail to addresses containing "panne"."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        if any("panne" in address for message in messages for address in message.to):
            raise ConnectionRefusedError("serveur de messagerie injoignable")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_notifications_leave_together_over_one_connection(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    CountingBackend.opened = 0
    for index in range(3):
        submit(world, description=f"n° {index}", reporter=Reporter(email=f"ana{index}@example.org", consent=True))
    queued = ReportNotification.objects.count()  # the reporters' receipts and the services' e-mails
    assert queued >= 3 and notification_send() == (queued, 0)
    assert CountingBackend.opened == 1
    assert {f"ana{i}@example.org" for i in range(3)} <= {message.to[0] for message in mail.outbox}
    assert len(mail.outbox) == queued
    sent = ReportNotification.objects.all()
    assert {(n.status, n.attempts) for n in sent} == {(NotificationStatus.SENT, 1)}
    assert all(n.sent_at is not None for n in sent)
    assert notification_send() == (0, 0)  # nothing is sent twice


@pytest.mark.django_db
def test_a_refused_notification_is_retried_then_given_up_the_others_leave(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    submit(world, description="a", reporter=Reporter(email="ana@example.org", consent=True))
    submit(world, description="b", reporter=Reporter(email="panne@example.org", consent=True))
    assert notification_send() == (ReportNotification.objects.count() - 1, 1)
    refused = ReportNotification.objects.get(recipient="panne@example.org")
    assert refused.status == NotificationStatus.PENDING and refused.attempts == 1
    assert "injoignable" in refused.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        notification_send()
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.FAILED and refused.attempts == MAX_ATTEMPTS
    assert ["ana@example.org"] in [message.to for message in mail.outbox]
    assert ["panne@example.org"] not in [message.to for message in mail.outbox]
