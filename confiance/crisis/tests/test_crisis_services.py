"""Declaring a crisis, its checklists, its log, the communes joining it and its end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.crisis.choices import CrisisLogKind
from confiance.crisis.defaults import DEFAULT_STEPS
from confiance.crisis.errors import CrisisError, CrisisErrorCode
from confiance.crisis.models import ChecklistTemplate, CrisisLogEntry, CrisisStep, CrisisStepTick
from confiance.crisis.services import (
    checklist_template_seed,
    crisis_close,
    crisis_commune_join,
    crisis_declare,
    crisis_log_write,
    crisis_step_tick,
)
from confiance.crisis.tests.factories import ZONE_ACROSS, ZONE_OVER_MENNECY
from confiance.privacy.models import AuditEntry
from confiance.territory.choices import CrisisKind
from confiance.territory.models import CrisisSharing

pytestmark = pytest.mark.django_db


def test_declaring_copies_each_communes_safety_plan_and_logs_it(world):
    ChecklistTemplate.objects.create(commune=world.ops.commune, kind=CrisisKind.FLOOD,
                                     steps="Ouvrir le PC de crise\n\n  Fermer le pont de l'Essonne  \n")
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, title="Crue de l'Essonne",
                            commune_ids=[world.ops.commune.pk, world.ops.other.pk])
    mennecy = list(CrisisStep.objects.filter(crisis=crisis, commune=world.ops.commune).values_list("position", "text"))
    assert mennecy == [(1, "Ouvrir le PC de crise"), (2, "Fermer le pont de l'Essonne")]
    ormoy = list(CrisisStep.objects.filter(crisis=crisis, commune=world.ops.other).values_list("text", flat=True))
    assert ormoy == list(DEFAULT_STEPS[CrisisKind.FLOOD])  # no template of its own: the default steps
    entry = CrisisLogEntry.objects.get(crisis=crisis)
    assert entry.kind == CrisisLogKind.DECLARED and "Mennecy, Ormoy" in entry.text
    assert crisis.kind == CrisisKind.FLOOD and crisis.name == "Crue de l'Essonne"
    assert AuditEntry.objects.filter(action="territory.crisis_start").count() == 1


def test_a_drawn_zone_brings_the_communes_it_touches(world):
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FIRE, zone=ZONE_ACROSS)
    assert {c.pk for c in crisis.communes.all()} == {world.ops.commune.pk, world.ops.other.pk}
    assert crisis.zone == ZONE_ACROSS and crisis.name == "Incendie"


def test_the_elu_declares_for_their_commune_but_not_for_another(world):
    crisis = crisis_declare(actor=world.elected, kind=CrisisKind.SNOW, zone=ZONE_OVER_MENNECY)
    assert [c.pk for c in crisis.communes.all()] == [world.ops.commune.pk]
    with pytest.raises(NotFoundError):
        crisis_declare(actor=world.elected, kind=CrisisKind.SNOW, commune_ids=[world.ops.commune.pk,
                                                                                world.ops.other.pk])
    assert CrisisSharing.objects.count() == 1


def test_an_operator_cannot_declare(world):
    with pytest.raises(PermissionDeniedError):
        crisis_declare(actor=world.ops.operator, kind=CrisisKind.FLOOD, commune_ids=[world.ops.commune.pk])
    assert not CrisisSharing.objects.exists()


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"kind": "tsunami", "commune_ids": [1]}, CrisisErrorCode.UNKNOWN_KIND),
    ({"kind": CrisisKind.FLOOD}, CrisisErrorCode.NO_COMMUNE),
    ({"kind": CrisisKind.FLOOD, "zone": {"type": "Point", "coordinates": [2.4, 48.5]}}, CrisisErrorCode.INVALID_ZONE),
    ({"kind": CrisisKind.FLOOD, "zone": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1],
                                                                              [0, 0]]]}}, CrisisErrorCode.INVALID_ZONE),
])
def test_bad_declarations_are_refused_and_nothing_is_written(world, kwargs, code):
    with pytest.raises(CrisisError) as excinfo:
        crisis_declare(actor=world.chef_both, **kwargs)
    assert excinfo.value.code == code
    assert not CrisisSharing.objects.exists() and not CrisisStep.objects.exists()


def test_a_commune_joins_with_its_checklist_and_the_log_says_it(world):
    crisis = crisis_declare(actor=world.elected, kind=CrisisKind.FLOOD, commune_ids=[world.ops.commune.pk])
    assert crisis_commune_join(actor=world.chef_both, crisis=crisis, commune_id=world.ops.other.pk) is True
    assert crisis_commune_join(actor=world.chef_both, crisis=crisis, commune_id=world.ops.other.pk) is False
    assert CrisisStep.objects.filter(crisis=crisis, commune=world.ops.other).count() == len(DEFAULT_STEPS["inondation"])
    assert CrisisLogEntry.objects.filter(crisis=crisis, kind=CrisisLogKind.COMMUNE_ADDED).count() == 1
    with pytest.raises(NotFoundError):  # the chef of the commune outside declares nothing in Mennecy's crisis
        crisis_commune_join(actor=world.outsider_chef, crisis=crisis, commune_id=world.outside.pk)
    assert world.outside.pk not in {c.pk for c in crisis.communes.all()}


def test_a_step_is_ticked_once_with_who_and_when(world):
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD,
                            commune_ids=[world.ops.commune.pk, world.ops.other.pk])
    step = CrisisStep.objects.filter(crisis=crisis, commune=world.ops.commune).first()
    at = timezone.now()
    tick = crisis_step_tick(actor=world.technician, crisis=crisis, step_id=step.pk, now=at)
    again = crisis_step_tick(actor=world.elected, crisis=crisis, step_id=step.pk)
    assert again.pk == tick.pk and tick.ticked_by_id == world.technician.agent.pk and tick.ticked_at == at
    assert CrisisStepTick.objects.count() == 1
    assert CrisisLogEntry.objects.filter(kind=CrisisLogKind.STEP_TICKED).count() == 1
    ormoy_step = CrisisStep.objects.filter(crisis=crisis, commune=world.ops.other).first()
    with pytest.raises(NotFoundError):  # an agent of Mennecy does not tick Ormoy's plan
        crisis_step_tick(actor=world.technician, crisis=crisis, step_id=ormoy_step.pk)
    with pytest.raises(CrisisError):
        crisis_step_tick(actor=world.technician, crisis=crisis, step_id=10**18)


def test_log_notes_are_checked(world):
    crisis = crisis_declare(actor=world.elected, kind=CrisisKind.FLOOD, commune_ids=[world.ops.commune.pk])
    entry = crisis_log_write(actor=world.technician, crisis=crisis, text="  Pont fermé.  ")
    assert entry.text == "Pont fermé." and entry.commune_id == world.ops.commune.pk
    for text, code in (("   ", CrisisErrorCode.TEXT_EMPTY), ("x" * 2001, CrisisErrorCode.TEXT_TOO_LONG)):
        with pytest.raises(CrisisError) as excinfo:
            crisis_log_write(actor=world.technician, crisis=crisis, text=text)
        assert excinfo.value.code == code
    with pytest.raises(NotFoundError):
        crisis_log_write(actor=world.outsider_operator, crisis=crisis, text="Intrus")
    assert CrisisLogEntry.objects.filter(kind=CrisisLogKind.NOTE).count() == 1


def test_ending_stops_everything_at_that_instant(world):
    start = timezone.now() - timedelta(hours=2)
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, now=start,
                            commune_ids=[world.ops.commune.pk, world.ops.other.pk])
    end = start + timedelta(hours=1)
    crisis_close(actor=world.elected, crisis=crisis, now=end)  # the élu of one commune closes it for all
    crisis.refresh_from_db()
    assert crisis.ended_at == end and crisis.ended_by_id == world.elected.agent.pk
    assert CrisisLogEntry.objects.filter(kind=CrisisLogKind.ENDED).count() == 1
    step = CrisisStep.objects.filter(crisis=crisis).first()
    for write in (lambda: crisis_step_tick(actor=world.technician, crisis=crisis, step_id=step.pk),
                  lambda: crisis_log_write(actor=world.technician, crisis=crisis, text="Après"),
                  lambda: crisis_close(actor=world.chef_both, crisis=crisis),
                  lambda: crisis_commune_join(actor=world.chef_both, crisis=crisis, commune_id=world.ops.other.pk)):
        with pytest.raises(CrisisError) as excinfo:
            write()
        assert excinfo.value.status_code == 409
    assert not CrisisStepTick.objects.exists()


def test_seeding_gives_every_kind_once(world):
    assert checklist_template_seed(commune=world.ops.commune) == len(CrisisKind.values)
    assert checklist_template_seed(commune=world.ops.commune) == 0
