"""Fixtures of the hypervision tests."""

import pytest

from confiance.devices.tests.factories import make_devices_world


@pytest.fixture
def world():
    return make_devices_world()
