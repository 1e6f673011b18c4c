"""Web Push of the field page, against a push service the test runs on 127.0.0.1: an engagement or a message
reaches the crew's subscriptions encrypted (the test decrypts it with http_ece as the browser would), signed with
the installation's VAPID key; rows are claimed before sending; expired subscriptions (404, 410) are removed."""

import base64
import json
import os
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from confiance.core.errors import ApplicationError
from confiance.operations import push
from confiance.operations.models import PushDelivery, PushSubscription
from confiance.operations.services.interventions import intervention_create
from confiance.operations.services.messages import unit_message_send
from confiance.operations.services.units import assignment_engage
from confiance.operations.tests.factories import call, code_of

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PushService:
    """A push service on a free local port: records each request and answers with `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """What a browser keeps of its subscription: the receiving key pair and the auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = secrets.token_bytes(16)
        self.endpoint = endpoint
        self.p256dh = b64(self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                           version="aes128gcm"))


@pytest.fixture
def service(settings, tmp_path, monkeypatch):
    settings.CONFIANCE_PUSH_ALLOW_LOCAL = True
    settings.CONFIANCE_VAPID_KEY_FILE = tmp_path / "vapid_private.pem"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    running = PushService()
    yield running
    running.close()


def subscribe(world, service, name="a"):
    browser = Browser(f"{service.base}/push/{name}")
    push.push_subscription_save(actor=world.agent, endpoint=browser.endpoint, p256dh=browser.p256dh,
                                auth=b64(browser.auth))
    return browser


def test_engagement_reaches_the_crews_browser_encrypted_and_signed(world, service,
                                                                    django_capture_on_commit_callbacks):
    browser = subscribe(world, service)
    intervention = intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(
        world, address="3 rue des Lilas"))
    with django_capture_on_commit_callbacks(execute=True):
        assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    assert len(service.received) == 1
    path, headers, body = service.received[0]
    assert path == "/push/a" and headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    authorization = headers["authorization"]
    assert authorization.startswith("vapid t=") and f"k={push.vapid_public_key()}" in authorization
    payload = browser.decrypt(body)
    assert payload["title"] == "Nouvelle mission" and payload["url"] == "/agents/terrain/"
    assert payload["body"] == f"{intervention.number} · Tapage · 3 rue des Lilas"
    assert not PushDelivery.objects.exists()  # delivered rows are not kept


def test_a_message_reaches_the_crew_and_nobody_else(world, service, django_capture_on_commit_callbacks):
    browser = subscribe(world, service)
    with django_capture_on_commit_callbacks(execute=True):
        unit_message_send(actor=world.operator, unit=world.units[1], text="Pour PM 2.")
        unit_message_send(actor=world.operator, unit=world.units[0], text="Rappelez le poste.")
    assert len(service.received) == 1
    payload = browser.decrypt(service.received[0][2])
    assert payload["title"] == "Message du poste" and payload["body"] == "Rappelez le poste."


@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_subscription_is_removed(world, service, status, django_capture_on_commit_callbacks):
    subscribe(world, service)
    service.status = status
    with django_capture_on_commit_callbacks(execute=True):
        unit_message_send(actor=world.operator, unit=world.units[0], text="Rappelez le poste.")
    assert len(service.received) == 1
    assert not PushSubscription.objects.exists() and not PushDelivery.objects.exists()


def test_a_refusal_keeps_the_row_for_another_attempt(world, service, django_capture_on_commit_callbacks):
    subscribe(world, service)
    service.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        unit_message_send(actor=world.operator, unit=world.units[0], text="Rappelez le poste.")
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == ("pending", 1, "")
    service.status = 201
    assert push.push_send() == {"sent": 1, "failed": 0, "removed": 0}
    assert len(service.received) == 2 and not PushDelivery.objects.exists()


def test_rows_are_claimed_before_sending(world, service):
    subscribe(world, service)
    ids = push.push_notify_unit(unit=world.units[0], title="Nouvelle mission", body="INT", tag="t")
    token, claimed = push._claim(ids, 10)
    assert [row.pk for row in claimed] == ids
    assert push._claim(ids, 10)[1] == []  # another sender meanwhile gets nothing
    assert push.push_send(ids=ids) == {"sent": 0, "failed": 0, "removed": 0} and not service.received
    assert PushDelivery.objects.get().claim_token == token


