"""The crews page: the chef de poste sets who is on which unit today; others may not; every change is audited."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # the chef de poste's second factor is tested in accounts


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.agent)
    return client


def test_chef_sees_units_and_agents_by_name(world):
    world.agent.agent.first_name, world.agent.agent.last_name = "Paul", "Martin"
    world.agent.agent.save()
    page = client_for(world.chef).get("/agents/equipages/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "PM 1" in text and "Paul Martin" in text and "Ormoy 1" not in text
    assert world.agent.agent.username not in text


def test_chef_moves_an_agent_to_another_unit_and_it_is_audited(world):
    first, second = world.units[0], world.units[1]
    response = client_for(world.chef).post("/agents/equipages/", {"unit": second.pk, "agents": [world.agent.agent.pk]})
    assert response.status_code == 302
    assert list(second.agents.all()) == [world.agent.agent]
    assert not first.agents.exists()  # one unit at a time
    entry = AuditEntry.objects.get(action="operations.crew_set")
    assert entry.target_id == str(second.pk) and entry.extra["added"] == [world.agent.agent.pk]


def test_operator_and_field_agent_may_not_compose_crews(world):
    for actor in (world.operator, world.agent):
        assert client_for(actor).get("/agents/equipages/").status_code == 403
        response = client_for(actor).post("/agents/equipages/", {"unit": world.units[1].pk, "agents": []})
        assert response.status_code == 403
    assert list(world.units[0].agents.all()) == [world.agent.agent]
    assert not AuditEntry.objects.filter(action="operations.crew_set").exists()


@pytest.mark.parametrize("form", [{"unit": "abc"}, {"unit": "1", "agents": ["x"]}, {}])
def test_bad_input_is_a_french_400(world, form):
    response = client_for(world.chef).post("/agents/equipages/", form)
    assert response.status_code == 400
    assert "Unité ou agent invalide." in response.content.decode()


def test_agent_of_another_commune_or_role_is_refused(world):
    outsider = make_agent(communes=[world.other], role="police_agent", password=None)
    technician = make_agent(communes=[world.commune], role="technical_agent", password=None)
    for agent in (outsider, technician):
        response = client_for(world.chef).post("/agents/equipages/", {"unit": world.units[1].pk,
                                                                       "agents": [agent.pk]})
        assert response.status_code == 400
        assert "pas agent de police municipale de cette commune" in response.content.decode()
    assert not world.units[1].agents.exists()


def test_unit_of_another_commune_is_not_found_and_nothing_changes(world):
    response = client_for(world.chef).post("/agents/equipages/", {"unit": world.other_unit.pk, "agents": []})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="operations.crew_set").exists()
