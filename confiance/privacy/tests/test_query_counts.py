"""Query count of the journal's list endpoint, kept as a baseline (NetBox's habit): measured with one entry and with
several, so a count that grows with the rows (an N+1) fails."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.privacy.services import audit_record
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True  # these tests count the endpoint's reads; 2FA has its own tests


# Measured on 2026-12-01, the same with 1 and 4 entries: session, agent, grants, the page's count and rows.
AUDIT_QUERIES = 5


@pytest.mark.parametrize("rows", [1, 4])
def test_audit_list_query_count(django_assert_num_queries, rows):
    commune = make_commune()
    for number in range(rows):
        audit_record(actor=None, action=f"test.{number}", commune_id=commune.pk)
    client = Client()
    client.force_login(make_agent(communes=[commune], role="dpo", password=None))
    with django_assert_num_queries(AUDIT_QUERIES):
        response = client.get("/api/v1/privacy/audit", {"target_type": ""})
    assert response.status_code == 200
    assert [item["action"] for item in response.json()["items"]] == [f"test.{n}" for n in reversed(range(rows))]
