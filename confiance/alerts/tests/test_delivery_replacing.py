"""Updates and cancellations reach the people the alert they replace reached: on the same channels, exactly once
per subscriber per channel per message; what was still queued of the replaced alert is not sent any more."""

from collections import Counter

import pytest
from django.core import mail

from confiance.alerts.choices import AlertStatus, MessageType
from confiance.alerts.delivery import deliver_once, enqueue_alert, enqueue_missed
from confiance.alerts.delivery_choices import Channel, DeliveryStatus
from confiance.alerts.models import Alert, Delivery
from confiance.alerts.tests.delivery_factories import (
    make_published_alert,
    make_subscriber,
    polygon_feature,
    spread_subscribers,
)
from confiance.alerts.tests.test_delivery import WEST_HALF
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db

EAST_STRIP = {"type": "FeatureCollection", "features": [polygon_feature(
    [[2.405, 48.549], [2.45, 48.549], [2.45, 48.571], [2.405, 48.571], [2.405, 48.549]])]}


@pytest.fixture
def world(settings, tmp_path):
    settings.CONFIANCE_SMS_FILE = tmp_path / "sms.log"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    commune = make_commune(lon=2.40, lat=48.55)
    return commune, spread_subscribers(commune, 60, phones=True)


def _replacing(original: Alert, msg_type: str, area: dict) -> Alert:
    message = make_published_alert(original.commune, area=area, msg_type=msg_type,
                                   headline="Fin d'alerte : crue" if msg_type == MessageType.CANCEL else "Crue")
    message.references.add(original)
    original.status = AlertStatus.CANCELLED if msg_type == MessageType.CANCEL else AlertStatus.SUPERSEDED
    original.save(update_fields=["status"])
    return message


def _drain(channel: str) -> None:
    while deliver_once(channel=channel, limit=9)["claimed"]:
        pass


def _sent(alert: Alert, channel: str) -> Counter:
    return Counter(Delivery.objects.filter(alert=alert, channel=channel, status=DeliveryStatus.SENT)
                   .values_list("subscriber_id", flat=True))


def test_a_cancellation_goes_to_those_who_received_the_alert_once_and_the_rest_of_the_alert_is_dropped(world):
    commune, _ = world
    original = make_published_alert(commune, area=WEST_HALF)
    dispatch = enqueue_alert(original.pk)
    deliver_once(channel=Channel.EMAIL, limit=10)  # ten e-mails went out, the others and every SMS wait
    received = set(_sent(original, Channel.EMAIL))
    assert len(received) == 10 and dispatch.targeted > 10
    cancel = _replacing(original, MessageType.CANCEL, WEST_HALF)
    cancel_dispatch = enqueue_alert(cancel.pk)
    assert cancel_dispatch.targeted == 10 and cancel_dispatch.by_channel == {"email": 10, "sms": 0, "push": 0}
    assert enqueue_alert(cancel.pk).pk == cancel_dispatch.pk and enqueue_missed() == 0
    mail.outbox.clear()
    _drain(Channel.EMAIL)
    _drain(Channel.SMS)
    assert _sent(cancel, Channel.EMAIL) == dict.fromkeys(received, 1)
    assert sorted(message.subject for message in mail.outbox) == ["Fin d'alerte : crue"] * 10
    assert set(_sent(original, Channel.EMAIL)) == received and not _sent(original, Channel.SMS)
    dropped = Delivery.objects.filter(alert=original, status=DeliveryStatus.FAILED)
    assert dropped.count() == 2 * dispatch.targeted - 10
    assert set(dropped.values_list("last_error", flat=True)) == {"alerte remplacée ou annulée avant l'envoi"}


def test_an_update_reaches_the_alerts_recipients_and_its_own_area_once_per_channel(world):
    commune, subscribers = world
    pushed = make_subscriber(commune, lat=48.555, lon=2.401, email="push@example.org", push="https://push.example/1")
    original = make_published_alert(commune, area=WEST_HALF)
    enqueue_alert(original.pk)
    _drain(Channel.EMAIL)
    first = set(_sent(original, Channel.EMAIL))
    update = _replacing(original, MessageType.UPDATE, EAST_STRIP)
    dispatch = enqueue_alert(update.pk)
    west = {s.pk for s in subscribers if s.lon <= 2.41} | {pushed.pk}
    east = {s.pk for s in subscribers if s.lon >= 2.405}
    assert first == west and dispatch.targeted == len(west | east)
    assert dispatch.by_channel == {"email": len(west | east), "sms": len(west | east) - 1, "push": 1}
    assert enqueue_alert(update.pk).pk == dispatch.pk
    _drain(Channel.EMAIL)
    _drain(Channel.SMS)
    assert _sent(update, Channel.EMAIL) == dict.fromkeys(west | east, 1)
    assert _sent(update, Channel.SMS) == dict.fromkeys((west | east) - {pushed.pk}, 1)
    assert Delivery.objects.filter(alert=update, channel=Channel.PUSH, subscriber=pushed).count() == 1
    assert not _sent(original, Channel.SMS)  # the SMS of the replaced alert were dropped, the update's went out


def test_a_cancellation_skips_who_unsubscribed_since(world):
    commune, _ = world
    original = make_published_alert(commune, area=WEST_HALF)
    enqueue_alert(original.pk)
    _drain(Channel.EMAIL)
    gone = Delivery.objects.filter(alert=original, channel=Channel.EMAIL).first().subscriber
    gone.status = "unsubscribed"
    gone.save(update_fields=["status"])
    cancel = _replacing(original, MessageType.CANCEL, WEST_HALF)
    enqueue_alert(cancel.pk)
    assert not Delivery.objects.filter(alert=cancel, subscriber=gone).exists()
    assert Delivery.objects.filter(alert=cancel).count() == Delivery.objects.filter(
        alert=original, channel=Channel.EMAIL).count() - 1
