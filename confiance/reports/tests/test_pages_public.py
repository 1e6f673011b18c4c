"""Citizens' pages of reports, as a citizen drives them."""


import pytest
from django.test import Client

from confiance.core.actors import PublicActor
from confiance.reports.choices import ReportStatus
from confiance.reports.models import Report, ReportFollower
from confiance.reports.services.submission import report_submit
from confiance.reports.tests.factories import POINT_A, add_reports, draft, jpeg_with_exif, make_world

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


@pytest.mark.parametrize("count", [1, 4])
def test_nearby_reports_are_read_in_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    add_reports(world, count)
    client = Client()
    params = {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "voirie"}
    client.get("/signaler/a-proximite.json", params)  # the per-process caches (territory) filled
    with django_assert_num_queries(3):  # measured when written: a report more must not cost a query more
        response = client.get("/signaler/a-proximite.json", params)
    assert len(response.json()["reports"]) == min(count, 5)
