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
    """Each test starts with an empty cache: a rolled-back database reuses ids that a cached answer saw."""
    from django.core.cache import cache

    cache.clear()
    yield
