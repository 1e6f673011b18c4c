"""Models of the alerts app."""


# =================================================================================================================
# Subscriptions and delivery (helper "deliver"): who asked to be warned, and one row per message to send.
# =================================================================================================================

from django.db import models  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from confiance.alerts.delivery_choices import Channel, DeliveryStatus, SubscriberStatus  # noqa: E402


class Subscriber(models.Model):
    """An inhabitant who asked to be warned: a point (or a sector) and the contacts confirmed; nothing more.

    The address typed is not kept, only its point and H3 cell; contacts are erased at unsubscription, and the row
    itself is deleted by the retention rule "alerts.subscriptions.unsubscribed"."""

    commune = models.ForeignKey("territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="alert_subscribers")
    status = models.CharField(_("état"), max_length=16, choices=SubscriberStatus.choices,
                              default=SubscriberStatus.PENDING)
    token = models.CharField(_("identifiant public"), max_length=32, unique=True,
                             help_text=_("Aléatoire ; signé dans les liens de confirmation et de désabonnement."))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    h3_cell = models.CharField(_("cellule H3"), max_length=16, blank=True)
    sector = models.ForeignKey("territory.Sector", verbose_name=_("secteur"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="alert_subscribers")
    email = models.EmailField(_("courriel"), max_length=254, blank=True)
    email_confirmed_at = models.DateTimeField(_("courriel confirmé le"), null=True, blank=True)
    phone = models.CharField(_("téléphone mobile"), max_length=16, blank=True, help_text=_("Format +33612345678."))
    phone_confirmed_at = models.DateTimeField(_("téléphone confirmé le"), null=True, blank=True)
    sms_code_hash = models.CharField(_("empreinte du code SMS"), max_length=64, blank=True)
    sms_code_attempts = models.PositiveSmallIntegerField(_("essais du code SMS"), default=0)
    push_endpoint = models.URLField(_("adresse de notification"), max_length=1000, blank=True)
    push_p256dh = models.CharField(_("clé publique de notification"), max_length=100, blank=True)
    push_auth = models.CharField(_("secret de notification"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)

    class Meta:
        verbose_name = _("abonné aux alertes")
        verbose_name_plural = _("abonnés aux alertes")
        indexes = [models.Index(fields=["h3_cell", "status", "commune"], name="alerts_subscriber_cell")]

    def __str__(self) -> str:
        return f"{_('abonné')} {self.pk}"

    def channels(self) -> list[str]:
        """The channels this subscriber may be reached on (confirmed contacts only)."""
        found = []
        if self.email and self.email_confirmed_at:
            found.append(Channel.EMAIL)
        if self.phone and self.phone_confirmed_at:
            found.append(Channel.SMS)
        if self.push_endpoint:
            found.append(Channel.PUSH)
        return found


class Delivery(models.Model):
    """One message of one alert to one subscriber on one channel: queued, claimed, sent or failed; never twice."""

    alert = models.ForeignKey("alerts.Alert", verbose_name=_("alerte"), on_delete=models.CASCADE,
                              related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, verbose_name=_("abonné"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="deliveries")
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("état"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    claim_token = models.CharField(_("jeton de prise en charge"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("envoi d'alerte")
        verbose_name_plural = _("envois d'alerte")
        constraints = [models.UniqueConstraint(fields=["alert", "subscriber", "channel"],
                                               name="alerts_delivery_once_per_channel")]
        indexes = [models.Index(fields=["channel", "status", "next_attempt_at"], name="alerts_delivery_queue")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.subscriber_id} ({self.channel})"
