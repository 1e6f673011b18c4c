"""Population alerts: targeting, enqueueing and the first e-mails, on 1,000,000 subscribers.

- Targeting: 1,000,000 subscribers spread over a commune of about 22 x 22 km, an alert polygon covering about a
  tenth of them: seconds to list the recipients by H3 cell (targeting.py), and in the same run a plain
  point-in-polygon test over every subscriber read from the database; both, and their ratio. Goal < 1 s, faster.
- Enqueueing: Delivery rows inserted per second for that alert (INSERT ... SELECT ... ON CONFLICT DO NOTHING).
  Goal >= 50,000/s.
- From approval to the first 10,000 e-mails handed to a local test SMTP server (confiance/alerts/tests/
  smtp_sink.py; aiosmtpd is not installed): seconds, with `confiance alerts deliver` already running (one
  worker on SQLite, two on PostgreSQL).

SQLite in the data folder of the run (BENCH_DATABASES=postgres with BENCH_DATABASE_URL for PostgreSQL).
BENCH_SMOKE=1: 20,000 subscribers and 1,000 e-mails, every path, in a few seconds.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT, SMOKE, emit, setup_django, smoke_check

BENCH = "alerts_targeting"
SUBSCRIBERS = 20_000 if SMOKE else 1_000_000
FIRST_EMAILS = 1_000 if SMOKE else 10_000
WEST, SOUTH, WIDTH, HEIGHT = 2.25, 48.45, 0.30, 0.20  # about 22 x 22 km around Mennecy
# An irregular hexagon of about a tenth of the box.
AREA = [(2.33, 48.52), (2.375, 48.505), (2.425, 48.52), (2.43, 48.56), (2.38, 48.575), (2.335, 48.555)]


def _database_env(folder: str) -> dict[str, str]:
    env = {"CONFIANCE_ENV": "test", "CONFIANCE_DATA_DIR": folder}
    if os.environ.get("BENCH_DATABASES", "sqlite").startswith("postgres"):
        import uuid

        import psycopg

        base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        name = f"bench_alerts_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{name}"
    return env


def _seed(commune_id: int, rng: np.random.Generator) -> None:
    import h3
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from confiance.alerts.models import Subscriber

    resolution = settings.CONFIANCE_H3_RESOLUTION
    lons = WEST + rng.random(SUBSCRIBERS) * WIDTH
    lats = SOUTH + rng.random(SUBSCRIBERS) * HEIGHT
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Subscriber._meta.db_table)
    sql = (f"INSERT INTO {table} (commune_id, status, token, lat, lon, h3_cell, email, email_confirmed_at, "  # noqa: S608
           "phone, phone_confirmed_at, sms_code_hash, sms_code_attempts, push_endpoint, push_p256dh, push_auth, "
           "created_at, confirmed_at) VALUES (%s, 'active', %s, %s, %s, %s, %s, %s, '', NULL, '', 0, '', '', '', "
           "%s, %s)")
    rows = [(commune_id, f"{index:032x}", float(lat), float(lon), h3.latlng_to_cell(lat, lon, resolution),
             f"habitant{index}@example.org", now, now, now)
            for index, (lat, lon) in enumerate(zip(lats.tolist(), lons.tolist(), strict=True))]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(sql, rows[start:start + 50_000])
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk insert (its insert threshold): statistics, and the
        # visibility map that lets targeting read the covering index alone. Measured straight after seeding, the
        # table would be in a state a real one is only in for that minute.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _workers(env: dict[str, str], count: int) -> list[subprocess.Popen]:
    command = [str(Path(sys.executable).with_name("confiance")), "alerts", "deliver", "--batch", "500",
               "--idle", "0.05"]
    workers = [subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True) for _ in range(count)]
    for worker in workers:  # up, URLs loaded, polling: as they are when an alert is approved
        worker.stdout.readline()
    return workers


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-alerts-")
    env = _database_env(folder)
    from confiance.alerts.tests.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        env.update({"CONFIANCE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "CONFIANCE_EMAIL_HOST": "127.0.0.1", "CONFIANCE_EMAIL_PORT": str(sink.port),
                    "CONFIANCE_SMS_FILE": str(Path(folder) / "sms.log")})
        setup_django(folder, env)
        from django.core.management import call_command
        from django.db import connection
        from shapely.geometry import Polygon

        from confiance.alerts.targeting import plain_targeted_ids, targeted_subscriber_ids
        from confiance.territory.tests.factories import make_commune

        call_command("migrate", verbosity=0)
        database = connection.vendor
        commune = make_commune(lon=WEST, lat=SOUTH, size=WIDTH, insee_code="91386", name="Mennecy")
        started = time.perf_counter()
        _seed(commune.pk, np.random.default_rng(7))
        emit(BENCH, "seed_subscribers", round(time.perf_counter() - started, 1), "s", subscribers=SUBSCRIBERS,
             database=database)
        area = Polygon(AREA)
        targeted_subscriber_ids(commune_ids=[commune.pk], area=area)  # warm the statement caches
        started = time.perf_counter()
        found = targeted_subscriber_ids(commune_ids=[commune.pk], area=area)
        by_cells = time.perf_counter() - started
        started = time.perf_counter()
        plain = plain_targeted_ids(commune_ids=[commune.pk], area=area)
        by_plain = time.perf_counter() - started
        smoke_check(np.array_equal(found, plain), f"cells found {len(found)}, the plain test {len(plain)}")
        emit(BENCH, "targeting_seconds", round(by_cells, 3), "s", recipients=len(found), subscribers=SUBSCRIBERS,
             database=database, goal="< 1 s")
        emit(BENCH, "plain_point_in_polygon_seconds", round(by_plain, 3), "s", subscribers=SUBSCRIBERS,
             database=database)
        emit(BENCH, "plain_over_targeting_ratio", round(by_plain / by_cells, 1), "x", database=database)
        _enqueue_and_send(commune, area, found, sink, env, database)


def _enqueue_and_send(commune, area, found, sink, env, database) -> None:
    from shapely.geometry import mapping

    from confiance.alerts import hooks
    from confiance.alerts.delivery import deliveries_insert
    from confiance.alerts.models import AlertDispatch, Delivery
    from confiance.alerts.tests.delivery_factories import make_published_alert

    feature = {"type": "Feature", "properties": {}, "geometry": mapping(area)}
    collection = {"type": "FeatureCollection", "features": [feature]}
    first = make_published_alert(commune, area=collection)
    started = time.perf_counter()
    counts = deliveries_insert(alert_id=first.pk, subscriber_ids=found)
    elapsed = time.perf_counter() - started
    smoke_check(counts["email"] == len(found), f"{counts['email']} rows for {len(found)} recipients")
    emit(BENCH, "deliveries_enqueued_per_second", round(len(found) / elapsed), "rows/s", rows=len(found),
         database=database, goal=">= 50,000/s")
    Delivery.objects.filter(alert=first).delete()
    AlertDispatch.objects.get_or_create(alert=first, defaults={"targeted": len(found)})  # not sent again
    count = 2 if database == "postgresql" else 1  # SQLite: one writer at a time, a second worker only waits
    workers = _workers(env, count)
    try:
        time.sleep(0.5)
        second = make_published_alert(commune, area=collection, headline="Crue : évacuation")
        received = len(sink.messages)
        started = time.monotonic()
        hooks.run_published(second.pk)  # what the approval's commit runs (alerts.services: alert_publish)
        deadline = started + 300
        while len(sink.messages) - received < FIRST_EMAILS and time.monotonic() < deadline:
            time.sleep(0.02)
        handed = len(sink.messages) - received
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
    smoke_check(handed >= FIRST_EMAILS, f"{handed} e-mails handed over in {elapsed:.1f} s")
    emit(BENCH, "approval_to_first_emails_seconds", round(elapsed, 2), "s", emails=FIRST_EMAILS, workers=count,
         database=database)


if __name__ == "__main__":
    main()
