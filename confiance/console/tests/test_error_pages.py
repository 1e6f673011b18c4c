"""French 404 and 500 pages in the site's layout (the 500 without a request context), the Open311 root."""

import json

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


def test_unknown_page_is_a_french_404_in_the_layout():
    response = Client().get("/cette-page-n-existe-pas/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in page and 'class="site-header"' in page and "favicon.svg" in page
    assert "Not Found" not in page


def test_server_error_renders_in_french_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in page and 'class="site-header"' in page
    assert "Server Error" not in page


def test_a_failing_view_gives_the_french_500(settings):
    settings.ROOT_URLCONF = "confiance.console.tests.failing_urls"
    response = Client(raise_request_exception=False).get("/panne/")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


@pytest.mark.parametrize("path", ["/open311/", "/open311/v2/"])
def test_open311_root_points_to_discovery(path):
    page = Client().get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Interface Open311" in text and "/open311/v2/discovery.xml" in text and "/open311/v2/discovery.json" in text
    data = json.loads(Client().get(path, HTTP_ACCEPT="application/json").content)
    assert data["discovery_json"] == "/open311/v2/discovery.json" and "découverte" in data["message"]


def test_open311_endpoints_still_answer_beside_the_root():
    assert Client().get("/open311/v2/discovery.json").status_code == 200
    assert Client().get("/open311/v2/inconnu.json").status_code == 404
