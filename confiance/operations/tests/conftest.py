"""Fixtures of the operations tests."""

import pytest

from confiance.operations.tests.factories import make_ops_world


@pytest.fixture
def world():
    return make_ops_world()


@pytest.fixture(autouse=True)
def _fresh_unit_index():
    """Each test starts with an empty dispatch index: a flushed database reuses outbox and unit ids."""
    from confiance.operations.unit_index import unit_index

    unit_index.reset()
    yield
    unit_index.reset()
