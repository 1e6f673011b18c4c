"""Generated input over Open311, the tracker endpoints and the agents' pages: never a 5xx, and Open311 answers every
failure in its own format (JSON or XML, as asked). The issue's examples come first, as explicit cases.

Seeded (derandomize) and bounded (FUZZ_EXAMPLES examples per endpoint), so that `make test` stays short.
"""

from __future__ import annotations

import asyncio
import json
import os
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from confiance.accounts.choices import Role
from confiance.accounts.services import membership_grant
from confiance.accounts.tests.factories import make_agent
from confiance.operations.ingest import PositionIngest
from confiance.reports.tests.factories import CLIENT_KEY, make_world

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
DEEP = "[" * 5000 + "]" * 5000

# Values that broke parsers: out-of-range and inexistent dates, digits int() refuses, integers over 2**63, NUL.
NASTY = st.sampled_from([
    "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "2026-02-30", "2026-02-30T00:00:00Z", "²", "١٢",
    "999999999999999999", str(2**63), "-1", "0", "1e308", "nan", "inf", "a\x00b", "", " ", "1,2,²", "%00", DEEP[:50],
])
VALUES = st.one_of(NASTY, st.text(max_size=20), st.integers().map(str), st.datetimes().map(lambda d: d.isoformat()))


def _params(keys):
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=len(keys))


@pytest.fixture
def world(settings):
    settings.CONFIANCE_2FA_RELAXED = True
    settings.CONFIANCE_OPEN311_CACHE_SECONDS = 0
    world = make_world()
    agent = make_agent(username="fuzz-admin", superuser=True, password=None)
    for commune in (world.commune, world.other):
        membership_grant(actor=None, agent=agent, commune=commune, role=Role.ADMINISTRATOR)
    world.agent = agent
    return world


# --- Open311 ----------------------------------------------------------------------------------------------------

OPEN311_KEYS = ["jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "updated_after",
                "status", "page", "page_size", "lat", "long", "radius", "api_key", "description", "address_string",
                "email", "phone", "first_name", "last_name", "device_id", "update_id", "attribute[volume]"]
OPEN311_PATHS = ["services", "services/voirie", "requests", "requests/1", "requests/²", "requests/99999999999999999999",
                 "tokens/x", "servicerequestupdates", "discovery", "nowhere", "requests/1/extra"]


def assert_open311_error_format(response, fmt: str) -> None:
    """Below 500, and every refusal in Open311's error format: a list of {code, description}."""
    assert response.status_code < 500, response.content[:500]
    if response.status_code < 400:
        return
    if fmt == "json":
        body = json.loads(response.content)
        assert isinstance(body, list) and body and {"code", "description"} <= set(body[0]), body
    else:
        root = etree.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/code") is not None, response.content[:300]


def test_open311_examples_of_the_issue(client, world):
    for fmt in ("json", "xml"):
        for path, params in [("requests", {"start_date": "0001-01-01T00:00:00"}), ("requests", {"page": "9" * 18}),
                             ("requests", {"end_date": "9999-12-31T23:59:59+14:00"}),
                             ("servicerequestupdates", {"service_request_id": "9" * 20}),
                             ("servicerequestupdates", {"start_date": "2026-02-30T00:00:00"}),
                             ("requests/²", {}), ("requests", {"service_request_id": "²"}),
                             ("requests", {"description": "a\x00b"}), ("nowhere", {})]:
            response = client.get(f"/open311/v2/{path}.{fmt}", params)
            assert 400 <= response.status_code < 500, (path, params, response.status_code)
            assert_open311_error_format(response, fmt)
        response = client.post(f"/open311/v2/requests.{fmt}", DEEP, content_type="application/json")
        assert response.status_code == 400
        assert_open311_error_format(response, fmt)
        response = client.post(f"/open311/v2/requests.{fmt}", {"api_key": CLIENT_KEY, "service_code": "voirie",
                                                                "lat": "48.55", "long": "2.40", "description": "a\x00"})
        assert response.status_code == 400
        assert_open311_error_format(response, fmt)
    response = client.get("/open311/v2/nowhere")
    assert response.status_code == 404 and etree.fromstring(response.content).tag == "errors"


@FUZZ
@given(path=st.sampled_from(OPEN311_PATHS), fmt=st.sampled_from(["json", "xml"]), params=_params(OPEN311_KEYS),
       method=st.sampled_from(["get", "post", "post-json", "put"]))
def test_open311_answers_any_input_in_its_own_format(client, world, path, fmt, params, method):
    url = f"/open311/v2/{path}.{fmt}"
    if method == "get":
        response = client.get(url, params)
    elif method == "post":
        response = client.post(url, {"api_key": CLIENT_KEY, **params})
    elif method == "post-json":
        response = client.post(url, json.dumps({"api_key": CLIENT_KEY, **params}), content_type="application/json")
    else:
        response = client.put(url, urlencode(params), content_type="application/x-www-form-urlencoded")
    assert_open311_error_format(response, fmt)


# --- Tracker endpoints (the lean ASGI app, driven in process) --------------------------------------------------------

