"""`/healthz`: is the platform able to do its work? JSON, 200 when every check passes, 503 otherwise.

Checks run through django-health-check (each with its own time budget, errors logged, never a stack trace in the
answer): database, cache, Redis when REDIS_URL is set, the MQTT broker when CONFIANCE_MQTT_URL is set, the task
worker (age of the oldest task waiting), the e-mail queue (age of the oldest notification waiting) and the share of
sensor messages refused lately (dead letters). Thresholds: docs/configuration.md, "Operations".
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
import uuid
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView

from confiance.console.probes import oldest_waiting_mail_age, oldest_waiting_task_age, recent_dead_letter_share


@contextlib.contextmanager
def _own_connection():
    """Checks run on the executor's threads: each closes the connection it opened (no connection left per thread)."""
    try:
        yield
    finally:
        connections["default"].close()


@dataclasses.dataclass
class TaskWorker(HealthCheck):
    """Background tasks are being taken: none has waited longer than the threshold."""

    def run(self) -> None:
        if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
            return
        with _own_connection():
            age = oldest_waiting_task_age()
        if age is not None and age > settings.CONFIANCE_HEALTH_TASK_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"oldest waiting task: {age:.0f} s")


@dataclasses.dataclass
class MailQueue(HealthCheck):
    """E-mails to citizens leave: none has waited longer than the threshold."""

    def run(self) -> None:
        with _own_connection():
            age = oldest_waiting_mail_age()
        if age is not None and age > settings.CONFIANCE_HEALTH_MAIL_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"oldest waiting e-mail: {age:.0f} s")


@dataclasses.dataclass
class DeadLetters(HealthCheck):
    """Sensor ingestion stores what it receives: the share refused in the window stays under the threshold."""

    def run(self) -> None:
        window = settings.CONFIANCE_HEALTH_DEAD_LETTER_WINDOW_MINUTES
        with _own_connection():
            dead, stored = recent_dead_letter_share(window)
        if dead >= settings.CONFIANCE_HEALTH_DEAD_LETTER_MIN_COUNT and \
                dead * 100 > settings.CONFIANCE_HEALTH_DEAD_LETTER_MAX_PERCENT * (dead + stored):
            raise ServiceUnavailable(f"{dead} of {dead + stored} messages refused in {window} min")


@dataclasses.dataclass
class Redis(HealthCheck):
    """The Redis server that wakes the live streams of every process (and holds the cache)."""

    url: str = dataclasses.field(repr=False, default="")

    def run(self) -> None:
        import redis

        try:
            client = redis.Redis.from_url(self.url, socket_timeout=3, socket_connect_timeout=3)
            try:
                client.ping()
            finally:
                client.close()
        except redis.RedisError as exc:
            raise ServiceUnavailable("Redis unreachable") from exc


@dataclasses.dataclass
class MqttBroker(HealthCheck):
    """The MQTT broker answers a connection (CONNACK) with the platform's credentials."""

    url: str = dataclasses.field(repr=False, default="")

    def run(self) -> None:
        import paho.mqtt.client as mqtt

        parts = urlparse(self.url)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"confiance-health-{uuid.uuid4().hex[:8]}",
                             protocol=mqtt.MQTTv5)
        if parts.username:
            client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
        if parts.scheme in {"mqtts", "ssl"}:
            client.tls_set()
        answer: dict = {}
        client.on_connect = lambda _client, _data, _flags, reason, _props=None: answer.setdefault("reason", reason)
        try:
            client.connect(parts.hostname or "127.0.0.1", parts.port or (8883 if client._ssl else 1883), keepalive=10)
            deadline = time.monotonic() + 3
            while "reason" not in answer and time.monotonic() < deadline:
                client.loop(timeout=0.2)
            client.disconnect()
        except (OSError, ValueError) as exc:
            raise ServiceUnavailable("MQTT broker unreachable") from exc
        reason = answer.get("reason")
        if reason is None or reason.is_failure:
            raise ServiceUnavailable(f"MQTT broker refused the connection: {reason}")


def checks() -> list[HealthCheck]:
    chosen: list[HealthCheck] = [Database(), Cache(), TaskWorker(), MailQueue(), DeadLetters()]
    if settings.REDIS_URL:
        chosen.append(Redis(url=settings.REDIS_URL))
    mqtt_url = getattr(settings, "CONFIANCE_MQTT_URL", "")
    if mqtt_url:
        chosen.append(MqttBroker(url=mqtt_url))
    return chosen


NAMES = {Database: "database", Cache: "cache", TaskWorker: "task_worker", MailQueue: "mail_queue",
         DeadLetters: "dead_letters", Redis: "redis", MqttBroker: "mqtt"}


class HealthView(HealthCheckView):
    """Always JSON: {"status": "ok"|"error", "checks": {name: "ok" | reason}}."""

    def get_checks(self):
        yield from checks()

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error and not isinstance(result.error, ServiceWarning) for result in results)
        response = JsonResponse({
            "status": "error" if failed else "ok",
            "checks": {NAMES[type(result.check)]: str(result.error) if result.error else "ok" for result in results},
        }, status=503 if failed else 200)
        add_never_cache_headers(response)
        return response


healthz = HealthView.as_view()
