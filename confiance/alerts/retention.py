"""Retention of subscriptions: unsubscribed ones are deleted, unconfirmed requests too (their contacts with them)."""

from datetime import timedelta

from django.db.models import Q

from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register


def _lock_then_clear_deliveries(batch) -> None:
    """Before the subscribers are deleted: the deliveries' lock taken exclusive (it waits for the queueings under
    way to commit, and those that come later wait for this deletion), then their deliveries lose the key: no
    delivery points to a deleted subscriber, without a constraint's check on every queued row (ADR 0019)."""
    from confiance.alerts.models import Delivery
    from confiance.core.sql import advisory_xact_lock

    advisory_xact_lock(Delivery.KEYS_LOCK)
    Delivery.objects.filter(subscriber__in=batch.values("pk")).update(subscriber=None)


register(RetentionRule(
    name="alerts.subscriptions.unsubscribed",
    model="alerts.Subscriber",
    date_field="unsubscribed_at",
    max_age=lambda: timedelta(days=1),
    action=RetentionAction.DELETE,
    description="Abonnements aux alertes résiliés : contacts effacés au désabonnement, ligne supprimée un jour après "
                "(les envois passés ne gardent que les comptes).",
    pending=lambda: Q(status=SubscriberStatus.UNSUBSCRIBED),
    before_delete=_lock_then_clear_deliveries,
))

register(RetentionRule(
    name="alerts.subscriptions.unconfirmed",
    model="alerts.Subscriber",
    date_field="created_at",
    max_age=lambda: timedelta(days=8),
    action=RetentionAction.DELETE,
    description="Demandes d'abonnement aux alertes jamais confirmées : supprimées après 8 jours (le lien de "
                "confirmation vaut 7 jours).",
    pending=lambda: Q(status=SubscriberStatus.PENDING),
    before_delete=_lock_then_clear_deliveries,
))
