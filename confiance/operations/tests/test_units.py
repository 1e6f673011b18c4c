"""Unit services: engagements and overrides, write-once milestones, status codes, who may drive a unit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.operations.choices import InterventionStatus, Milestone
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import Assignment, Unit
from confiance.operations.selectors import interval_report, intervals_of
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage, assignment_milestone, unit_set_status
from confiance.operations.tests.factories import POINT_A, call, code_of

pytestmark = pytest.mark.django_db


def test_engage_milestones_and_intervals(world):
    base = timezone.now()

    def ago(minutes):
        return base - timedelta(minutes=minutes)

    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world),
                                                now=ago(minutes=30))
    unit = world.units[0]
    assignment = assignment_engage(actor=world.operator, intervention=intervention, unit=unit,
                                            now=ago(minutes=28))
    unit.refresh_from_db()
    intervention.refresh_from_db()
    assert unit.milestone == Milestone.ENGAGED and intervention.status == InterventionStatus.IN_PROGRESS
    with pytest.raises(OperationsError) as excinfo:  # out of order: sur place before en route is fine, but
        assignment_milestone(actor=world.agent, assignment=assignment, step="on_scene_at",
                                      at=ago(minutes=29))  # not before the engagement
    assert code_of(excinfo) == OperationsErrorCode.MILESTONE_ORDER
    with pytest.raises(OperationsError) as excinfo:
        assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at",
                                      at=timezone.now() + timedelta(minutes=10))
    assert code_of(excinfo) == OperationsErrorCode.TIME_INVALID
    assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at", at=ago(minutes=27))
    assignment_milestone(actor=world.agent, assignment=assignment, step="on_scene_at", at=ago(minutes=20))
    with pytest.raises(OperationsError) as excinfo:
        assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at",
                                      at=ago(minutes=19))
    assert code_of(excinfo) == OperationsErrorCode.MILESTONE_WRITTEN
    assignment_milestone(actor=world.agent, assignment=assignment, step="finished_at", at=ago(minutes=5))
    unit.refresh_from_db()
    assert unit.milestone == Milestone.AVAILABLE
    figures = intervals_of(intervention, list(intervention.assignments.all()))
    assert figures == {"prise_en_compte": 120.0, "route": 420.0, "intervention": 600.0, "sur_place": 900.0}
    rows = interval_report(actor=world.chef, start=timezone.localdate() - timedelta(days=1),
                                     end=timezone.localdate())
    assert rows[0]["interventions"] == 1 and rows[0]["intervention_p50_min"] == 10.0


def test_engaged_unit_needs_override(world):
    first = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    second = intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                          draft=call(world, type_id=world.accident.pk))
    unit = world.units[1]
    assignment_engage(actor=world.operator, intervention=first, unit=unit)
    with pytest.raises(OperationsError) as excinfo:
        assignment_engage(actor=world.chef, intervention=second, unit=unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_ENGAGED and excinfo.value.status_code == 409
    assignment_engage(actor=world.chef, intervention=second, unit=unit, override_reason="Accident grave")
    current = Assignment.objects.get(unit=unit, finished_at__isnull=True)
    assert current.intervention_id == second.pk
    assert Assignment.objects.get(intervention=first).ended_by_override


def test_field_agent_drives_own_unit_only(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    with pytest.raises(PermissionDeniedError):
        assignment_engage(actor=world.agent, intervention=intervention, unit=world.units[0])
    unit_set_status(actor=world.agent, unit=world.units[0], status_code="6")
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        unit_set_status(actor=world.agent, unit=world.units[1], status_code="6")
    with pytest.raises(OperationsError) as excinfo:
        unit_set_status(actor=world.agent, unit=world.units[0], status_code="4")
    assert code_of(excinfo) == OperationsErrorCode.UNIT_NOT_ENGAGED
    with pytest.raises(OperationsError) as excinfo:
        unit_set_status(actor=world.agent, unit=world.units[0], status_code="77")
    assert code_of(excinfo) == OperationsErrorCode.STATUS_UNKNOWN


def test_unit_status_milestones_follow_codes(world):
    unit = world.units[1]
    unit_set_status(actor=world.operator, unit=unit, status_code="9")
    assert Unit.objects.get(pk=unit.pk).milestone == Milestone.OFF_DUTY
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    with pytest.raises(OperationsError) as excinfo:
        assignment_engage(actor=world.operator, intervention=intervention, unit=unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_UNAVAILABLE
    assert POINT_A
