"""Intervention services: checklists, closure, bad input, tenancy, automatic dispatch."""

import pytest

from confiance.core.errors import NotFoundError
from confiance.core.models import OutboxEvent
from confiance.operations.access import intervention_get_for_actor
from confiance.operations.choices import InterventionStatus
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.selectors import intervention_list_for_actor, unit_list_for_actor
from confiance.operations.services.interventions import (
    intervention_close,
    intervention_create,
    intervention_step_done,
    intervention_step_skip,
)
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import POINT_B, call, code_of

pytestmark = pytest.mark.django_db


def test_intervention_with_checklist_and_closure(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    assert intervention.status == InterventionStatus.OPEN and intervention.priority == 3
    steps = list(intervention.steps.order_by("id"))
    assert [s.mandatory for s in steps] == [True, False]
    with pytest.raises(OperationsError) as excinfo:
        intervention_close(actor=world.operator, intervention=intervention, reason="traite")
    assert code_of(excinfo) == OperationsErrorCode.STEPS_PENDING
    with pytest.raises(OperationsError):
        intervention_step_skip(actor=world.operator, intervention=intervention, step_id=steps[0].pk,
                                        reason="")
    intervention_step_skip(actor=world.operator, intervention=intervention, step_id=steps[0].pk,
                                    reason="Requérant injoignable")
    skipped = OutboxEvent.objects.get(event_type="operations.step_skipped")
    assert skipped.payload["step"] == "Contacter le requérant"
    with pytest.raises(OperationsError) as excinfo:
        intervention_close(actor=world.operator, intervention=intervention, reason="classé")
    assert code_of(excinfo) == OperationsErrorCode.CLOSURE_INVALID
    closed = intervention_close(actor=world.operator, intervention=intervention, reason="gendarmerie")
    assert closed.status == InterventionStatus.CLOSED and closed.closed_at
    with pytest.raises(OperationsError) as excinfo:
        intervention_step_done(actor=world.operator, intervention=closed, step_id=steps[1].pk)
    assert code_of(excinfo) == OperationsErrorCode.CLOSED


def test_auto_dispatch_is_off_by_default_and_engages_the_first_unit_when_on(world, settings):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(48.5605, 2.4105)))
    assert not intervention.assignments.exists()
    settings.CONFIANCE_AUTO_DISPATCH = True
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(48.5605, 2.4105)))
    assignment = intervention.assignments.get()
    assert assignment.unit.name == "PM 1" and assignment.recommended_rank == 1


@pytest.mark.parametrize("changes, code", [
    ({"type_id": "other_type"}, OperationsErrorCode.TYPE_UNKNOWN),
    ({"point": (48.5, 200.0)}, OperationsErrorCode.LOCATION_INVALID),
    ({"priority": 7}, OperationsErrorCode.PRIORITY_UNKNOWN),
    ({"origin": "rumeur"}, OperationsErrorCode.ORIGIN_UNKNOWN),
    ({"report_ids": [123456]}, OperationsErrorCode.LINK_INVALID),
    ({"point": POINT_B}, OperationsErrorCode.LOCATION_OUTSIDE_COMMUNE),
], ids=["other_type", "point", "priority", "origin", "report", "other_commune"])
def test_intervention_bad_input(world, changes, code):
    if changes.get("type_id") == "other_type":
        changes = {**changes, "type_id": world.other_type.pk}
    with pytest.raises(OperationsError) as excinfo:
        intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world, **changes))
    assert code_of(excinfo) == code


def test_intervention_tenancy(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    with pytest.raises(NotFoundError):
        intervention_get_for_actor(actor=world.other_operator, intervention_id=intervention.pk)
    with pytest.raises(NotFoundError):
        assignment_engage(actor=world.other_operator, intervention=intervention, unit=world.other_unit)
    assert list(intervention_list_for_actor(actor=world.other_operator)) == []
    assert list(unit_list_for_actor(actor=world.other_operator)) == [world.other_unit]
