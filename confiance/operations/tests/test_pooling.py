"""Pooling agreements (conventions de mise en commun): while in force they lend units between communes; the
recommendation marks units of other communes with what lends them; the admin records agreements, audited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.core.errors import NotFoundError
from confiance.operations.access import pooling_partners, unit_get_for_engagement, units_shareable
from confiance.operations.dispatch import recommend
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import Assignment, PoolingAgreement
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import POINT_B, call, code_of, make_actor
from confiance.privacy.models import AuditEntry
from confiance.territory.services import crisis_start

pytestmark = pytest.mark.django_db


def _agreement(world, *, starts=-10, ends=None, reference="CONV-2026-01"):
    today = timezone.localdate()
    agreement = PoolingAgreement.objects.create(
        reference=reference, title="Mise en commun Mennecy - Ormoy", starts_on=today + timedelta(days=starts),
        ends_on=None if ends is None else today + timedelta(days=ends))
    agreement.communes.set([world.commune, world.other])
    return agreement


def _near_ormoy(world):
    return intervention_create(actor=world.operator, commune_id=world.commune.pk,
                               draft=call(world, point=(48.569, 2.419)))


def test_an_agreement_in_force_proposes_and_lets_engage_the_other_communes_units(world):
    _agreement(world)
    intervention = _near_ormoy(world)
    result = recommend(intervention=intervention)
    ormoy = next(c for c in result.candidates if c.name == "Ormoy 1")
    assert (ormoy.sharing, ormoy.sharing_label) == ("convention", "convention")
    assert "unité de Ormoy (convention CONV-2026-01)" in ormoy.reasons
    assert all(c.sharing == "" for c in result.candidates if c.name != "Ormoy 1")
    unit = unit_get_for_engagement(actor=world.operator, unit_id=world.other_unit.pk, intervention=intervention)
    assignment_engage(actor=world.operator, intervention=intervention, unit=unit)
    assert Assignment.objects.filter(unit=world.other_unit, intervention=intervention).exists()


@pytest.mark.parametrize(("starts", "ends"), [(-30, -1), (3, None)])
def test_an_agreement_not_in_force_lends_nothing(world, starts, ends):
    _agreement(world, starts=starts, ends=ends)
    intervention = _near_ormoy(world)
    assert "Ormoy 1" not in {c.name for c in recommend(intervention=intervention).candidates}
    assert not units_shareable(world.other.pk, world.commune.pk)
    with pytest.raises(NotFoundError):
        unit_get_for_engagement(actor=world.operator, unit_id=world.other_unit.pk, intervention=intervention)
    with pytest.raises(OperationsError) as excinfo:
        assignment_engage(actor=world.operator, intervention=intervention, unit=world.other_unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_OUT_OF_REACH
    assert "convention" in str(excinfo.value.message) and not Assignment.objects.exists()


def test_the_last_day_is_in_force_and_partners_are_named_by_reference(world):
    _agreement(world, starts=-5, ends=0, reference="C-1")
    assert pooling_partners({world.commune.pk}) == {world.other.pk: "C-1"}
    assert pooling_partners({world.other.pk}) == {world.commune.pk: "C-1"}


def test_a_pooled_unit_lends_units_not_the_communes_data(world):
    _agreement(world)
    other_call = intervention_create(actor=world.other_operator, commune_id=world.other.pk,
                                     draft=call(world, point=POINT_B, type_id=world.other_type.pk))
    from confiance.operations.access import intervention_get_for_actor

    with pytest.raises(NotFoundError):
        intervention_get_for_actor(actor=world.operator, intervention_id=other_call.pk)


def test_a_crisis_sharing_marks_its_units_crise(world):
    chef_both = make_actor(communes=[world.commune, world.other], role="shift_supervisor")
    crisis_start(actor=chef_both, name="Crue", commune_ids=[world.commune.pk, world.other.pk])
    result = recommend(intervention=_near_ormoy(world))
    ormoy = next(c for c in result.candidates if c.name == "Ormoy 1")
    assert (ormoy.sharing, ormoy.sharing_label) == ("crise", "crise")


def test_recommendation_api_marks_candidates(world):
    _agreement(world)
    client = Client()
    client.force_login(world.operator.agent)
    intervention = _near_ormoy(world)
    body = client.get(f"/api/v1/operations/interventions/{intervention.pk}/recommendation").json()
    marks = {c["name"]: (c["sharing"], c["sharing_label"]) for c in body["candidates"]}
    assert marks["Ormoy 1"] == ("convention", "convention") and marks["PM 1"] == ("", "")
    response = client.post(f"/api/v1/operations/interventions/{intervention.pk}/engage",
                           {"unit_id": world.other_unit.pk}, content_type="application/json")
    assert response.status_code == 201


def test_the_admin_records_an_agreement_audited_and_refuses_a_single_commune(world, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    admin = make_agent(username="admin-conv", superuser=True, password=None)
    client = Client()
    client.force_login(admin)
    url = "/admin/operations/poolingagreement/add/"
    today = timezone.localdate()
    form = {"reference": "CONV-7", "title": "Convention", "starts_on": today.isoformat(), "ends_on": "",
            "communes": [world.commune.pk]}
    response = client.post(url, form)
    assert response.status_code == 200 and "au moins deux communes" in response.content.decode()
    form["communes"] = [world.commune.pk, world.other.pk]
    form["ends_on"] = (today - timedelta(days=1)).isoformat()
    assert "précède son début" in client.post(url, form).content.decode()
    form["ends_on"] = ""
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = PoolingAgreement.objects.get(reference="CONV-7")
    assert set(agreement.communes.values_list("pk", flat=True)) == {world.commune.pk, world.other.pk}
    assert AuditEntry.objects.filter(action="admin.add", target_id=str(agreement.pk)).exists()
