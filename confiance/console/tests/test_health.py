"""/healthz answers 200 when the platform can work and 503 naming what cannot; /metrics is protected."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from confiance.core.testing import free_port
from confiance.devices.models import DeadLetter
from confiance.reports.models import ReportNotification
from conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)  # the checks read from their own threads: data is committed

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def health(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthy_platform_answers_200_with_each_check(client):
    status, body = health(client)
    assert (status, body["status"]) == (200, "ok")
    assert body["checks"] == {"database": "ok", "cache": "ok", "task_worker": "ok", "mail_queue": "ok",
                              "dead_letters": "ok"}


def test_mail_waiting_too_long_is_503(client):
    ReportNotification.objects.create(recipient="a@example.org", subject="s", body="b",
                                      created_at=timezone.now() - timedelta(seconds=60))
    assert health(client)[0] == 200  # young: being sent
    ReportNotification.objects.create(recipient="b@example.org", subject="s", body="b",
                                      created_at=timezone.now() - timedelta(hours=2))
    status, body = health(client)
    assert status == 503 and body["status"] == "error"
    assert "oldest waiting e-mail" in body["checks"]["mail_queue"] and body["checks"]["database"] == "ok"
    ReportNotification.objects.update(status="sent")
    assert health(client)[0] == 200


@override_settings(TASKS=DB_TASKS)
def test_task_nobody_takes_is_503(client):
    from django_tasks_db.models import DBTaskResult

    from confiance.analytics.tasks import run_analysis

    run_analysis.enqueue("00000000-0000-0000-0000-000000000000")
    assert health(client)[0] == 200
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=30))
    status, body = health(client)
    assert status == 503 and "oldest waiting task" in body["checks"]["task_worker"]


def test_ingestion_refusing_most_messages_is_503(client):
    DeadLetter.objects.bulk_create([DeadLetter(source="http", reason="unknown_device") for _ in range(19)])
    assert health(client)[0] == 200  # under the minimum count
    DeadLetter.objects.create(source="http", reason="unknown_device")
    status, body = health(client)
    assert status == 503 and "20 of 20 messages refused" in body["checks"]["dead_letters"]


def test_redis_checked_when_configured(client):
    require_service("redis")
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/15"):
        status, body = health(client)
        assert status == 200 and body["checks"]["redis"] == "ok"
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        status, body = health(client)
        assert status == 503 and body["checks"]["redis"] == "Unavailable: Redis unreachable"


def test_mqtt_broker_checked_when_configured(client):
    require_service("mqtt")
    with override_settings(CONFIANCE_MQTT_URL="mqtt://127.0.0.1:1883"):
        status, body = health(client)
        assert status == 200 and body["checks"]["mqtt"] == "ok"
    with override_settings(CONFIANCE_MQTT_URL=f"mqtt://127.0.0.1:{free_port()}"):
        status, body = health(client)
        assert status == 503 and body["checks"]["mqtt"] == "Unavailable: MQTT broker unreachable"


def test_health_answer_names_no_secret(client):
    with override_settings(REDIS_URL="redis://:s3cret-pass@127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503 and b"s3cret" not in response.content


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=4),
       accept=st.text(max_size=60).filter(lambda v: v.isprintable() and v.isascii()))
def test_health_and_metrics_never_fail_on_input(client, query, accept):
    for path in ("/healthz", "/metrics"):
        response = client.get(path, query, HTTP_ACCEPT=accept, HTTP_AUTHORIZATION=accept)
        has_nul = any("\x00" in key + value for key, value in query.items())
        assert response.status_code in ({400} if has_nul else {200, 403, 503})  # NUL: refused by core middleware


def test_metrics_refused_to_remote_clients_without_token(client):
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    with override_settings(CONFIANCE_METRICS_TOKEN="jeton-de-supervision"):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # a token set: it is required
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer faux").status_code == 403
        assert client.get("/metrics", REMOTE_ADDR="192.0.2.7",
                          HTTP_AUTHORIZATION="Bearer jeton-de-supervision").status_code == 200


def test_metrics_count_requests_per_route_and_read_queues(client):
    DeadLetter.objects.bulk_create([DeadLetter(source="mqtt", reason="malformed") for _ in range(3)])
    ReportNotification.objects.create(recipient="a@example.org", subject="s", body="b", created_at=timezone.now())
    client.get("/healthz")
    client.get("/page-qui-n-existe-pas")
    text = client.get("/metrics").content.decode()

    def value(prefix: str) -> float:
        return float(next(line for line in text.splitlines() if line.startswith(prefix)).rsplit(" ", 1)[1])

    assert value('confiance_http_requests_total{method="GET",route="console:healthz",status="2xx"}') >= 1
    assert value('confiance_http_requests_total{method="GET",route="unmatched",status="4xx"}') >= 1
    assert value('confiance_http_request_duration_seconds_count{route="console:healthz"}') >= 1
    assert value('confiance_dead_letters{reason="malformed"}') == 3
    assert value('confiance_mail_notifications{status="pending"}') == 1
    assert value("confiance_measurements_stored") == 0
    assert value("confiance_sse_clients") == 0
    assert "/page-qui-n-existe-pas" not in text  # routes are names, never raw paths
