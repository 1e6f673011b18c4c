"""Retention of subscriptions: unsubscribed ones are deleted, unconfirmed requests too (their contacts with them)."""

from datetime import timedelta

from django.db.models import Q

from confiance.alerts.delivery_choices import SubscriberStatus
from confiance.privacy.choices import RetentionAction
from confiance.privacy.retention_engine import RetentionRule, register

register(RetentionRule(
    name="alerts.subscriptions.unsubscribed",
    model="alerts.Subscriber",
    date_field="unsubscribed_at",
    max_age=lambda: timedelta(days=1),
    action=RetentionAction.DELETE,
    description="Abonnements aux alertes résiliés : contacts effacés au désabonnement, ligne supprimée un jour après "
                "(les envois passés ne gardent que les comptes).",
    pending=lambda: Q(status=SubscriberStatus.UNSUBSCRIBED),
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
))
