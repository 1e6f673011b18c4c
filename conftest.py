"""Fixtures shared by every test: services that must be real in CI, and the demo-mode switch."""

import os

import pytest

from confiance.core.testing import service_reachable

SERVICES = {"redis": ("127.0.0.1", 6379), "postgresql": ("127.0.0.1", 5432), "mqtt": ("127.0.0.1", 1883)}


def require_service(name: str) -> None:
    """In CI a missing service fails the test; elsewhere it skips it with the reason."""
    host, port = SERVICES[name]
    if service_reachable(host, port):
        return
    message = f"{name} unreachable on {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url():
    require_service("redis")
    return "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back database reuses ids that a cached answer saw; and with
    no rate limit counted yet."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["ratelimit"].clear()
    yield


@pytest.fixture(autouse=True)
def _rate_limit_clock_still(monkeypatch):
    """django-ratelimit counts in fixed windows whose end depends on the key: a test that sends a limit's worth of
    requests and expects the next one refused failed whenever a window ended between them (CI, stop 26). Its clock
    stands still during each test, so a window never ends mid-test; the cache is emptied before each one."""
    import time as real_time
    import types

    import django_ratelimit.core

    now = real_time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))
    yield


@pytest.fixture(autouse=True)
def _audit_anchor_file(tmp_path_factory, settings):
    """Each test anchors the journal's chain heads in its own file (ADR 0009): a rolled-back or flushed database
    would otherwise look truncated against the heads a previous test anchored."""
    import uuid

    from confiance.privacy import journal_anchors

    settings.CONFIANCE_AUDIT_ANCHOR_FILE = tmp_path_factory.getbasetemp() / f"audit-heads-{uuid.uuid4().hex}.log"
    journal_anchors._last_anchored.clear()
    yield


# Tests run on two processes (`pytest -n 2`, pytest-xdist, `--dist loadgroup`). Each module stays on one process, so
# its module fixtures (a server and its demo) are built once; the modules that talk to the shared brokers (MQTT
# topics and shared subscriptions, Redis database 15) all run on the same process, one after another, so that no
# test receives another's messages.
_BROKER_MARKS = ("1883", "mqtt_support", "redis_url", "6379")
_broker_modules: dict[str, bool] = {}


def _uses_brokers(path) -> bool:
    key = str(path)
    if key not in _broker_modules:
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            source = ""
        _broker_modules[key] = any(mark in source for mark in _BROKER_MARKS)
    return _broker_modules[key]


def pytest_sessionfinish(session, exitstatus):
    """The migrated templates of throwaway databases go with the session (on PostgreSQL, a database each)."""
    from confiance.core.testing import drop_templates

    drop_templates()


def pytest_collection_modifyitems(config, items):
    if not getattr(config.option, "numprocesses", None):
        return
    for item in items:
        group = "brokers" if _uses_brokers(item.path) else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
