"""Query count of `GET /api/v1/accounts/me` (memberships and permissions), kept as a baseline (NetBox's habit):
measured with one membership and with several, by session and by token, so an N+1 fails."""

import pytest
from django.test import Client

from confiance.accounts.services import api_token_create
from confiance.accounts.tests.factories import make_agent
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db
ROWS = [1, 4]


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # these tests count the endpoint's reads; 2FA has its own tests


def agent_of(rows):
    communes = [make_commune(lon=2.40 + 0.05 * number) for number in range(rows)]
    return make_agent(communes=communes, role="administrator", password=None), communes


# Measured on 2026-12-01, the same with 1 and 4 memberships: session and agent (or the token with its agent and
# the write of its last use, then its communes), memberships with their communes, grants, the communes' codes.
ME_BY_SESSION_QUERIES, ME_BY_TOKEN_QUERIES = 5, 6


@pytest.mark.parametrize("rows", ROWS)
def test_me_by_session_query_count(django_assert_num_queries, rows):
    agent, _ = agent_of(rows)
    client = Client()
    client.force_login(agent)
    with django_assert_num_queries(ME_BY_SESSION_QUERIES):
        response = client.get("/api/v1/accounts/me")
    assert response.status_code == 200
    assert len(response.json()["memberships"]) == len(response.json()["permissions"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_me_by_token_query_count(django_assert_num_queries, rows):
    agent, communes = agent_of(rows)
    issued = api_token_create(actor=None, agent=agent, name="SIG", communes=communes,
                              permissions=["territory.view"], days=30)
    with django_assert_num_queries(ME_BY_TOKEN_QUERIES):
        response = Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert response.status_code == 200
    assert len(response.json()["memberships"]) == len(response.json()["permissions"]) == rows
