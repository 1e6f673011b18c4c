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
    with django_assert_num_queries(12):  # 11, + the crisis banner's one read
        page = client.get("/agents/signalements/")
    assert page.content.decode().count('data-report="') == 2 * count
    with django_assert_num_queries(5):
        points = client.get("/agents/signalements/carte.json").json()["reports"]
    assert len(points) == 2 * count


def test_detail_shows_answers_in_words_and_agents_by_name(world):
    agent = make_agent(communes=[world.commune], role="technical_agent")
    agent.first_name, agent.last_name = "Camille", "Martin"
    agent.save()
    report = report_submit(actor=PublicActor("t"), draft=draft(
        code="depot", attributes={"volume": "gros", "sacs": "3", "nature": ["verts", "gravats"]})).report
    report.attributes = {**report.attributes, "sacs": 2.5}
    report.save(update_fields=["attributes"])
    client = Client()
    client.force_login(agent)
    assert client.post(f"/agents/signalements/{report.pk}/", {"action": "respond", "status": "en_cours",
                                                               "public_message": "On y va"}).status_code == 302
    page = client.get(f"/agents/signalements/{report.pk}/").content.decode()
    assert "<dt>Quel volume ?</dt><dd>Gros</dd>" in page and "<dt>Combien ?</dt><dd>2,5</dd>" in page
    assert "<dt>Nature</dt><dd>Gravats, Verts</dd>" in page
    assert "<dt>volume</dt>" not in page
    assert "Camille Martin" in page and f"— {agent.username}" not in page
    assert 'class="subsection-title"' in page


def test_answer_text_booleans_and_whole_numbers():
    from confiance.reports.models import CategoryAttribute
    from confiance.reports.views.agents import _answer_text

    number = CategoryAttribute(code="n", datatype="number", description="N")
    assert _answer_text(number, "4.0") == "4" and _answer_text(number, 1.25) == "1,25"
    assert _answer_text(None, True) == "oui" and _answer_text(None, "false") == "non"
    choice = CategoryAttribute(code="s", datatype="singlevaluelist", description="S",
                               values=[{"key": "prive", "name": "Privé"}])
    assert _answer_text(choice, "prive") == "Privé"
