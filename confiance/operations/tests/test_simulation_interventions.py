"""The demo simulator handles the interventions it created, and leaves alone those a person created."""

import io
import random

import pytest

from confiance.operations import simulation
from confiance.operations.choices import InterventionStatus
from confiance.operations.models import Assignment, Intervention
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage, assignment_milestone
from confiance.operations.tests.factories import ago, call

pytestmark = pytest.mark.django_db


def test_simulator_engages_and_closes_only_its_own_interventions(world):
    rng = random.Random(3)
    robot = simulation.simulator_actor()
    person_waiting = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world),
                                         now=ago(minutes=5))
    own_waiting = intervention_create(actor=robot, commune_id=world.commune.pk, draft=call(world),
                                      now=ago(minutes=5))
    person_busy = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world),
                                      now=ago(minutes=30))
    assignment = assignment_engage(actor=world.operator, intervention=person_busy, unit=world.units[1],
                                   now=ago(minutes=20))
    assignment_milestone(actor=world.operator, assignment=assignment, step="en_route_at", now=ago(minutes=15))
    assignment_milestone(actor=world.operator, assignment=assignment, step="on_scene_at", now=ago(minutes=10))

    now = ago(seconds=0)
    simulation._dispatch_waiting(rng, now, robot)
    simulation._finish_on_scene(rng, now, robot)

    assert not Assignment.objects.filter(intervention=person_waiting).exists()
    assert Intervention.objects.get(pk=person_waiting.pk).status == InterventionStatus.OPEN
    assert Assignment.objects.filter(intervention=own_waiting).exists()
    assignment.refresh_from_db()
    assert assignment.finished_at is None
    assert Intervention.objects.get(pk=person_busy.pk).status != InterventionStatus.CLOSED


def test_simulator_neither_drives_nor_reports_for_a_unit_a_person_engaged(world):
    person_call = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world),
                                      now=ago(minutes=5))
    unit = world.units[0]
    assignment = assignment_engage(actor=world.operator, intervention=person_call, unit=unit, now=ago(minutes=4))
    before = (unit.lat, unit.lon)

    simulation._move_units(random.Random(1), ago(seconds=0), {world.commune.pk: world.commune,
                                                               world.other.pk: world.other})

    assignment.refresh_from_db()
    unit.refresh_from_db()
    assert assignment.en_route_at is None
    assert (unit.lat, unit.lon) == before


def test_simulator_account_cannot_sign_in_and_marks_what_it_creates(world):
    robot = simulation.simulator_actor()
    assert not robot.agent.has_usable_password()
    assert simulation.simulator_actor().agent.pk == robot.agent.pk  # one account, made once
    simulation._ticks["count"] = 4  # the next step handles calls
    for _ in range(12):
        simulation._ticks["count"] = 4
        simulation.step(rng=random.Random(7), stdout=io.StringIO())
    created = Intervention.objects.exclude(created_by=world.operator.agent)
    assert created.exists()
    assert set(created.values_list("created_by", flat=True)) == {robot.agent.pk}