def _asgi(path: str, *, method: str = "GET", query: bytes = b"", body: bytes = b"",
          headers: list[tuple[bytes, bytes]] | None = None) -> int:
    scope = {"type": "http", "method": method, "path": path, "query_string": query, "headers": headers or []}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(INGEST(scope, receive, send))
    return sent[0]["status"]


INGEST = PositionIngest()  # one instance, one writer thread (and one database connection) for the whole run
TRACKER_KEYS = ["id", "deviceid", "key", "lat", "lon", "timestamp", "speed", "accuracy"]
OWNTRACKS = st.fixed_dictionaries({"_type": st.sampled_from(["location", "waypoint"])},
                                  optional={"lat": VALUES, "lon": VALUES, "tst": VALUES, "acc": VALUES, "vel": VALUES})
BASIC = [(b"authorization", b"Basic dHJhY2tlcjprZXk=")]  # tracker:key


@pytest.mark.django_db(transaction=True)  # the endpoint reads and writes from its own threads
@FUZZ
@given(params=_params(TRACKER_KEYS), message=st.one_of(OWNTRACKS, st.just(DEEP), st.text(max_size=30)))
@example(params={"id": "t", "lat": "48.5", "lon": "2.4", "timestamp": "2026-02-30T00:00:00+01:00"}, message=DEEP)
@example(params={"id": "t", "lat": "48.5", "lon": "2.4", "timestamp": "0001-01-01T00:00:00+00:00"},
         message={"_type": "location", "lat": 48.5, "lon": 2.4, "tst": "1" * 30})
@example(params={"id": "t\x00", "lat": "48.5", "lon": "2.4"}, message={"_type": "location", "tst": 10**30})
def test_tracker_endpoints_refuse_any_input_without_a_server_error(params, message):
    query = urlencode(params).encode()
    assert _asgi("/positions/osmand", query=query) < 500
    assert _asgi("/positions/osmand", method="POST", body=query,
                 headers=[(b"content-type", b"application/x-www-form-urlencoded")]) < 500
    body = message.encode() if isinstance(message, str) else json.dumps(message).encode()
    assert _asgi("/positions/owntracks", method="POST", body=body, headers=BASIC) < 500


# --- Agents' pages (GET parameters) ----------------------------------------------------------------------------------

PAGES = ["/agents/", "/agents/signalements/", "/agents/signalements/carte.json", "/agents/console/",
         "/agents/console/etat.json", "/agents/terrain/", "/agents/main-courante/", "/agents/main-courante/pdf",
         "/agents/interventions/delais/", "/agents/capteurs/", "/agents/capteurs/etat.json", "/agents/capteurs/sante/",
         "/agents/capteurs/sante/capteurs.csv", "/agents/capteurs/sante/evenements.csv", "/agents/analyse/",
         "/agents/analyse/indicateurs/", "/agents/analyse/donnees-ouvertes/", "/agents/territoire/",
         "/agents/territoire/carte.geojson", "/signaler/categories.json", "/signaler/a-proximite.json",
         "/agents/signalements/1/", "/agents/signalements/²/"]
PAGE_KEYS = ["jour", "du", "au", "commune", "page", "q", "depuis", "jusqu", "destinataire", "etat", "bbox", "format",
             "categorie", "motif", "grandeur", "periode", "start", "end", "sources", "analyse", "lat", "lon",
             "service_code", "kind", "statut", "recherche"]


def test_pages_examples_of_the_issue(client, world):
    client.force_login(world.agent)
    for page, params in [("/agents/main-courante/", {"jour": "2026-02-30"}),
                         ("/agents/main-courante/pdf", {"jour": "0001-01-01", "commune": "91386", "motif": "contrôle"}),
                         ("/agents/interventions/delais/", {"du": "0001-01-01", "au": "9999-12-31"}),
                         ("/agents/signalements/", {"destinataire": "²", "depuis": "0001-01-01", "q": "²"}),
                         ("/agents/signalements/", {"page": "9" * 18, "q": "a\x00b"})]:
        assert client.get(page, params).status_code < 500, (page, params)
    # NUL (refused by PostgreSQL in text) in any query string: a 400 on every database, before any view reads it.
    assert client.get("/agents/signalements/", {"q": "a\x00b"}).status_code == 400
    response = client.get("/api/v1/reports", {"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


@FUZZ
@given(page=st.sampled_from(PAGES), params=_params(PAGE_KEYS))
def test_agents_pages_take_any_get_parameters_without_a_server_error(client, world, page, params):
    client.force_login(world.agent)
    response = client.get(page, params)
    assert response.status_code < 500, (page, params, response.status_code)


def test_the_fixtures_reach_the_pages(client, world):
    """The generated runs above mean something: the agent gets the pages, not a login redirect."""
    client.force_login(world.agent)
    assert client.get("/agents/signalements/").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200


@pytest.mark.parametrize("path", ["/alertes/9\x00386/", "/alertes/cap/a\x00b.xml", "/videoprotection/9\x00/",
                                  "/transparence/9\x00386/", "/tranquillite-vacances/inscription/a\x00b/",
                                  "/api/v1/alerts/%00"])
def test_a_nul_in_the_path_is_refused_before_any_view(client, path):
    """A NUL in a URL parameter (a code, an identifier) never reaches a query: PostgreSQL refuses it in text."""
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
