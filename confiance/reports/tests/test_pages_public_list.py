"""The public list and map of reports: filters, pages, a fixed number of queries, and privacy kept (no name, no
contact, no tracking token, no hidden text or photo, in the HTML or the JSON); bad filters are a French 400."""

import json
import os

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from confiance.accounts.tests.factories import make_actor
from confiance.reports.choices import ReportStatus
from confiance.reports.drafts import Reporter
from confiance.reports.models import Report, ReportPhoto
from confiance.reports.services.handling import report_moderate
from confiance.reports.tests.factories import POINT_A, POINT_B, add_reports, jpeg_with_exif, make_world, submit

pytestmark = pytest.mark.django_db
LIST, POINTS = "/signalements/", "/signalements/carte.json"
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None, derandomize=True,
                database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def world():
    return make_world()


def test_the_list_shows_and_filters_the_reports_of_the_territory(world):
    pothole = submit(world, description="Nid-de-poule devant l'école", address="12 rue de la Mairie")
    ormoy = submit(world, point=POINT_B, description="Trou à Ormoy")
    Report.objects.filter(pk=ormoy.pk).update(status=ReportStatus.DONE, is_open=False)
    html = Client().get(LIST).content.decode()
    assert f'data-report="{pothole.pk}"' in html and f'data-report="{ormoy.pk}"' in html
    assert "12 rue de la Mairie" in html and "Nid-de-poule devant l&#x27;école" in html and "Nouveau" in html
    mennecy = Client().get(LIST, {"commune": "91386"}).content.decode()
    assert "Signalements à Mennecy" in mennecy and f'data-report="{ormoy.pk}"' not in mennecy
    closed = Client().get(LIST, {"etat": "closed"}).content.decode()
    assert f'data-report="{ormoy.pk}"' in closed and f'data-report="{pothole.pk}"' not in closed
    by_state = Client().get(LIST, {"etat": "nouveau", "categorie": "voirie"}).content.decode()
    assert f'data-report="{pothole.pk}"' in by_state
    points = Client().get(POINTS, {"commune": "91386"}).json()["reports"]
    assert points == [{"id": pothole.pk, "lat": POINT_A[0], "lon": POINT_A[1], "status": "nouveau",
                       "status_label": "Nouveau", "category": "Voirie", "url": f"/signalements/{pothole.pk}/"}]


def test_nothing_personal_or_hidden_reaches_the_public_list_or_map(world):
    report = submit(world, description="Texte qui sera masqué", reporter=Reporter(
        name="Ana Lima", email="ana.lima@example.org", phone="06 12 34 56 78", consent=True),
        photos=[("p.jpg", jpeg_with_exif())])
    handler = make_actor(communes=[world.commune], role="technical_agent", password=None)
    shown = Client().get(LIST).content.decode()
    assert "/signalements/photo/" in shown  # a public photo is shown, as a thumbnail
    report_moderate(actor=handler, report=report, hide_description=True)
    report_moderate(actor=handler, report=report, photo_id=ReportPhoto.objects.get().pk, hide_photo=True)
    report.refresh_from_db()
    for body in (Client().get(LIST).content.decode(), Client().get(POINTS).content.decode(),
                 Client().get(LIST, {"commune": "91386", "etat": "open"}).content.decode()):
        for secret in ("Ana Lima", "ana.lima@example.org", "06 12 34 56 78", "Texte qui sera masqué",
                       report.tracking_token, "/signalements/photo/", "/suivi/"):
            assert secret not in body
    assert f'data-report="{report.pk}"' in Client().get(LIST).content.decode()


@pytest.mark.parametrize("params, message", [
    ({"commune": "00000"}, "Commune inconnue"), ({"categorie": "inconnue"}, "Catégorie inconnue"),
    ({"etat": "ouvert"}, "État inconnu"), ({"commune": "9" * 100}, "trop long"),
    ({"commune": "91468", "categorie": "depot"}, "Catégorie inconnue"),  # Ormoy has no such category
])
def test_bad_filters_are_refused_in_french(world, params, message):
    page = Client().get(LIST, params)
    html = page.content.decode()
    assert page.status_code == 400 and message in html and 'id="error-summary"' in html
    points = Client().get(POINTS, params)
    assert points.status_code == 400 and message in points.json()["message"] and points.json()["code"]


def test_pages_of_twenty(world):
    add_reports(world, 12)  # two categories: 24 reports
    first = Client().get(LIST).content.decode()
    assert first.count('data-report="') == 20 and "Page 1 sur 2" in first and "page=2" in first
    assert Client().get(LIST, {"page": "2"}).content.decode().count('data-report="') == 4
    assert Client().get(LIST, {"page": "x\u00b2"}).status_code == 200


@pytest.mark.parametrize("count", [1, 4])
def test_list_and_map_are_read_in_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    add_reports(world, count)
    client = Client()
    client.get(LIST)
    with django_assert_num_queries(5):  # communes, categories, count, page, photos
        page = client.get(LIST, {"etat": "open"})
    assert page.content.decode().count('data-report="') == 2 * count
    with django_assert_num_queries(1):
        assert len(client.get(POINTS).json()["reports"]) == 2 * count


def test_the_portal_home_links_to_the_list(world):
    assert 'href="/signalements/"' in Client().get("/").content.decode()


TEXT = st.one_of(st.sampled_from(["", "91386", "voirie", "open", "closed", "nouveau", "a\x00b", "²", "%00", "9" * 70]),
                 st.text(max_size=30))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["commune", "categorie", "etat", "page", "autre"]), TEXT, max_size=5))
@example(params={"commune": "91386", "categorie": "voirie", "etat": "open"})
@example(params={"etat": "\x00"})
def test_generated_filters_never_break_the_list_or_the_map(world, params):
    client = Client()
    points = client.get(POINTS, params)
    assert points.status_code in (200, 400)
    if "\x00" in "".join(params.values()):  # refused before any view, in French (core middleware)
        assert "Caractère nul interdit" in points.json()["message"]
    else:
        body = json.loads(points.content)
        assert isinstance(body["reports"], list) if points.status_code == 200 else body["message"]
    assert client.get(LIST, params).status_code in (200, 400)


def test_planted_markup_is_shown_as_text(world):
    submit(world, description='<script>alert("x")</script>', address='<img src=x onerror="alert(1)">')
    html = Client().get(LIST).content.decode()
    assert '<script>alert("x")' not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
