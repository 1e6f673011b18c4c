"""The crews page: the chef de poste sets who is on which unit today; others may not; every change is audited."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from confiance.accounts.tests.factories import make_agent
from confiance.operations.models import Shift
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
HOURS = {"debut": "07:00", "fin": "15:00"}


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
    response = client_for(world.chef).post("/agents/equipages/", {"unit": second.pk, "agents": [world.agent.agent.pk],
                                                                    **HOURS})
    assert response.status_code == 302
    assert list(second.agents.all()) == [world.agent.agent]
    assert not first.agents.exists()  # one unit at a time
    entry = AuditEntry.objects.get(action="operations.crew_set")
    assert entry.target_id == str(second.pk) and entry.extra["added"] == [world.agent.agent.pk]


def test_a_crew_change_resets_the_streams_of_the_agents_it_moves_and_only_theirs(world):
    """The field page's stream follows the agent's unit: whoever changes unit must reconnect to the new one."""
    from confiance.accounts.access import Actor
    from confiance.accounts.selectors import actor_access_current

    moved, chef = world.agent.agent, world.chef.agent
    moved.refresh_from_db()
    chef.refresh_from_db()
    moved_revision, chef_revision = moved.access_revision, chef.access_revision
    client_for(world.chef).post("/agents/equipages/", {"unit": world.units[1].pk, "agents": [moved.pk], **HOURS})
    assert not actor_access_current(actor=Actor(agent=moved), revision=moved_revision)
    assert actor_access_current(actor=Actor(agent=chef), revision=chef_revision)
    # The same crew again moves nobody: no stream is reset.
    moved.refresh_from_db()
    again = moved.access_revision
    client_for(world.chef).post("/agents/equipages/", {"unit": world.units[1].pk, "agents": [moved.pk], **HOURS})
    moved.refresh_from_db()
    assert moved.access_revision == again


def test_operator_and_field_agent_may_not_compose_crews(world):
    for actor in (world.operator, world.agent):
        assert client_for(actor).get("/agents/equipages/").status_code == 403
        response = client_for(actor).post("/agents/equipages/", {"unit": world.units[1].pk, "agents": [], **HOURS})
        assert response.status_code == 403
    assert list(world.units[0].agents.all()) == [world.agent.agent]
    assert not AuditEntry.objects.filter(action="operations.crew_set").exists()


@pytest.mark.parametrize(("form", "message"), [
    ({"unit": "abc", **HOURS}, "Unité ou agent invalide."),
    ({"unit": "1", "agents": ["x"], **HOURS}, "Unité ou agent invalide."),
    ({}, "Unité ou agent invalide."),
    ({"unit": "1", "debut": "25:00", "fin": "15:00"}, "Heures de vacation invalides"),
    ({"unit": "1", "debut": "x" * 500, "fin": "15:00"}, "Heures de vacation invalides"),
    ({"unit": "1", "fin": "15:00"}, "Heures de vacation invalides"),
    ({"unit": "UNIT", "debut": "08:00", "fin": "08:00"}, "La vacation doit durer"),
])
def test_bad_input_is_a_french_400(world, form, message):
    form = {**form, "unit": str(world.units[1].pk)} if form.get("unit") in ("1", "UNIT") else form
    response = client_for(world.chef).post("/agents/equipages/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Shift.objects.exists()


def test_agent_of_another_commune_or_role_is_refused(world):
    outsider = make_agent(communes=[world.other], role="police_agent", password=None)
    technician = make_agent(communes=[world.commune], role="technical_agent", password=None)
    for agent in (outsider, technician):
        response = client_for(world.chef).post("/agents/equipages/", {"unit": world.units[1].pk,
                                                                       "agents": [agent.pk], **HOURS})
        assert response.status_code == 400
        assert "pas agent de police municipale de cette commune" in response.content.decode()
    assert not world.units[1].agents.exists()


def test_unit_of_another_commune_is_not_found_and_nothing_changes(world):
    response = client_for(world.chef).post("/agents/equipages/", {"unit": world.other_unit.pk, "agents": [],
                                                                   **HOURS})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="operations.crew_set").exists()


def test_the_day_s_shifts_record_crew_and_hours_and_follow_a_move(world):
    chef, agent = client_for(world.chef), world.agent.agent
    chef.post("/agents/equipages/", {"unit": world.units[0].pk, "agents": [agent.pk], "debut": "22:00", "fin": "06:00"})
    shift = Shift.objects.get()
    assert (shift.unit, f"{shift.starts_at:%H:%M}", f"{shift.ends_at:%H:%M}") == (world.units[0], "22:00", "06:00")
    assert shift.set_by == world.chef.agent
    chef.post("/agents/equipages/", {"unit": world.units[2].pk, "agents": [agent.pk], **HOURS})
    assert list(Shift.objects.values_list("unit_id", flat=True)) == [world.units[2].pk]  # one unit a day
    assert list(world.units[2].agents.all()) == [agent]
    page = chef.get("/agents/equipages/").content.decode()
    assert "Vacation du jour : 07:00 \u2013 15:00" in page
    chef.post("/agents/equipages/", {"unit": world.units[2].pk, "agents": [], **HOURS})
    assert not Shift.objects.exists() and not world.units[2].agents.exists()


NASTY = st.sampled_from(["", " ", "²", "١٢", "-1", "0", str(2**63), "999999999999999999", "a\x00b", "24:00", "23:59",
                         "07:00", "7", "07:00:00", "[" * 50, "1e308"])


@hypothesis_settings(max_examples=40, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))
@given(form=st.dictionaries(st.sampled_from(["unit", "agents", "debut", "fin"]),
                            st.one_of(NASTY, st.text(max_size=12), st.lists(NASTY, max_size=3)), max_size=4))
def test_generated_forms_never_fail_the_server(world, form):
    response = client_for(world.chef).post("/agents/equipages/", form)
    assert response.status_code in (302, 400, 403, 404)
