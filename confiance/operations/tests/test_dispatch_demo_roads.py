"""Dispatch on the demo road network: the ranking is by travel time whenever a network is loaded, and the answer
never says "à vol d'oiseau (aucun réseau routier chargé)" because no unit happens to be ready; reassignment is
offered only for units engaged elsewhere; durations read in hours and days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.operations.demo_data import ROADS
from confiance.operations.dispatch import _duration, recommend
from confiance.operations.models import Unit
from confiance.operations.roads import road_graph, roads_import
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import call, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_roads():
    roads_import(ROADS)
    assert road_graph() is not None


def _intervention(world):
    return intervention_create(actor=world.operator, commune_id=world.commune.pk,
                               draft=call(world, point=(48.5605, 2.4105)))


def test_with_the_demo_network_units_are_ranked_by_road(world, demo_roads):
    make_unit(world.commune, "PM 4", lat=48.552, lon=2.402)
    make_unit(world.commune, "PM 5", lat=48.568, lon=2.417)
    result = recommend(intervention=_intervention(world))
    assert result.by_road and len(result.candidates) == 4
    travel = [c.travel_s for c in result.candidates]
    assert all(seconds is not None for seconds in travel) and travel == sorted(travel)
    first = result.candidates[0].reasons
    assert first[0].endswith("par la route") and first[1].endswith("à vol d'oiseau")  # the criterion first


def test_with_the_demo_network_and_no_unit_ready_the_answer_still_says_by_road(world, demo_roads):
    Unit.objects.update(position_at=timezone.now() - timedelta(hours=2))  # every position stale
    from confiance.operations.unit_index import unit_index

    unit_index.reset()
    result = recommend(intervention=_intervention(world))
    assert result.candidates == [] and result.by_road


def test_without_a_network_the_answer_says_straight_line(world):
    result = recommend(intervention=_intervention(world))
    assert not result.by_road and result.candidates[0].reasons[0].endswith("à vol d'oiseau")


def test_reassignment_is_offered_only_for_units_engaged_elsewhere(world):
    here, elsewhere = _intervention(world), _intervention(world)
    assignment_engage(actor=world.operator, intervention=here, unit=world.units[0])
    assignment_engage(actor=world.operator, intervention=elsewhere, unit=world.units[1])
    excluded = {row["name"]: row for row in recommend(intervention=here).excluded}
    assert excluded["PM 1"]["engaged_here"] and not excluded["PM 1"]["reassignable"]
    assert excluded["PM 2"]["reassignable"] and not excluded["PM 2"]["engaged_here"]
    assert not excluded["PM 3"]["reassignable"]  # stale position: nothing to reassign


@pytest.mark.parametrize(("seconds", "text"), [(42, "42 s"), (125, "2 min 05"), (3 * 3600 + 65, "3 h 01"),
                                               (3 * 86400 + 5, "3 j")])
def test_durations_read_in_words_an_operator_uses(seconds, text):
    assert _duration(seconds) == text
