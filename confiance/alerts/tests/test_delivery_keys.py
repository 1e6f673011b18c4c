"""A delivery's keys have no database constraint (ADR 0019): the enqueue and the retention's deletion of subscribers
take one lock (shared, exclusive) that leaves no delivery pointing to a deleted subscriber, whichever comes first."""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from confiance.alerts.delivery import deliveries_insert
from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.alerts.models import Alert, Delivery, Subscriber
from confiance.alerts.tests.delivery_factories import make_published_alert, make_subscriber
from confiance.core.testing import finished_later, held_transaction
from confiance.privacy.retention_engine import apply_rule, registered_rules
from confiance.territory.tests.factories import make_commune

UNSUBSCRIBED_RULE = "alerts.subscriptions.unsubscribed"


def _rule():
    return next(rule for rule in registered_rules() if rule.name == UNSUBSCRIBED_RULE)


def _world(count: int = 3):
    commune = make_commune(insee_code="91386", name="Mennecy")
    subscribers = [make_subscriber(commune, lat=48.56 + n * 1e-3, lon=2.43, email=f"abonne{n}@example.test")
                   for n in range(count)]
    return make_published_alert(commune), subscribers


def _unsubscribe_two_days_ago(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now() - timedelta(days=2))


def _orphans() -> int:
    return Delivery.objects.exclude(subscriber_id=None).exclude(
        subscriber_id__in=Subscriber.objects.values("pk")).count()




@pytest.mark.django_db
def test_the_purge_clears_the_key_of_the_deleted_subscribers_deliveries():
    alert, subscribers = _world()
    deliveries_insert(alert_id=alert.pk, subscriber_ids=np.array([s.pk for s in subscribers]))
    _unsubscribe_two_days_ago(subscribers[0])
    assert apply_rule(_rule(), now=timezone.now(), batch_size=10).processed == 1
    assert not Subscriber.objects.filter(pk=subscribers[0].pk).exists()
    assert Delivery.objects.filter(alert=alert, subscriber=None).count() == 1  # the message is kept, not its key
    assert Delivery.objects.filter(alert=alert).exclude(subscriber=None).count() == 2
    assert _orphans() == 0


@pytest.mark.django_db
def test_queueing_for_an_alert_that_does_not_exist_is_refused():
    _alert, subscribers = _world(1)
    with pytest.raises(Alert.DoesNotExist):
        deliveries_insert(alert_id=987654, subscriber_ids=np.array([subscribers[0].pk]))
    assert Delivery.objects.count() == 0


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: the two cannot interleave")


@pytest.mark.django_db(transaction=True)
def test_a_purge_during_an_enqueue_waits_for_it_then_clears_what_it_queued():
    _postgresql_only()
    alert, subscribers = _world()
    ids = np.array([s.pk for s in subscribers])
    started, release, outcome = threading.Event(), threading.Event(), {}
    enqueue = held_transaction(lambda: deliveries_insert(alert_id=alert.pk, subscriber_ids=ids), started, release,
                               outcome)
    try:
        assert started.wait(20) and "error" not in outcome, outcome
        # Read as subscribed by the enqueue, unsubscribed since, and due for deletion when the sweep comes.
        _unsubscribe_two_days_ago(subscribers[0])
        purge, done = finished_later(lambda: apply_rule(_rule(), now=timezone.now(), batch_size=10).processed)
        purge.join(1.5)
        assert not done, "the purge deleted a subscriber an uncommitted enqueue had read"
        release.set()
        enqueue.join(20)
        purge.join(20)
    finally:
        release.set()
        enqueue.join(20)
    assert outcome.get("released") is True and outcome["result"]["email"] == 3
    assert done == {"result": 1, "ended": True}
    assert Delivery.objects.filter(alert=alert).count() == 3
    assert Delivery.objects.filter(alert=alert, subscriber=None).count() == 1
    assert _orphans() == 0


@pytest.mark.django_db(transaction=True)
def test_an_enqueue_during_a_purge_waits_for_it_then_skips_the_deleted_subscriber():
    _postgresql_only()
    alert, subscribers = _world()
    ids = np.array([s.pk for s in subscribers])
    _unsubscribe_two_days_ago(subscribers[0])
    Subscriber.objects.filter(pk=subscribers[0].pk).update(status=SubscriberStatus.ACTIVE)  # as the enqueue reads it
    rule = _rule()

    def purge() -> int:
        batch = Subscriber.objects.filter(pk=subscribers[0].pk)
        rule.before_delete(batch)
        return batch.delete()[0]

    started, release, outcome = threading.Event(), threading.Event(), {}
    deleting = held_transaction(purge, started, release, outcome)
    try:
        assert started.wait(20) and "error" not in outcome, outcome
        enqueue, done = finished_later(lambda: deliveries_insert(alert_id=alert.pk, subscriber_ids=ids))
        enqueue.join(1.5)
        assert not done, "the enqueue read a subscriber an uncommitted purge was deleting"
        release.set()
        deleting.join(20)
        enqueue.join(20)
    finally:
        release.set()
        deleting.join(20)
    assert outcome.get("released") is True
    assert done.get("ended") and "error" not in done, done
    assert done["result"]["email"] == 2
    assert set(Delivery.objects.filter(alert=alert).values_list("subscriber_id", flat=True)) == \
        {subscribers[1].pk, subscribers[2].pk}
    assert _orphans() == 0
