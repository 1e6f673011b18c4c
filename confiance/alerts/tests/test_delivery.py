"""Delivery in one process: queueing once, sending, back-off, failure after the last attempt, the report."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from confiance.alerts.delivery import deliver_once, deliveries_insert, enqueue_alert, enqueue_missed
from confiance.alerts.delivery_choices import Channel, DeliveryStatus
from confiance.alerts.delivery_report import delivery_report
from confiance.alerts.models import Alert, AlertDispatch, Delivery
from confiance.alerts.tests.delivery_factories import (
    make_published_alert,
    make_subscriber,
    polygon_feature,
    spread_subscribers,
)
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db

WEST_HALF = {"type": "FeatureCollection", "features": [polygon_feature(
    [[2.399, 48.549], [2.41, 48.549], [2.41, 48.571], [2.399, 48.571], [2.399, 48.549]])]}


@pytest.fixture
def world(settings, tmp_path):
    settings.CONFIANCE_SMS_FILE = tmp_path / "sms.log"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    commune = make_commune(lon=2.40, lat=48.55)
    subscribers = spread_subscribers(commune, 60, phones=True)
    return commune, subscribers


def test_an_alert_is_queued_once_per_subscriber_and_channel(world):
    commune, subscribers = world
    alert = make_published_alert(commune, area=WEST_HALF)
    dispatch = enqueue_alert(alert.pk)
    inside = [s for s in subscribers if s.lon <= 2.41]
    assert dispatch.targeted == len(inside)
    assert dispatch.by_channel == {"email": len(inside), "sms": len(inside), "push": 0}
    again = enqueue_alert(alert.pk)
    assert again.pk == dispatch.pk
    assert deliveries_insert(alert_id=alert.pk, subscriber_ids=__import__("numpy").array(
        [s.pk for s in inside])) == {"email": 0, "sms": 0, "push": 0}
    assert Delivery.objects.filter(alert=alert).count() == 2 * len(inside)
    assert enqueue_missed() == 0


def test_worker_sends_each_message_once_with_instructions_first_and_an_unsubscribe_link(world):
    commune, _ = world
    alert = make_published_alert(commune, area=WEST_HALF)
    dispatch = enqueue_alert(alert.pk)
    while deliver_once(channel=Channel.EMAIL, limit=7)["claimed"]:
        pass
    assert len(mail.outbox) == dispatch.targeted
    message = mail.outbox[0]
    body = message.body
    assert body.index("Montez à l'étage") < body.index("La rivière déborde")
    assert "/alertes/desabonnement/" in body and message.extra_headers["List-Unsubscribe"]
    assert Delivery.objects.filter(alert=alert, channel="email", status=DeliveryStatus.SENT).count() == \
        dispatch.targeted
    assert deliver_once(channel=Channel.EMAIL)["claimed"] == 0


def test_failures_are_retried_with_back_off_then_marked_failed(world, settings):
    commune, _ = world
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nobody listens
    settings.CONFIANCE_ALERTS_MAX_ATTEMPTS = 2
    alert = make_published_alert(commune, area=WEST_HALF)
    Delivery.objects.all().delete()
    enqueue_alert(alert.pk)
    first = deliver_once(channel=Channel.EMAIL, limit=500)
    assert first["retried"] == first["claimed"] > 0
    row = Delivery.objects.filter(channel="email").first()
    assert row.status == DeliveryStatus.QUEUED and row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert "injoignable" in row.last_error
    assert deliver_once(channel=Channel.EMAIL)["claimed"] == 0  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now())
    second = deliver_once(channel=Channel.EMAIL, limit=500)
    assert second["failed"] == second["claimed"] == first["claimed"]


def test_sms_go_through_the_file_gateway_and_unsubscribed_people_get_nothing(world, settings):
    commune, _ = world
    gone = make_subscriber(commune, lat=48.555, lon=2.405, phone="+33699999999")
    alert = make_published_alert(commune, area=WEST_HALF)
    enqueue_alert(alert.pk)
    gone.phone = ""
    gone.save()
    while deliver_once(channel=Channel.SMS, limit=50)["claimed"]:
        pass
    lines = settings.CONFIANCE_SMS_FILE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == Delivery.objects.filter(channel="sms", status=DeliveryStatus.SENT).count()
    assert all("STOP" in line and "Montez" in line for line in lines)
    assert Delivery.objects.get(subscriber=gone, channel="sms").status == DeliveryStatus.FAILED


def test_report_counts_by_channel_and_minute(world):
    commune, _ = world
    alert = make_published_alert(commune, area=WEST_HALF)
    dispatch = enqueue_alert(alert.pk)
    deliver_once(channel=Channel.EMAIL, limit=5)
    report = delivery_report(alert=alert)
    assert report["targeted"] == dispatch.targeted
    assert report["channels"]["email"] == {"queued": dispatch.targeted - 5, "sending": 0, "sent": 5, "failed": 0,
                                           "total": dispatch.targeted}
    assert sum(minute["sent"] for minute in report["minutes"]) == 5
    assert AlertDispatch.objects.count() == 1


def test_a_draft_queues_nothing_nor_a_cancellation_of_nothing_received(world):
    commune, _ = world
    draft = make_published_alert(commune, area=WEST_HALF)
    Alert.objects.filter(pk=draft.pk).update(status="draft")
    assert enqueue_alert(draft.pk) is None
    cancel = make_published_alert(commune, area=WEST_HALF, msg_type="Cancel")
    assert enqueue_alert(cancel.pk).queued == 0
