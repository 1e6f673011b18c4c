"""Rate limits of anonymous and machine writes: each interface answers 429 in its own format, per address and per
account, and a refused request writes nothing (small limits set through the settings)."""

import asyncio
import json

import pytest
from django.db import OperationalError
from django.test import Client
from lxml import etree

from confiance.devices.models import Measurement, SecurityEvent
from confiance.devices.tests.factories import make_devices_world
from confiance.operations.ingest import PositionIngest
from confiance.operations.models import RejectedPosition
from confiance.reports.models import Report
from confiance.reports.tests.factories import CLIENT_KEY, POINT_A, make_world

pytestmark = pytest.mark.django_db


def limits(settings, name: str, **rates: str) -> None:
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, name: rates}


def test_public_report_form_per_address(settings):
    make_world()
    limits(settings, "report_form", ip="2/m", account="")
    form = {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "voirie", "nonce": ""}
    for index in range(2):
        assert Client(REMOTE_ADDR="192.0.2.1").post("/signaler/", {**form, "description": f"n{index}"}) \
            .status_code == 302
    refused = Client(REMOTE_ADDR="192.0.2.1").post("/signaler/", {**form, "description": "n3"})
    assert refused.status_code == 429 and "Trop de tentatives" in refused.content.decode()
    assert refused["Retry-After"].isdigit()
    assert Report.objects.count() == 2
    assert Client(REMOTE_ADDR="192.0.2.2").post("/signaler/", {**form, "description": "n4"}).status_code == 302


def test_public_report_form_per_account(settings):
    from confiance.accounts.tests.factories import PASSWORD, make_agent

    world = make_world()
    limits(settings, "report_form", ip="", account="1/m")
    agent = make_agent(communes=[world.commune], role="police_agent")
    client = Client(REMOTE_ADDR="192.0.2.3")
    assert client.login(username=agent.username, password=PASSWORD)
    form = {"lat": POINT_A[0], "lon": POINT_A[1], "service_code": "voirie", "nonce": ""}
    assert client.post("/signaler/", {**form, "description": "a"}).status_code == 302
    assert client.post("/signaler/", {**form, "description": "b"}).status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.3").post("/signaler/", {**form, "description": "c"}).status_code == 302


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_per_address_and_per_client_key(settings, fmt):
    make_world()
    params = {"api_key": CLIENT_KEY, "service_code": "voirie", "lat": POINT_A[0], "long": POINT_A[1]}
    url = f"/open311/v2/requests.{fmt}"
    limits(settings, "open311_post", ip="2/m", account="")
    for index in range(2):
        assert Client(REMOTE_ADDR="192.0.2.10").post(url, {**params, "description": f"d{index}"}).status_code == 201
    refused = Client(REMOTE_ADDR="192.0.2.10").post(url, {**params, "description": "d3"})
    assert refused.status_code == 429
    if fmt == "json":
        assert refused.json()[0]["code"] == 429 and "réessayez" in refused.json()[0]["description"]
    else:
        assert etree.fromstring(refused.content).find("error/code").text == "429"
    limits(settings, "open311_post", ip="", account="3/m")
    outcomes = [Client(REMOTE_ADDR=f"192.0.2.{20 + index}").post(url, {**params, "description": f"e{index}"})
                .status_code for index in range(4)]
    assert outcomes == [201, 201, 201, 429]  # the same client key from four addresses
    assert Report.objects.count() == 5


@pytest.mark.parametrize("path", ["/api/v1/devices/gateways/measurements", "/api/v1/devices/ngsi-ld/notify"])
def test_gateway_endpoints_per_address_and_per_gateway(settings, path):
    world = make_devices_world()
    limits(settings, "gateway", ip="", account="1/m")

    def post(address: str, token: str):
        return Client(REMOTE_ADDR=address).post(path, data="[]", content_type="application/json",
                                                HTTP_AUTHORIZATION=f"Bearer {token}")

    assert post("192.0.2.30", world.gateway_token).status_code == 400  # counted: an empty batch
    refused = post("192.0.2.31", world.gateway_token)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused.json()["details"]["scope"] == "account"
    limits(settings, "gateway", ip="1/m", account="")
    assert post("192.0.2.32", world.gateway_token).status_code == 400
    assert post("192.0.2.32", world.gateway_token).status_code == 429
    assert Measurement.objects.count() == 0


def _call(app, path: str, query: bytes, client: str = "192.0.2.40") -> tuple[int, dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": [],
             "client": (client, 5000)}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.mark.django_db(transaction=True)  # the writer thread commits on its own connection
def test_tracker_requests_over_the_address_limit_write_nothing(settings):
    limits(settings, "tracker", ip="2/m", account="")
    app = PositionIngest()
    answers = [_call(app, "/positions/osmand", f"id=intrus-{index}&key=x&lat=48.5&lon=2.4".encode())
               for index in range(6)]
    assert [status for status, _ in answers[2:]] == [429] * 4
    assert answers[2][1]["code"] == "trop_de_requetes"
    assert _call(app, "/positions/osmand", b"id=a&key=x&lat=1&lon=2", client="192.0.2.41")[0] == 401
    app.writer.submit(("reject", "flush", "flush"))  # wait for the writer: what it had queued is written
    for _ in range(200):
        try:  # in-memory SQLite: a read while the writer thread writes meets a table lock, not a wait
            if RejectedPosition.objects.filter(tracker="flush").exists():
                break
        except OperationalError:
            pass
        asyncio.run(asyncio.sleep(0.02))
    # Unauthenticated requests share one counter; the refused ones (429) wrote nothing at all.
    assert dict(RejectedPosition.objects.exclude(tracker="flush").values_list("tracker", "count")) == {"?": 3}
    assert SecurityEvent.objects.count() == 0
