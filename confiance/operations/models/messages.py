"""The field page's messages and notifications: unit messages, Web Push subscriptions and deliveries."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.models.units import Unit
from confiance.territory.models import Commune

# --- Field page: unit messages and Web Push (issue 15) ---------------------------------------------------------


class UnitMessage(models.Model):
    """A message from the post (dispatcher, chef de poste) to a unit's crew; acknowledged once by a crew member."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unité"), on_delete=models.CASCADE, related_name="messages")
    text = models.CharField(_("message"), max_length=500)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("envoyé par"), null=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lu par"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message à une unité")
        verbose_name_plural = _("messages aux unités")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["unit", "sent_at"], name="unit_message_unit_time")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.text[:40]}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription for one agent (the field page when it is closed)."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE,
                              related_name="push_subscriptions")
    endpoint = models.URLField(_("adresse du service de notification"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    # The signed-in session that subscribed: signing out of it forgets the subscription (a shared phone handed to
    # the next crew no longer rings for the agent who left). Empty for a token client, which unsubscribes itself.
    session_key = models.CharField(_("session"), max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("abonnement aux notifications")
        verbose_name_plural = _("abonnements aux notifications")

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.endpoint[:60]}"


class PushDelivery(models.Model):
    """One notification to send to one subscription; senders claim rows (pending -> sending) before sending."""

    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="deliveries")
    payload = models.JSONField()
    status = models.CharField(max_length=10, default="pending", db_index=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification à envoyer")
        verbose_name_plural = _("notifications à envoyer")

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.status}"
