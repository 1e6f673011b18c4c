"""The public page of a commune's cameras: map data, list and notice, GeoJSON and CSV; nothing that helps an
intruder (no stream link, no VMS reference, no masks, no angle or range); expired authorisations flagged; the cache
follows every change; constant queries whatever the number of cameras."""

import html
import json
import re
from concurrent.futures import Executor
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.devices.models import Camera
from confiance.devices.tests.camera_factories import make_camera, make_notice

pytestmark = pytest.mark.django_db
MASK = {"type": "Polygon", "coordinates": [[[2.4001, 48.5501], [2.4003, 48.5501], [2.4003, 48.5503],
                                            [2.4001, 48.5501]]]}


@pytest.fixture
def public(world):
    make_notice(world.commune)
    valid = make_camera(world.commune, name="Parvis de la mairie", privacy_masks=(MASK,))
    expired = make_camera(world.commune, name="Gare routière",
                          authorised_on=timezone.localdate() - timedelta(days=5 * 365 + 30))
    other = make_camera(world.other, name="Place d'Ormoy")
    return valid, expired, other


def test_the_page_lists_the_communes_cameras_with_the_notice_and_flags_the_expired(world, public):
    valid, _expired, _other = public
    page = html.unescape(Client().get("/videoprotection/91386/").content.decode())
    assert "Parvis de la mairie" in page and "Gare routière" in page and "Place d'Ormoy" not in page
    assert "Autorisation expirée" in page and "1 autorisation expirée" in page
    assert "Le maire de Mennecy" in page and "dpo@mairie.example.test" in page
    assert valid.authorisation_reference in page and "15 jours" in page
    assert "Espace placé sous vidéoprotection" in page


def test_nothing_that_helps_an_intruder(world, public):
    valid, *_ = public
    client = Client()
    bodies = [client.get(url).content.decode() for url in (
        "/videoprotection/91386/", "/videoprotection/91386/notice/", "/videoprotection/91386/cameras.geojson",
        "/videoprotection/91386/cameras.csv")]
    for body in bodies:
        assert valid.vms_url not in body and valid.vms_reference not in body
        assert "48.5503" not in body  # a mask's corner
        assert "range" not in body and "angle" not in body
    geojson = json.loads(bodies[2])
    properties = geojson["features"][0]["properties"]
    assert set(properties) == {"number", "name", "address", "direction_deg", "purposes", "retention_days",
                               "authorisation_reference", "authorisation_expiry", "expired", "state", "state_label"}


def test_geojson_and_csv_carry_the_registry(world, public):
    client = Client()
    geojson = client.get("/videoprotection/91386/cameras.geojson")
    assert geojson["Content-Type"] == "application/geo+json"
    features = geojson.json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Gare routière", "Parvis de la mairie"]
    assert [f["properties"]["expired"] for f in features] == [True, False]
    csv = client.get("/videoprotection/91386/cameras.csv").content.decode("utf-8-sig")
    lines = csv.strip().split("\r\n")
    assert len(lines) == 3 and "Parvis de la mairie" in lines[2] and "dpo@mairie.example.test" in lines[2]


def test_a_slug_redirects_to_the_insee_code_and_unknown_communes_are_not_found(world, public):
    client = Client()
    response = client.get("/videoprotection/mennecy/")
    assert response.status_code == 301 and response["Location"] == "/videoprotection/91386/"
    for code in ("99999", "nulle-part", "x" * 300, "'; drop table"):
        assert client.get(f"/videoprotection/{code}/").status_code == 404
    # A NUL in the path is refused before any view, as everywhere on the site.
    assert client.get("/videoprotection/%00/").status_code == 400


def test_the_cache_follows_a_change_of_a_camera_made_anywhere(world, public):
    valid, *_ = public
    client = Client()
    assert "Parvis de la mairie" in client.get("/videoprotection/91386/").content.decode()
    camera = Camera.objects.get(pk=valid.pk)
    camera.device.name = "Parvis rénové"
    camera.device.save()  # a device change (the admin's, say) moves the devices' registry revision
    assert "Parvis rénové" in client.get("/videoprotection/91386/").content.decode()
    camera.retention_days = 7
    camera.save()
    assert "7 jours" in client.get("/videoprotection/91386/").content.decode()


def test_queries_do_not_grow_with_the_number_of_cameras(world, public):
    client = Client()
    client.get("/videoprotection/91386/")
    with CaptureQueriesContext(connection) as few:
        client.get("/videoprotection/91386/")
    for _index in range(5):
        make_camera(world.commune)
    client.get("/videoprotection/91386/")  # rebuilt after the change
    with CaptureQueriesContext(connection) as many:
        assert client.get("/videoprotection/91386/").status_code == 200
    assert len(many) == len(few) <= 3


def test_the_notice_page_and_a_commune_without_notice(world, public):
    client = Client()
    assert "Notice détaillée." in client.get("/videoprotection/91386/notice/").content.decode()
    page = html.unescape(client.get("/videoprotection/91468/").content.decode())
    assert "pas encore publié sa notice" in page and "Place d'Ormoy" in page


