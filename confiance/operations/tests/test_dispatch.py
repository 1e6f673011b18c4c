"""Dispatch: recommendation ranking and reasons, crisis sharing across communes, police events kept from other roles."""

import pytest

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations.dispatch import recommend
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.selectors import unit_list_for_actor
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import POINT_B, call, code_of, make_actor
from confiance.territory.selectors import crisis_shared_with
from confiance.territory.services import crisis_end, crisis_start

pytestmark = pytest.mark.django_db


def test_recommendation_ranks_by_distance_and_explains(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(48.5605, 2.4105)))
    result = recommend(intervention=intervention)
    assert [c.name for c in result.candidates] == ["PM 1", "PM 2"]
    assert result.candidates[0].reasons[0].endswith("à vol d'oiseau") and not result.by_road
    assert {"name": "PM 3", "unit_id": world.units[2].pk, "reason": "position périmée", "reassignable": False,
            "engaged_here": False} in result.excluded
    assert "Ormoy 1" not in {c.name for c in result.candidates} | {e["name"] for e in result.excluded}
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    result = recommend(intervention=intervention)
    assert [c.name for c in result.candidates] == ["PM 2"]
    assert any(e["reason"].startswith("engagée sur INT-") for e in result.excluded)


def test_crisis_sharing_opens_units_across_communes(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(POINT_B[0], 2.419)))
    with pytest.raises(OperationsError) as excinfo:
        assignment_engage(actor=world.operator, intervention=intervention, unit=world.other_unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_OUT_OF_REACH
    chef_both = make_chef_of(world)
    sharing = crisis_start(actor=chef_both, name="Crue de l'Essonne",
                                    commune_ids=[world.commune.pk, world.other.pk])
    assert world.other_unit in unit_list_for_actor(actor=world.operator)
    result = recommend(intervention=intervention)
    ormoy = next(c for c in result.candidates if c.name == "Ormoy 1")
    assert "unité de Ormoy (mode crise)" in ormoy.reasons
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.other_unit)
    crisis_end(actor=chef_both, sharing=sharing)
    assert world.other_unit not in unit_list_for_actor(actor=world.operator)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        crisis_start(actor=world.chef, name="x", commune_ids=[world.commune.pk, world.other.pk])


def make_chef_of(world):
    return make_actor(communes=[world.commune, world.other], role="shift_supervisor")


def test_live_events_keep_police_data_from_other_roles(world):
    from confiance.core.live import read_events_after
    from confiance.core.live_rules import stream_filter_for
    intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    operator_filter = stream_filter_for(world.operator, crisis_widening=crisis_shared_with)
    elected_filter = stream_filter_for(world.elected, crisis_widening=crisis_shared_with)
    seen_by_operator = read_events_after(0, limit=50, stream_filter=operator_filter)
    seen_by_elected = read_events_after(0, limit=50, stream_filter=elected_filter)
    assert any(e.event_type == "operations.intervention_created" for e in seen_by_operator)
    assert not any(e.event_type.startswith("operations.") for e in seen_by_elected)


def _grid_graph(size: int = 12):
    import numpy as np

    from confiance.operations.roads import RoadGraph

    rows, columns = np.divmod(np.arange(size * size), size)
    lats, lons = 48.55 + rows * 0.001, 2.40 + columns * 0.0015
    pairs = [(a, b) for a in range(size * size) for b in (a + 1, a + size)
             if b < size * size and (b != a + 1 or (a + 1) % size)]
    sources = np.array([a for a, b in pairs] + [b for a, b in pairs])
    targets = np.array([b for a, b in pairs] + [a for a, b in pairs])
    return RoadGraph(lats, lons, sources, targets, np.full(len(sources), 15.0)), lats, lons


@pytest.mark.parametrize("needed", [1, 3, 5])
def test_a_search_stopped_at_the_needed_points_ranks_them_exactly(needed):
    import numpy as np

    graph, lats, lons = _grid_graph()
    points = np.random.default_rng(7).choice(len(lats), size=8, replace=False)
    every = graph.travel_seconds(48.556, 2.408, lats[points], lons[points])
    some = graph.travel_seconds(48.556, 2.408, lats[points], lons[points], needed=needed)
    fastest = np.argsort(every, kind="stable")[:needed]
    assert np.isfinite(every).all() and np.isfinite(some).sum() >= needed
    assert np.array_equal(np.argsort(some, kind="stable")[:needed], fastest)
    assert np.allclose(some[fastest], every[fastest])
