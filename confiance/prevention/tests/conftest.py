"""Fixtures of the prevention tests."""

import pytest

from confiance.prevention.tests.otv_factories import make_otv_world


@pytest.fixture
def otv_world():
    return make_otv_world()
