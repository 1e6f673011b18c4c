"""The agents' shell: home per role, navigation that follows permissions, the SSE endpoint's refusals, the
territory map's tenancy, the refusal page."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from confiance.accounts.tests.factories import make_agent
from confiance.territory.tests.factories import make_commune, make_sector

pytestmark = pytest.mark.django_db
# Measured: session, agent, grants, memberships, communes, and the navigation's own grants (a second Actor); for the
# policier's block, the roles held and the unit (no unit: no assignment read); the crisis banner's one read.
HOME_QUERIES = 11  # the crisis banner, the alerts summary and the protocol reminders


@pytest.fixture
def communes():
    return make_commune(name="Mennecy", lon=2.40), make_commune(name="Ormoy", lon=2.45)


def signed_in(agent) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(agent)
    return client


def body_of(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(("role", "label"), [
    ("police_agent", "Agent de police municipale"),
    ("technical_agent", "Agent des services techniques"),
    ("elected_official", "Élu"),
])
def test_home_shows_the_agents_communes_and_roles(communes, role, label):
    mine = communes[0]
    body = body_of(signed_in(make_agent(communes=[mine], role=role)).get(reverse("console:home")))
    assert "Mennecy" in body and mine.insee_code in body and label in body
    assert "Ormoy" not in body


def test_home_without_commune_says_whom_to_ask():
    body = body_of(signed_in(make_agent()).get(reverse("console:home")))
    assert "Vous n'êtes affecté à aucune commune" in body


def test_home_carries_the_live_labels_of_every_app(communes):
    response = signed_in(make_agent(communes=[communes[0]])).get(reverse("console:home"))
    labels = response.context["event_labels"]
    assert labels["reports.created"] == "Nouveau signalement"
    assert labels["operations.log_entry"] == "Main courante" and labels["territory.zone_created"] == "Zone créée"
    assert 'id="live-labels"' in body_of(response)


def test_home_needs_a_login():
    response = Client().get(reverse("console:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    ("police_agent", {"operations:console", "operations:field", "operations:logbook", "analytics:home"}, set()),
    ("csu_operator", {"operations:console", "operations:logbook", "analytics:home"}, {"operations:field"}),
    ("elected_official", {"analytics:home"}, {"operations:console", "operations:field", "operations:logbook"}),
    ("technical_agent", set(), {"operations:console", "operations:field", "operations:logbook", "analytics:home"}),
])
def test_navigation_links_follow_permissions(communes, role, shown, hidden):
    body = body_of(signed_in(make_agent(communes=[communes[0]], role=role)).get(reverse("console:home")))
    for name in {"console:home", "reports:list", "console:territory"} | shown:
        assert f'href="{reverse(name)}"' in body, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in body, name
    assert f'href="{reverse("admin:index")}"' not in body  # not staff


def test_live_stream_refuses_anonymous_callers_with_the_error_shape():
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get(reverse("console:live-events"))
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "details": {},
                               "message": "Authentification requise pour suivre les événements en direct."}


def test_live_stream_refuses_an_agent_without_commune():
    response = signed_in(make_agent()).get(reverse("console:live-events"))
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "details": {},
                               "message": "Aucune commune à suivre en direct."}


def test_live_stream_refuses_a_bad_token_and_other_methods(communes):
    forged = Client().get(reverse("console:live-events"), headers={"Authorization": "Bearer cft_x_y"})
    assert forged.status_code == 401 and forged.json()["code"] == "token_invalid"
    posted = signed_in(make_agent(communes=[communes[0]])).post(reverse("console:live-events"))
    assert posted.status_code == 405 and posted.json()["code"] == "method_not_allowed"


def test_territory_map_shows_only_the_agents_communes(communes):
    mine, other = communes
    make_sector(commune=mine, code="nord", lon=2.40, lat=48.555)
    make_sector(commune=other, code="est", lon=2.45, lat=48.555)
    client = signed_in(make_agent(communes=[mine], role="technical_agent"))
    assert client.get(reverse("console:territory")).status_code == 200
    features = client.get(reverse("console:territory-geojson")).json()["features"]
    assert {(f["properties"]["layer"], f["properties"]["name"]) for f in features} == {
        ("commune", "Mennecy"), ("sector", "Secteur nord")}
    assert signed_in(make_agent()).get(reverse("console:territory-geojson")).json()["features"] == []


def test_the_refusal_page_says_why_and_leads_home(communes):
    client = signed_in(make_agent(communes=[communes[0]], role="technical_agent"))
    with translation.override("fr"):
        response = client.get(reverse("analytics:home"))
    assert response.status_code == 403
    assert response.templates[0].name == "console/forbidden.html"
    body = body_of(response)
    assert "Accès réservé" in body and "Les analyses sont réservées" in body
    assert f'href="{reverse("console:home")}"' in body


def test_home_reads_a_fixed_number_of_rows_whatever_the_communes(communes, django_assert_num_queries):
    agent = make_agent(communes=list(communes), role="police_agent")
    client = signed_in(agent)
    client.get(reverse("console:home"))  # warm the session
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(reverse("console:home")).status_code == 200
    for k in range(3):
        extra = make_commune(name=f"Commune {k}", lon=2.5 + k * 0.05)
        agent.memberships.create(commune=extra, role="police_agent")
    client.get(reverse("console:home"))  # the rights changed: this request re-evaluates the second factor once
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(reverse("console:home")).status_code == 200

