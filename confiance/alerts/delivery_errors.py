"""Errors of subscriptions and deliveries (codes in delivery_choices.SubscriptionErrorCode)."""

from confiance.core.errors import ApplicationError


class SubscriptionError(ApplicationError):
    """A subscription request, confirmation or unsubscription refused (400 unless told)."""
