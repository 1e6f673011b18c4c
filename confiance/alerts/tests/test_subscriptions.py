"""Subscriptions: double opt-in by link and SMS code, one-click unsubscription that erases the contacts, the
retention rule, the API's refusals, and generated input on every subscription endpoint (never a 5xx)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.alerts.models import Subscriber
from confiance.alerts.subscriptions import UNSUBSCRIBE_SALT, signed_token
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune(settings, tmp_path):
    settings.CONFIANCE_SMS_FILE = tmp_path / "sms.log"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATELIMIT_ENABLE = False
    return make_commune(lon=2.40, lat=48.55)


def _subscribe(client, **data):
    return client.post("/api/v1/alerts-delivery/subscriptions", data=data, content_type="application/json")


def test_email_link_confirms_and_the_point_not_the_address_is_kept(commune, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(Client(), lat=48.555, lon=2.405, email="Habitante@Example.org")
    assert response.status_code == 201, response.content
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING and subscriber.h3_cell and subscriber.commune == commune
    link = re.search(r"https?://\S+/alertes/abonnement/confirmer/\S+/", mail.outbox[0].body).group(0)
    page = Client().get(link[link.index("/alertes/"):])
    assert page.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE and subscriber.email == "habitante@example.org"
    assert subscriber.channels() == ["email"]


def test_sms_code_confirms_the_number_and_wrong_codes_are_refused(commune, django_capture_on_commit_callbacks,
                                                                  settings):
    with django_capture_on_commit_callbacks(execute=True):
        body = _subscribe(Client(), lat=48.555, lon=2.405, phone="06 12 34 56 78").json()
    code = re.search(r"est (\d{6})", settings.CONFIANCE_SMS_FILE.read_text(encoding="utf-8")).group(1)
    wrong = Client().post("/api/v1/alerts-delivery/subscriptions/code", content_type="application/json",
                          data={"confirmation": body["confirmation"], "code": "000000" if code != "000000" else "1"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "alerts_subscription_code_invalid"
    right = Client().post("/api/v1/alerts-delivery/subscriptions/code", content_type="application/json",
                          data={"confirmation": body["confirmation"], "code": code})
    assert right.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.phone == "+33612345678" and subscriber.channels() == ["sms"]


def test_unsubscribing_in_one_click_erases_the_contacts_and_the_row_is_purged(commune):
    from datetime import timedelta

    from django.utils import timezone

    from confiance.alerts.tests.delivery_factories import make_subscriber
    from confiance.privacy.retention_engine import apply_rule, registered_rules

    subscriber = make_subscriber(commune, lat=48.555, lon=2.405, email="a@example.org", phone="+33611111111")
    url = reverse("alerts:unsubscribe", args=[signed_token(subscriber, UNSUBSCRIBE_SALT)])
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url).status_code == 403  # CSRF-protected
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert (subscriber.email, subscriber.phone, subscriber.lat, subscriber.h3_cell) == ("", "", None, "")
    assert client.get(url).status_code == 404
    rule = next(rule for rule in registered_rules() if rule.name == "alerts.subscriptions.unsubscribed")
    apply_rule(rule, now=timezone.now() + timedelta(days=2), batch_size=100)
    assert not Subscriber.objects.exists()


def test_refusals_are_clear(commune):
    client = Client()
    assert _subscribe(client, lat=48.555, lon=2.405).json()["code"] == "alerts_subscription_invalid"
    outside = _subscribe(client, lat=45.0, lon=5.0, email="a@example.org")
    assert outside.status_code == 400 and outside.json()["code"] == "alerts_subscription_outside"
    assert _subscribe(client, lat=48.555, lon=2.405, phone="abc").status_code == 400
    forged = client.post("/api/v1/alerts-delivery/unsubscribe", content_type="application/json",
                         data={"token": "forged:token"})
    assert forged.status_code == 404
    assert not Subscriber.objects.exists()


def test_the_page_form_subscribes_by_sector(commune):
    from confiance.territory.tests.factories import make_sector

    sector = make_sector(commune=commune, code="N", lon=2.40, lat=48.56)
    client = Client()
    assert client.get(reverse("alerts:subscribe")).status_code == 200
    response = client.post(reverse("alerts:subscribe"), {"sector": sector.pk, "email": "b@example.org"})
    assert response.status_code == 201
    assert Subscriber.objects.get().sector == sector


SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
TEXT = st.text(max_size=60)
VALUE = st.one_of(st.none(), st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True), TEXT,
                  st.booleans(), st.lists(st.integers(), max_size=2))


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
@given(path=st.sampled_from(["/api/v1/alerts-delivery/subscriptions", "/api/v1/alerts-delivery/subscriptions/code",
                             "/api/v1/alerts-delivery/unsubscribe"]),
       body=st.dictionaries(st.sampled_from(["lat", "lon", "sector_id", "email", "phone", "push_endpoint",
                                             "push_p256dh", "push_auth", "confirmation", "code", "token"]),
                            VALUE, max_size=6))
def test_generated_api_input_never_answers_5xx(commune, path, body):
    response = Client().post(path, data=body, content_type="application/json")
    assert response.status_code < 500, response.content


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=SLOW_OK)
@given(form=st.dictionaries(st.sampled_from(["lat", "lon", "sector", "email", "phone", "push_endpoint", "code"]),
                            TEXT, max_size=5), signed=st.text(alphabet="abcdefghij:-_0123456789", min_size=1,
                                                              max_size=40))
def test_generated_page_input_never_answers_5xx(commune, form, signed):
    client = Client()
    assert client.post(reverse("alerts:subscribe"), form).status_code < 500
    for name in ("alerts:subscription-confirm", "alerts:subscription-code", "alerts:unsubscribe"):
        assert client.get(reverse(name, args=[signed])).status_code < 500
    assert client.post(reverse("alerts:subscription-code", args=[signed]), form).status_code < 500


def test_anonymous_subscriptions_are_rate_limited_per_address_and_refusals_write_nothing(commune, settings):
    settings.RATELIMIT_ENABLE = True
    settings.CONFIANCE_RATE_LIMITS = {**settings.CONFIANCE_RATE_LIMITS, "alerts_subscribe": {"ip": "2/m"}}
    client = Client(REMOTE_ADDR="192.0.2.77")
    for index in range(2):
        assert _subscribe(client, lat=48.555, lon=2.405, email=f"r{index}@example.org").status_code == 201
    refused = _subscribe(client, lat=48.555, lon=2.405, email="r3@example.org")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    page = Client(REMOTE_ADDR="192.0.2.77").post(reverse("alerts:subscribe"), {"lat": "48.555", "lon": "2.405",
                                                                               "email": "r4@example.org"})
    assert page.status_code == 429
    assert Subscriber.objects.count() == 2


def test_the_page_offers_web_push_with_the_vapid_key_and_its_service_worker(commune, settings, tmp_path):
    import base64

    from confiance.operations.push import vapid_public_key

    settings.CONFIANCE_VAPID_KEY_FILE = tmp_path / "vapid.pem"
    client = Client()
    page = client.get(reverse("alerts:subscribe")).content.decode()
    assert f'data-key="{vapid_public_key()}"' in page and "alerts/subscribe-push.js" in page
    assert 'data-worker="/alertes/sw.js"' in page and "<script>" not in page  # no inline script (CSP)
    assert "Ce navigateur ne reçoit pas de notifications" in page  # said when the browser lacks push
    worker = client.get(reverse("alerts:service-worker"))
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert b"showNotification" in worker.content
    point = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode().rstrip("=")
    secret = base64.urlsafe_b64encode(b"\x02" * 16).decode().rstrip("=")
    response = client.post(reverse("alerts:subscribe"), {
        "lat": "48.555", "lon": "2.405", "push_endpoint": "https://push.example.org/abc", "push_p256dh": point,
        "push_auth": secret})
    assert response.status_code == 201
    subscriber = Subscriber.objects.get()
    assert subscriber.push_endpoint == "https://push.example.org/abc" and subscriber.status == SubscriberStatus.ACTIVE


def test_without_a_readable_vapid_key_the_page_still_offers_email_and_sms(commune, monkeypatch):
    def broken():
        raise OSError("clé illisible")

    monkeypatch.setattr("confiance.operations.push.vapid_public_key", broken)
    page = Client().get(reverse("alerts:subscribe")).content.decode()
    assert 'id="subscribe-push"' not in page and "subscribe-push.js" not in page and 'id="id_email"' in page
