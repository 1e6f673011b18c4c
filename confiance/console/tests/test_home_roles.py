"""The agent's home per role: the policier's mission, the operator's console, the technicien's queue, the élu's
indicators, the DPO's journal, the RSSI's sensors; several roles, several blocks; the navigation links the delays."""

import pytest
from django.test import Client

from confiance.accounts.models import Membership
from confiance.accounts.tests.factories import make_agent
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import call, make_ops_world
from confiance.privacy.services import audit_record

pytestmark = pytest.mark.django_db
BLOCKS = ("mission", "console", "queue", "indicators", "journal", "health")


@pytest.fixture
def world():
    return make_ops_world()


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


def home_of(agent) -> str:
    client = Client()
    client.force_login(agent)
    response = client.get("/agents/")
    assert response.status_code == 200
    return response.content.decode()


def blocks_in(page: str) -> set[str]:
    return {name for name in BLOCKS if f'data-role-block="{name}"' in page}


def test_policier_sees_the_current_mission_of_the_unit_and_the_field_page(world):
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    page = home_of(world.agent.agent)
    assert blocks_in(page) == {"mission"}
    assert intervention.number in page and "Tapage" in page and "/agents/terrain/" in page


def test_policier_without_a_mission_is_told_so(world):
    page = home_of(world.agent.agent)
    assert "aucune mission en cours" in page


@pytest.mark.parametrize(("role", "expected", "link"), [
    ("csu_operator", {"console"}, "/agents/console/"),
    ("technical_agent", {"queue"}, "/agents/signalements/"),
    ("elected_official", {"indicators"}, "/agents/analyse/indicateurs/"),
    ("dpo", {"journal"}, "Dernières consultations"),
    ("rssi", {"health"}, "/agents/capteurs/sante/"),
    ("shift_supervisor", {"console"}, "/agents/equipages/"),
])
def test_each_role_sees_its_block(world, role, expected, link):
    page = home_of(make_agent(communes=[world.commune], role=role, password=None))
    assert blocks_in(page) == expected
    assert link in page


def test_a_person_with_several_roles_sees_each_block(world):
    agent = make_agent(communes=[world.commune], role="technical_agent", password=None)
    Membership.objects.create(agent=agent, commune=world.commune, role="dpo")
    assert blocks_in(home_of(agent)) == {"queue", "journal"}


def test_dpo_journal_reads_in_words_and_names(world):
    world.operator.agent.first_name, world.operator.agent.last_name = "Olivia", "Bernard"
    world.operator.agent.save()
    intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    audit_record(actor=world.operator, action="access.read", commune_id=world.commune.pk, target=world.units[0])
    page = home_of(make_agent(communes=[world.commune], role="dpo", password=None))
    page = page.split('data-role-block="journal"', 1)[1].split("</section>", 1)[0]
    assert "Intervention créée" in page and "Consultation d&#x27;une fiche" in page and "Olivia Bernard" in page
    assert "INT-" in page and "Unité PM 1" in page
    assert "operations.intervention_create" not in page and world.operator.agent.username not in page


def test_navigation_links_the_interval_report_for_police_roles_only(world):
    assert "/agents/interventions/delais/" in home_of(world.operator.agent)
    assert "/agents/interventions/delais/" not in home_of(world.elected.agent)


def test_navigation_names_the_agent_and_each_language_in_itself(world):
    world.agent.agent.first_name, world.agent.agent.last_name = "Paul", "Martin"
    world.agent.agent.save()
    page = home_of(world.agent.agent)
    assert "Se déconnecter (Paul Martin)" in page
    assert ">Français</option>" in page and ">English</option>" in page
    assert "favicon.svg" in page


def _home_queries(agent) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/agents/").status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_the_rows(world):
    """Every block at once (a superuser), with one and then four interventions and journal entries."""
    agent = make_agent(superuser=True, password=None)
    intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    audit_record(actor=world.operator, action="access.read", commune_id=world.commune.pk, target=world.units[0])
    few = _home_queries(agent)
    for _ in range(3):
        intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
        audit_record(actor=world.operator, action="access.read", commune_id=world.commune.pk, target=world.units[1])
    assert _home_queries(agent) == few


def test_chef_de_poste_in_a_crew_sees_the_mission_too(world):
    world.units[1].agents.add(world.chef.agent)
    assert blocks_in(home_of(world.chef.agent)) == {"mission", "console"}


def test_language_menu_names_french_in_french_on_an_english_page(world, settings):
    client = Client()
    client.force_login(world.agent.agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/agents/").content.decode()
    assert '<html lang="en">' in page
    assert ">Français</option>" in page and ">English</option>" in page


def test_the_dpo_reaches_the_full_journal_from_the_home(world):
    """A DPO is not staff (the admin would send them to its login): the link leads to the journal's export, which
    the DPO's session may read; staff get the admin's journal."""
    dpo = make_agent(communes=[world.commune], role="dpo", password=None)
    assert not dpo.is_staff
    page = home_of(dpo).split('data-role-block="journal"', 1)[1].split("</section>", 1)[0]
    assert 'href="/api/v1/privacy/audit"' in page and "/admin/" not in page
    client = Client()
    client.force_login(dpo)
    assert client.get("/api/v1/privacy/audit").status_code == 200
    superuser = make_agent(superuser=True, password=None)
    assert 'href="/admin/privacy/auditentry/"' in home_of(superuser)


def test_elu_home_shows_figures_of_the_last_30_days_with_small_counts_suppressed(world):
    for _index in range(6):
        intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    page = home_of(world.elected.agent)
    block = page.split('data-role-block="indicators"', 1)[1].split("</section>", 1)[0]
    assert "les 30 derniers jours" in block and world.commune.name in block
    assert "Interventions" in block and "Signalements reçus" in block
    row = block.split("Interventions</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>6</td>" in "".join(row.split())
    # No intervention in the previous period: a count under 5 (0) is not given to the élu one by one.
    assert "moins de 5" in block
