"""The citizen form after a refusal: a summary at the top that links to each field, each error next to its field,
aria-describedby naming only ids of the page, the map given back as it was left; the tracking page says the states
the report is in (followed, feedback given, duplicate of another)."""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from confiance.accounts.tests.factories import make_actor
from confiance.reports.choices import ReportStatus
from confiance.reports.drafts import Reporter
from confiance.reports.models import Report
from confiance.reports.services.follow_up import report_feedback
from confiance.reports.services.handling import report_mark_duplicate
from confiance.reports.tests.factories import POINT_A, jpeg_with_exif, make_world, submit

pytestmark = pytest.mark.django_db
FORM = "/signaler/"


@pytest.fixture
def world():
    return make_world()


class _Ids(HTMLParser):
    """Every id of a page, every reference of aria-describedby, every href to an anchor of the page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.described: list[str] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"])
        self.described += (values.get("aria-describedby") or "").split()
        if tag == "a" and (values.get("href") or "").startswith("#"):
            self.anchors.append(values["href"][1:])


def page_ids(html: str) -> _Ids:
    parsed = _Ids()
    parsed.feed(html)
    return parsed


def assert_references_exist(html: str) -> _Ids:
    parsed = page_ids(html)
    duplicates = {i for i in parsed.ids if parsed.ids.count(i) > 1}
    assert not duplicates, f"ids used twice: {duplicates}"
    missing = set(parsed.described) - set(parsed.ids)
    assert not missing, f"aria-describedby names ids the page lacks: {missing}"
    return parsed


def summary_links(html: str) -> list[str]:
    start = html.index('id="error-summary"')
    return page_ids(html[start:html.index("</div>", start)]).anchors


def test_an_empty_post_gives_a_summary_that_links_to_each_field(world):
    response = Client().post(FORM, {"email": "pas-une-adresse", "name": "Ana"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Erreur : Signaler un problème" in html
    assert 'id="error-summary" role="alert" tabindex="-1"' in html
    assert html.index('id="error-summary"') < html.index("<h1>")
    assert summary_links(html) == ["report-map", "id_service_code", "id_email", "id_consent"]
    assert html.count("Placez le repère sur la carte") == 2  # in the summary and once under the map
    assert 'id="report-map-error"' in html and 'id="id_service_code_error"' in html
    assert 'id="id_email_error"' in html and 'id="id_consent_error"' in html
    parsed = assert_references_exist(html)
    assert set(summary_links(html)) - {"report-map"} <= set(parsed.ids)


def test_every_aria_describedby_names_an_existing_id(world):
    assert_references_exist(Client().get(FORM).content.decode())
    long = Client().post(FORM, {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "voirie",
                                "description": "x" * 5000, "phone": "abc", "consent": "on"}).content.decode()
    parsed = assert_references_exist(long)
    assert "id_description_error" in parsed.described
    report = submit(world)
    track = Client().post(f"/signalements/suivi/{report.tracking_token}/", {"action": "feedback"})
    assert_references_exist(track.content.decode())
    follow = Client().post(f"/signalements/{report.pk}/suivre/", {"email": "non"}).content.decode()
    assert "id_email_error" in assert_references_exist(follow).described


def test_a_refusal_of_the_service_is_shown_next_to_its_field(world):
    outside = Client().post(FORM, {"lat": 45.0, "lon": 5.0, "service_code": "voirie"}).content.decode()
    assert "Ce lieu n&#x27;est dans aucune commune" in outside and summary_links(outside) == ["report-map"]
    unknown = Client().post(FORM, {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "inconnue"})
    assert summary_links(unknown.content.decode()) == ["id_service_code"]
    missing = Client().post(FORM, {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "depot"}).content.decode()
    assert summary_links(missing) == ["attr-volume"]  # the question's input, drawn by the page's script
    assert '<script id="attribute-errors" type="application/json">{"volume": "R' in missing


def test_the_map_comes_back_as_it_was_left(world):
    html = Client().post(FORM, {"lat": POINT_A[0], "lon": POINT_A[1], "carte": "48.5651,2.4049,16"}).content.decode()
    assert 'data-view="48.56510,2.40490,16"' in html and 'id="map-view" value="48.56510,2.40490,16"' in html
    assert 'value="48.565"' in html  # the pin's latitude, given back
    for bad in ["x", "1,2", "91,0,5", "48,2,99", "nan,1,3", "inf,1,3", "48,2,1.5", "9" * 400]:
        assert 'data-view=""' in Client().post(FORM, {"carte": bad}).content.decode()
    assert 'data-view=""' in Client().get(FORM, {"carte": "48,2,16"}).content.decode()


def test_photos_to_choose_again_are_said(world):
    html = Client().post(FORM, {"photos": SimpleUploadedFile("p.jpg", jpeg_with_exif(), "image/jpeg")}).content
    assert "choisissez-les à nouveau" in html.decode() and "id_photos" in summary_links(html.decode())


def test_tracking_page_says_followed_feedback_and_duplicate(world):
    followed = submit(world, description="A", reporter=Reporter(email="ana@example.org", consent=True))
    anonymous = submit(world, description="B")
    page = Client().get(f"/signalements/suivi/{followed.tracking_token}/").content.decode()
    assert 'id="state-followed"' in page and 'action="/signalements/' not in page  # no second follow form
    other = Client().get(f"/signalements/suivi/{anonymous.tracking_token}/").content.decode()
    assert 'id="state-followed"' not in other and f'action="/signalements/{anonymous.pk}/suivre/"' in other
    handler = make_actor(communes=[world.commune], role="technical_agent", password=None)
    Report.objects.filter(pk=followed.pk).update(status=ReportStatus.DONE, is_open=False)
    followed.refresh_from_db()
    report_feedback(report=followed, fixed=False)
    closed = Client().get(f"/signalements/suivi/{followed.tracking_token}/").content.decode()
    assert 'id="state-feedback"' in closed and "le problème n'est pas réglé" in closed
    assert 'value="feedback"' not in closed and 'value="reopen"' in closed
    report_mark_duplicate(actor=handler, report=anonymous, original=followed)
    duplicate = Client().get(f"/signalements/suivi/{anonymous.tracking_token}/").content.decode()
    assert 'id="state-duplicate"' in duplicate and f'href="/signalements/{followed.pk}/"' in duplicate
    assert 'value="feedback"' not in duplicate
    public = Client().get(f"/signalements/{anonymous.pk}/").content.decode()
    assert 'id="state-duplicate"' in public and 'id="state-feedback"' not in public


def test_following_from_the_tracking_page_returns_to_it(world):
    report = submit(world)
    track = f"/signalements/suivi/{report.tracking_token}/"
    response = Client().post(f"/signalements/{report.pk}/suivre/", {"email": "bob@example.org", "next": track})
    assert response.status_code == 302 and response["Location"] == track
    away = Client().post(f"/signalements/{report.pk}/suivre/", {"email": "bob@example.org",
                                                                  "next": "https://example.org/"})
    assert away["Location"] == f"/signalements/{report.pk}/"
