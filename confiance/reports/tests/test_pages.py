"""Citizen and agent pages of reports, as a user drives them."""

import csv
import io
import json

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.core.actors import PublicActor
from confiance.reports.choices import ReportStatus
from confiance.reports.models import Report, ReportFollower
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import POINT_A, POINT_B, draft, jpeg_with_exif, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_citizen_reports_follows_and_gives_feedback(world):
    client = Client()
    page = client.get("/signaler/")
    assert page.status_code == 200 and "Signaler un problème" in page.content.decode()
    categories = client.get("/signaler/categories.json", {"lat": POINT_A[0], "lon": POINT_A[1]}).json()
    assert categories["commune"]["name"] == "Mennecy"
    assert [a["code"] for a in categories["categories"][0]["attributes"]] == ["volume", "sacs", "nature"]
    assert client.get("/signaler/categories.json", {"lat": "x", "lon": 2}).status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "depot", "attribute[volume]": "gros",
            "attribute[nature][]": ["verts", "gravats"],
            "description": "Gravats", "email": "ana@example.org", "nonce": "n-1",
            "photos": SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")}
    refused = client.post("/signaler/", form)  # contact details without consent
    assert refused.status_code == 400 and "Cochez cette case" in refused.content.decode()
    form["photos"] = SimpleUploadedFile("p.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client.post("/signaler/", {**form, "consent": "on"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.attributes["nature"] == ["gravats", "verts"]
    assert response["Location"] == f"/signalements/suivi/{report.tracking_token}/"
    again = client.post("/signaler/", {**form, "consent": "on",
                                       "photos": SimpleUploadedFile("p.jpg", jpeg_with_exif())})
    assert again.status_code == 302 and Report.objects.count() == 1  # double click: same report
    tracking = client.get(response["Location"]).content.decode()
    assert "Gravats" in tracking and "ana@example.org" not in tracking
    nearby = client.get("/signaler/a-proximite.json", {"lat": POINT_A[0], "lon": POINT_A[1],
                                                       "service_code": "depot"}).json()
    assert [row["id"] for row in nearby["reports"]] == [report.pk]
    assert client.post(f"/signalements/{report.pk}/suivre/", {"email": "bob@example.org"}).status_code == 302
    assert ReportFollower.objects.filter(report=report).count() == 2
    assert client.post(f"/signalements/{report.pk}/suivre/", {"email": "non"}).status_code == 400
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.DONE, is_open=False)
    assert client.post(response["Location"], {"action": "feedback", "fixed": "non"}).status_code == 302
    assert client.post(response["Location"], {"action": "reopen", "reason": "x"}).status_code == 400
    assert client.post(response["Location"], {"action": "reopen", "reason": "Toujours là"}).status_code == 302
    report.refresh_from_db()
    assert report.feedback_fixed is False and report.reopen_requested
    assert client.get("/signalements/suivi/inconnu/").status_code == 404


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
    bulk = client.post("/agents/signalements/lot/", {"action": "done", "ids": [mine.pk, theirs.pk], "next": "?"})
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


def test_public_page_writes_dates_in_the_reader_language(world):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 3, 5, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    report = report_submit(actor=PublicActor("citoyen"), draft=draft(), now=moment).report
    french = Client().get(f"/signalements/{report.pk}/").content.decode()
    assert french.count("5 mars 2026 09:30") == 2  # received, and the first line of the history
    assert "Mar 2026" not in french
    english = Client(headers={"accept-language": "en"}).get(f"/signalements/{report.pk}/").content.decode()
    assert "March 5, 2026" in english
