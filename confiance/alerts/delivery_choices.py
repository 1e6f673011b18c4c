"""Choices of subscriptions and deliveries (the alerts' own choices are in choices.py)."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("en attente de confirmation")
    ACTIVE = "active", _("actif")
    UNSUBSCRIBED = "unsubscribed", _("désabonné")


class Channel(models.TextChoices):
    EMAIL = "email", _("courriel")
    SMS = "sms", _("SMS")
    PUSH = "push", _("notification sur le téléphone")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("en file d'attente")
    SENDING = "sending", _("en cours d'envoi")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec")


class SubscriptionErrorCode(StrEnum):
    INVALID = "alerts_subscription_invalid"
    OUTSIDE = "alerts_subscription_outside"
    LINK_INVALID = "alerts_subscription_link_invalid"
    CODE_INVALID = "alerts_subscription_code_invalid"
    ALERT_NOT_FOUND = "alerts_delivery_alert_not_found"
