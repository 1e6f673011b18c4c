"""The live stream of an agent follows the crisis sharing: declared or ended, the stream is reset (within one
heartbeat) so that it is rebuilt with the right communes; crisis events reach the communes of the crisis only."""

from unittest import mock

import pytest
from django.test import RequestFactory

from confiance.console.views import _access_probe, actor_stream_filter
from confiance.crisis.events import CrisisChanged
from confiance.crisis.services import crisis_close, crisis_declare
from confiance.crisis.tests.factories import make_crisis_world
from confiance.territory.choices import CrisisKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    from confiance.operations.unit_index import unit_index

    unit_index.reset()  # a flushed database reuses unit ids: the dispatch index starts empty
    yield make_crisis_world()
    unit_index.reset()


def _request():
    request = RequestFactory().get("/live/events")
    request.session = mock.Mock(session_key=None)
    return request


def test_declaring_and_ending_reset_the_partners_stream(world):
    actor = world.other_operator
    actor.agent.refresh_from_db()  # the rights revision the stream starts with
    probe = _access_probe(_request(), actor, actor_stream_filter(actor))
    assert probe() is True
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD,
                            commune_ids=[world.ops.commune.pk, world.ops.other.pk])
    assert probe() is False
    during = _access_probe(_request(), actor, actor_stream_filter(actor))
    assert during() is True
    crisis_close(actor=world.chef_both, crisis=crisis)
    assert during() is False


def test_crisis_events_are_for_the_communes_of_the_crisis(world):
    crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, commune_ids=[world.ops.commune.pk])
    event_type = CrisisChanged.event_type
    inside = actor_stream_filter(world.technician)
    outside = actor_stream_filter(world.outsider_operator)
    assert inside.allows(world.ops.commune.pk, event_type) and not outside.allows(world.ops.commune.pk, event_type)
    assert not actor_stream_filter(world.dpo).allows(world.ops.commune.pk, event_type)
