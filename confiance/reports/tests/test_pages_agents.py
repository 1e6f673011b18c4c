"""Agents' pages of reports, as an agent drives them."""

import csv
import io
import json

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_actor, make_agent
from confiance.core.actors import PublicActor
from confiance.reports.choices import ReportStatus
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import POINT_A, POINT_B, add_reports, draft, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_agent_list_filters_exports_and_detail(world):
    agent = make_agent(communes=[world.commune], role="technical_agent")
    stranger = make_agent(communes=[world.other], role="technical_agent")
    mine = report_submit(actor=PublicActor("t"), draft=draft(description="Trou rue A")).report
    theirs = report_submit(actor=PublicActor("t"), draft=draft(point=POINT_B, description="Ormoy")).report
    client = Client()
    client.force_login(agent)
    page = client.get("/agents/signalements/").content.decode()
    assert "Trou rue A" not in page and f'data-report="{mine.pk}"' in page and f'data-report="{theirs.pk}"' not in page
    assert f'data-report="{mine.pk}"' not in client.get("/agents/signalements/", {"etat": "closed"}).content.decode()
    assert client.get("/agents/signalements/", {"bbox": "1,2,x", "depuis": "2026-13-45"}).status_code == 200
    rows = list(csv.DictReader(io.StringIO(client.get("/agents/signalements/", {"format": "csv"})
                                           .content.decode("utf-8-sig")), delimiter=";"))
    assert [int(row["id"]) for row in rows] == [mine.pk] and "reporter" not in str(rows[0].keys())
    geo = json.loads(client.get("/agents/signalements/", {"format": "geojson"}).content)
    assert geo["features"][0]["geometry"]["coordinates"] == [POINT_A[1], POINT_A[0]]
    detail = client.post(f"/agents/signalements/{mine.pk}/", {"action": "respond", "status": "en_cours",
                                                               "public_message": "On y va", "internal_note": "B"})
    assert detail.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ReportStatus.IN_PROGRESS
    refused = client.post(f"/agents/signalements/{mine.pk}/", {"action": "respond", "status": "nouveau"})
    assert refused.status_code == 400
    bulk = client.post("/agents/signalements/lot/", {"action": "done", "ids": [mine.pk, theirs.pk], "next": "?",
                                                      "confirm": "1", "public_message": "Réparé."})
    assert bulk.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == ReportStatus.DONE and theirs.status == ReportStatus.NEW
    other = Client()
    other.force_login(stranger)
    assert other.get(f"/agents/signalements/{mine.pk}/").status_code == 404
    assert other.post(f"/agents/signalements/{mine.pk}/", {"action": "respond", "status": "clos"}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == ReportStatus.DONE


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_and_its_map_are_read_in_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    add_reports(world, count, handler=make_actor(communes=[world.commune], role="technical_agent"))
    client = Client()
    client.force_login(make_agent(communes=[world.commune, world.other], role="technical_agent"))
    client.get("/agents/signalements/")
    with django_assert_num_queries(11):
        page = client.get("/agents/signalements/")
    assert page.content.decode().count('data-report="') == 2 * count
    with django_assert_num_queries(5):
        points = client.get("/agents/signalements/carte.json").json()["reports"]
    assert len(points) == 2 * count
