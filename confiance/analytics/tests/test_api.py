"""The analytics API under /api/v1/analytics: runs, indicators."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from confiance.analytics.tests.factories import CITIZEN, TODAY
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import draft

pytestmark = pytest.mark.django_db


def test_api_runs(world, burglaries, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(world.analyst.agent)
    payload = {"kind": "time", "query": {"communes": [world.commune.insee_code],
                                         "start": (TODAY - timedelta(days=364)).isoformat(),
                                         "end": TODAY.isoformat(), "dataset_id": burglaries.pk}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/analytics/runs", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    body = client.get(f"/api/v1/analytics/runs/{run_id}").json()
    assert body["status"] == "done" and "hour_of_week" in body["result"]
    assert client.post("/api/v1/analytics/runs", {"kind": "time", "query": {"communes": ["91468"],
                       "start": "2026-01-01", "end": "2026-02-01"}},
                       content_type="application/json").status_code == 404
    assert client.post("/api/v1/analytics/runs", {"kind": "time", "query": {"communes": "91386"}},
                       content_type="application/json").status_code == 422
    assert client.post("/api/v1/analytics/runs", "{pas du json", content_type="application/json").status_code in (
        400, 422)
    assert client.get("/api/v1/analytics/runs/pas-un-uuid").status_code == 404
    indicators = client.get("/api/v1/analytics/indicators", {"communes": world.commune.insee_code,
                                                             "start": "2026-01-01", "end": "2026-02-01"})
    assert indicators.status_code == 200 and indicators.json()["communes"][0]["commune"] == "Mennecy"


# Measured baselines: each list endpoint reads the same number of rows whatever it returns.
ENDPOINT_QUERIES = {"indicators": 19, "opendata": 8, "events": 11}  # events: the export is journaled;
# opendata: events are placed in the sector of their 500 m cell (disclosure), one look-up of the sector index
# PostgreSQL takes the journal's chain lock with one more statement (SQLite's writer lock needs none).
JOURNAL_LOCK_QUERIES = {"postgresql": 1}


def expected_queries(endpoint: str) -> int:
    extra = JOURNAL_LOCK_QUERIES.get(connection.vendor, 0) if endpoint == "events" else 0
    return ENDPOINT_QUERIES[endpoint] + extra


@pytest.mark.parametrize("endpoint", sorted(ENDPOINT_QUERIES))
def test_list_endpoints_in_fixed_queries(world, endpoint, django_assert_num_queries):
    client = Client()
    client.force_login(world.operator.agent)
    period = {"communes": world.commune.insee_code, "start": (TODAY - timedelta(days=30)).isoformat(),
              "end": TODAY.isoformat(), "sources": "reports"}
    url = f"/api/v1/analytics/{endpoint}"
    report_submit(actor=CITIZEN, draft=draft())
    client.get(url, period)
    with django_assert_num_queries(expected_queries(endpoint)):
        assert client.get(url, period).status_code == 200
    for k in range(4):
        report_submit(actor=CITIZEN, draft=draft(description=f"Trou {k}"))
    with django_assert_num_queries(expected_queries(endpoint)):
        assert client.get(url, period).status_code == 200
