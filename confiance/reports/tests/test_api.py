"""The reports' API for agents: lists read in a fixed number of queries, scoped to the token's communes."""

import pytest
from django.test import Client

from confiance.accounts.services import api_token_create
from confiance.accounts.tests.factories import make_actor, make_agent
from confiance.reports.tests.factories import add_reports, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _api(world) -> Client:
    agent = make_agent(communes=[world.commune, world.other], role="technical_agent")
    issued = api_token_create(actor=None, agent=agent, name="SIG", communes=[world.commune, world.other],
                              permissions=["reports.view"], days=30)
    return Client(headers={"Authorization": f"Bearer {issued.secret}"})


@pytest.mark.parametrize("count", [1, 4])
@pytest.mark.parametrize(("path", "queries"), [("/api/v1/reports", 5), ("/api/v1/reports/categories", 6)])
def test_lists_are_read_in_a_fixed_number_of_queries(world, count, path, queries, django_assert_num_queries):
    """Measured when written: more reports (or categories' questions) must not mean more queries."""
    add_reports(world, count, handler=make_actor(communes=[world.commune], role="technical_agent"))
    api = _api(world)
    api.get(path)
    with django_assert_num_queries(queries):
        response = api.get(path)
    assert response.status_code == 200


def test_the_list_holds_the_reports_of_the_tokens_communes(world):
    reports = add_reports(world, 2)
    body = _api(world).get("/api/v1/reports").json()
    assert body["count"] == len(reports) and {item["id"] for item in body["items"]} == {r.pk for r in reports}
    assert all(item["commune_insee"] == "91386" for item in body["items"])
