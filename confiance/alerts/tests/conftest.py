"""Fixtures of the alerts tests."""

import pytest

from confiance.alerts.tests.factories import make_alerts_world


@pytest.fixture
def world(db):
    return make_alerts_world()