def test_the_vapid_key_is_made_once_private_to_the_installation(settings, tmp_path):
    settings.CONFIANCE_VAPID_KEY_FILE = tmp_path / "keys" / "vapid_private.pem"
    public = push.vapid_public_key()
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert os.stat(settings.CONFIANCE_VAPID_KEY_FILE).st_mode & 0o077 == 0
    push._vapid_for.cache_clear()
    assert push.vapid_public_key() == public  # read back from the file, not generated again


@pytest.mark.parametrize(("endpoint", "p256dh", "auth"), [
    ("http://push.example.org/x", None, None),  # https only
    ("https://10.0.0.8/x", None, None),  # never a host of the local network
    ("https://127.0.0.1:8000/x", None, None),
    ("https://localhost/x", None, None),
    ("ftp://push.example.org/x", None, None),
    ("https://push.example.org/x", "AAAA", None),  # not a P-256 point
    ("https://push.example.org/x", None, "court"),
])
def test_bad_subscriptions_are_refused(world, endpoint, p256dh, auth):
    browser = Browser(endpoint)
    with pytest.raises(ApplicationError) as excinfo:
        push.push_subscription_save(actor=world.agent, endpoint=endpoint, p256dh=p256dh or browser.p256dh,
                                    auth=auth or b64(browser.auth))
    assert code_of(excinfo) == "operations_push_subscription_invalid" and not PushSubscription.objects.exists()


def test_only_field_agents_subscribe_and_each_removes_only_their_own(world):
    browser = Browser("https://push.example.org/abc")
    with pytest.raises(ApplicationError) as excinfo:
        push.push_subscription_save(actor=world.operator, endpoint=browser.endpoint, p256dh=browser.p256dh,
                                    auth=b64(browser.auth))
    assert excinfo.value.status_code == 403
    push.push_subscription_save(actor=world.agent, endpoint=browser.endpoint, p256dh=browser.p256dh,
                                auth=b64(browser.auth))
    assert push.push_subscription_delete(actor=world.chef, endpoint=browser.endpoint) == 0
    assert push.push_subscription_delete(actor=world.agent, endpoint=browser.endpoint) == 1


def test_subscription_endpoints(world, client):
    browser = Browser("https://push.example.org/abc")
    client.force_login(world.agent.agent)
    body = {"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": b64(browser.auth)}}
    created = client.post("/api/v1/operations/push/subscriptions", body, content_type="application/json")
    assert created.status_code == 201 and PushSubscription.objects.get().agent == world.agent.agent
    refused = client.post("/api/v1/operations/push/subscriptions", {**body, "endpoint": "http://10.0.0.1/"},
                          content_type="application/json")
    assert refused.status_code == 400 and "https" in refused.json()["message"]
    removed = client.post("/api/v1/operations/push/subscriptions/delete", {"endpoint": browser.endpoint},
                          content_type="application/json")
    assert removed.json() == {"removed": 1} and not PushSubscription.objects.exists()


def test_signing_out_forgets_the_subscriptions_of_that_session_only(world, client):
    phone, desk = Browser("https://push.example.org/phone"), Browser("https://push.example.org/desk")
    client.force_login(world.agent.agent)
    body = {"endpoint": phone.endpoint, "keys": {"p256dh": phone.p256dh, "auth": b64(phone.auth)}}
    assert client.post("/api/v1/operations/push/subscriptions", body,
                       content_type="application/json").status_code == 201
    assert PushSubscription.objects.get().session_key == client.session.session_key
    # The same agent's other browser (another session) keeps ringing after this one signs out.
    push.push_subscription_save(actor=world.agent, endpoint=desk.endpoint, p256dh=desk.p256dh, auth=b64(desk.auth),
                                session_key="another-session")
    assert client.post("/comptes/deconnexion/").status_code in (200, 302)
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [desk.endpoint]