def test_the_shared_page_carries_no_token_and_its_language_form_still_posts_with_one(world, public):
    """ADR 0018: the page kept for every anonymous visitor sets no cookie and holds no token; its language form
    asks the language page by GET, which posts to set_language with the visitor's own token (CSRF enforced)."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/videoprotection/91386/")
    page = response.content.decode()
    assert "csrfmiddlewaretoken" not in page and not response.cookies
    form = re.search(r'<form action="([^"]+)" method="get" class="language-form">', page)
    assert form and form.group(1) == "/langue/"
    choice = client.get("/langue/", {"language": "en", "next": "/videoprotection/91386/"})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', choice.content.decode()).group(1)
    assert 'value="en" lang="en" selected' in choice.content.decode()
    assert client.cookies.get("django_language") is None  # a GET changes nothing
    refused = client.post("/i18n/setlang/", {"language": "en", "next": "/videoprotection/91386/"})
    assert refused.status_code == 403
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/videoprotection/91386/",
                                              "csrfmiddlewaretoken": token})
    assert switched.status_code == 302 and switched["Location"] == "/videoprotection/91386/"
    english = client.get("/videoprotection/91386/").content.decode()
    assert 'lang="en"' in english


def test_the_language_page_sends_nobody_elsewhere(world):
    page = Client().get("/langue/", {"language": "xx", "next": "https://evil.example/"}).content.decode()
    assert 'name="next" type="hidden" value="/"' in page and 'value="fr" lang="fr" selected' in page


def test_an_agent_gets_the_page_with_their_own_menu(world, public):
    agent = make_agent(communes=[world.commune], role="police_agent", password=None)
    client = Client()
    client.force_login(agent)
    page = client.get("/videoprotection/91386/").content.decode()
    assert "Se déconnecter" in page and "Parvis de la mairie" in page
    assert "Se déconnecter" not in Client().get("/videoprotection/91386/").content.decode()


def test_a_notice_or_authorisation_change_is_seen_by_the_next_request_of_every_format(world, public):
    valid, *_ = public
    client = Client()
    for path in ("/videoprotection/91386/", "/videoprotection/91386/cameras.csv",
                 "/videoprotection/91386/cameras.geojson"):
        client.get(path)  # cached
    notice = make_notice(world.commune)
    notice.dpo_contact = "nouveau-dpo@mairie.example.test"
    notice.save()
    assert "nouveau-dpo@mairie.example.test" in client.get("/videoprotection/91386/").content.decode()
    assert "nouveau-dpo@mairie.example.test" in client.get("/videoprotection/91386/cameras.csv").content.decode()
    camera = Camera.objects.get(pk=valid.pk)
    camera.authorisation_reference = "AP-RENOUVELEE-1"
    camera.save()
    features = json.loads(client.get("/videoprotection/91386/cameras.geojson").content)["features"]
    assert "AP-RENOUVELEE-1" in {feature["properties"]["authorisation_reference"] for feature in features}


def test_an_authorisation_expires_at_midnight_without_any_write(world, public, monkeypatch):
    from confiance.devices.selectors import public_cameras

    client = Client()
    path = "/videoprotection/91386/cameras.geojson"

    def state():
        features = json.loads(client.get(path).content)["features"]
        return next(f["properties"]["expired"] for f in features if f["properties"]["name"] == "Parvis de la mairie")

    assert state() is False
    expiry = date.fromisoformat(next(f["properties"]["authorisation_expiry"] for f in json.loads(
        client.get(path).content)["features"] if f["properties"]["name"] == "Parvis de la mairie"))
    monkeypatch.setattr(public_cameras.timezone, "localdate", lambda *args: expiry + timedelta(days=1))
    assert state() is True


class _NoThread(Executor):
    """A request pool that must not be used: the answer comes from memory."""

    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("went through Django")


def test_the_server_answers_the_page_from_memory_with_its_security_headers(world, public):
    """Through the ASGI handler (core.public_pages, ADR 0018): once Django has answered an anonymous request (here
    the test client, the same middleware stack), the same request is answered from memory, with the headers the
    stack gave it and no thread; a change is seen once the page is due (two seconds at most)."""
    import asyncio

    from confiance.core.asgi import PooledASGIHandler

    app = PooledASGIHandler(threads=1, async_prefixes=("/live/",))
    app.pool.shutdown()
    app.pool = _NoThread()

    def scope(path):
        return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}

    async def call(path):
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        await app(scope(path), receive, send)
        return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])

    for path in ("/videoprotection/91386/", "/videoprotection/91386/cameras.geojson"):
        django_answer = Client().get(path)
        key = app.public_pages.key(scope(path))
        app.public_pages.store(key, django_answer)
        status, headers, body = asyncio.run(call(path))
        assert status == 200 and body == django_answer.content and b"Set-Cookie" not in headers
        assert b"frame-ancestors 'none'" in headers[b"Content-Security-Policy"]
        assert headers[b"X-Frame-Options"] == b"DENY" and headers[b"X-Content-Type-Options"] == b"nosniff"
        assert headers[b"Referrer-Policy"] == b"same-origin" and b"Cookie" in headers[b"Vary"]
    camera = Camera.objects.get(device__name="Parvis de la mairie")
    camera.authorisation_reference = "AP-RENOUVELEE-2"
    camera.save()
    assert b"AP-RENOUVELEE-2" not in asyncio.run(call("/videoprotection/91386/"))[2]
    app.public_pages.clock = lambda: 10.0**9
    with pytest.raises(AssertionError, match="went through Django"):
        asyncio.run(call("/videoprotection/91386/"))  # due: this one goes to Django, which sees the change
    assert b"AP-RENOUVELEE-2" in Client().get("/videoprotection/91386/").content
