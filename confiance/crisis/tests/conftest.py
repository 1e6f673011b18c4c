import pytest

from confiance.crisis.tests.factories import make_crisis_world


@pytest.fixture
def world():
    return make_crisis_world()


@pytest.fixture(autouse=True)
def _fresh_unit_index():
    """A flushed database reuses unit ids: the dispatch index starts empty."""
    from confiance.operations.unit_index import unit_index

    unit_index.reset()
    yield
    unit_index.reset()
