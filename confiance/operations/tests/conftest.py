"""Fixtures of the operations tests."""

import pytest

from confiance.operations.tests.factories import make_ops_world


@pytest.fixture
def world():
    return make_ops_world()
