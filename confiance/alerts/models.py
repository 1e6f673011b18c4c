"""Population alerts: authored alerts (CAP 1.2 messages), their history, templates per risk, incoming alerts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.alerts.choices import (
    AlertStatus,
    AlertStepKind,
    CapStatus,
    Category,
    Certainty,
    MessageType,
    ResponseType,
    Risk,
    Severity,
    Urgency,
)
from confiance.territory.models import Commune, Sector


class AlertTemplate(models.Model):
    """Prefilled wording for one risk of a commune's safety plan; a template with no commune serves every commune."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="alert_templates",
                                help_text=_("Vide : modèle commun à toutes les communes."))
    risk = models.CharField(_("risque"), max_length=20, choices=Risk.choices)
    name = models.CharField(_("nom"), max_length=120)
    event = models.CharField(_("événement"), max_length=120)
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices, default=Category.SAFETY)
    response_type = models.CharField(_("conduite à tenir"), max_length=12, choices=ResponseType.choices,
                                     default=ResponseType.MONITOR)
    urgency = models.CharField(_("urgence"), max_length=12, choices=Urgency.choices, default=Urgency.EXPECTED)
    severity = models.CharField(_("gravité"), max_length=12, choices=Severity.choices, default=Severity.MODERATE)
    certainty = models.CharField(_("certitude"), max_length=12, choices=Certainty.choices, default=Certainty.LIKELY)
    headline = models.CharField(_("titre"), max_length=160)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("consignes"))
    headline_en = models.CharField(_("titre (anglais)"), max_length=160, blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    instruction_en = models.TextField(_("consignes (anglais)"), blank=True)
    duration_hours = models.PositiveSmallIntegerField(_("durée de validité par défaut (heures)"), default=12)
    active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("modèle d'alerte")
        verbose_name_plural = _("modèles d'alerte")
        ordering = ["risk", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="alert_template_name_unique")]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One CAP message authored by a commune: an Alert, or an Update/Cancel of earlier ones; two people publish it."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="alerts")
    sender = models.CharField(_("émetteur (CAP)"), max_length=200)
    identifier = models.CharField(_("identifiant (CAP)"), max_length=200)
    status = models.CharField(_("état"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.DRAFT)
    cap_status = models.CharField(_("nature"), max_length=10, choices=CapStatus.choices, default=CapStatus.ACTUAL)
    msg_type = models.CharField(_("type de message"), max_length=10, choices=MessageType.choices,
                                default=MessageType.ALERT)
    references = models.ManyToManyField("self", verbose_name=_("remplace"), symmetrical=False, blank=True,
                                        related_name="replaced_by")
    template = models.ForeignKey(AlertTemplate, verbose_name=_("modèle"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    risk = models.CharField(_("risque"), max_length=20, choices=Risk.choices, default=Risk.OTHER)
    event = models.CharField(_("événement"), max_length=120)
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices, default=Category.SAFETY)
    response_type = models.CharField(_("conduite à tenir"), max_length=12, choices=ResponseType.choices,
                                     default=ResponseType.MONITOR)
    urgency = models.CharField(_("urgence"), max_length=12, choices=Urgency.choices, default=Urgency.EXPECTED)
    severity = models.CharField(_("gravité"), max_length=12, choices=Severity.choices, default=Severity.MODERATE)
    certainty = models.CharField(_("certitude"), max_length=12, choices=Certainty.choices, default=Certainty.LIKELY)
    headline = models.CharField(_("titre"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("consignes"), blank=True)
    headline_en = models.CharField(_("titre (anglais)"), max_length=160, blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    instruction_en = models.TextField(_("consignes (anglais)"), blank=True)
    onset = models.DateTimeField(_("début"), null=True, blank=True)
    expires = models.DateTimeField(_("fin de validité"), null=True, blank=True)
    area_description = models.CharField(_("zone concernée"), max_length=300, blank=True)
    area = models.JSONField(
        _("zone dessinée (GeoJSON)"), default=dict, blank=True,
        help_text=_("FeatureCollection : des Polygon, et des Point avec la propriété radius_m pour les cercles."),
    )
    target_communes = models.ManyToManyField(Commune, verbose_name=_("communes visées"), blank=True,
                                             related_name="targeted_by_alerts")
    target_sectors = models.ManyToManyField(Sector, verbose_name=_("secteurs visés"), blank=True,
                                            related_name="targeted_by_alerts")
    source_alarm = models.ForeignKey("devices.Alarm", verbose_name=_("alarme d'origine"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rédigée par"), on_delete=models.PROTECT,
                               related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("validée par"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    review_note = models.CharField(_("observation du valideur"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True,
                                        help_text=_("Heure d'envoi du message CAP (sent)."))
    ended_at = models.DateTimeField(_("remplacée ou annulée le"), null=True, blank=True)
    cap_xml = models.TextField(_("message CAP publié"), blank=True,
                               help_text=_("Figé à la publication : l'adresse publique sert toujours ces octets."))

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "identifier"], name="alert_identifier_unique_per_sender"),
            models.CheckConstraint(
                condition=Q(expires__isnull=True) | Q(onset__isnull=True) | Q(expires__gt=models.F("onset")),
                name="alert_expires_after_onset"),
        ]
        indexes = [
            models.Index(fields=["commune", "status"], name="alert_commune_status"),
            models.Index(fields=["status", "published_at"], name="alert_status_published"),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_in_force(self) -> bool:
        """Published, not replaced nor cancelled, and not expired."""
        if self.status != AlertStatus.PUBLISHED or self.msg_type == MessageType.CANCEL:
            return False
        return self.expires is None or self.expires > timezone.now()


class AlertStep(models.Model):
    """One step of an alert's life (drafted, submitted, approved, published...), appended with who and when."""

    alert = models.ForeignKey(Alert, verbose_name=_("alerte"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("étape"), max_length=12, choices=AlertStepKind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("par"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("étape d'alerte")
        verbose_name_plural = _("étapes d'alerte")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"


class IncomingAlert(models.Model):
    """A CAP message received from another authority (préfecture, Météo-France...), shown to agents and the public."""

    sender = models.CharField(_("émetteur"), max_length=200)
    identifier = models.CharField(_("identifiant"), max_length=200)
    sent = models.DateTimeField(_("envoyée le"))
    cap_status = models.CharField(_("nature"), max_length=10, default="Actual")
    msg_type = models.CharField(_("type de message"), max_length=10, default="Alert")
    references = models.TextField(_("références"), blank=True)
    sender_name = models.CharField(_("autorité"), max_length=200, blank=True)
    language = models.CharField(_("langue"), max_length=20, blank=True)
    event = models.CharField(_("événement"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=12, blank=True)
    urgency = models.CharField(_("urgence"), max_length=12, blank=True)
    severity = models.CharField(_("gravité"), max_length=12, blank=True)
    certainty = models.CharField(_("certitude"), max_length=12, blank=True)
    headline = models.CharField(_("titre"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("consignes"), blank=True)
    web = models.URLField(_("lien"), max_length=500, blank=True)
    onset = models.DateTimeField(_("début"), null=True, blank=True)
    expires = models.DateTimeField(_("fin de validité"), null=True, blank=True)
    area_description = models.CharField(_("zone concernée"), max_length=500, blank=True)
    area = models.JSONField(_("zone (GeoJSON)"), default=dict, blank=True)
    communes = models.ManyToManyField(Commune, verbose_name=_("communes concernées"), blank=True,
                                      related_name="incoming_alerts")
    source = models.CharField(_("source"), max_length=500, help_text=_("Fichier ou adresse d'où le message vient."))
    raw_xml = models.TextField(_("message CAP reçu"))
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("importée par"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("alerte reçue")
        verbose_name_plural = _("alertes reçues")
        ordering = ["-sent"]
        constraints = [models.UniqueConstraint(fields=["sender", "identifier"], name="incoming_alert_unique")]

    def __str__(self) -> str:
        return self.headline or self.event


# =================================================================================================================
# Subscriptions and delivery (helper "deliver"): who asked to be warned, and one row per message to send.
# =================================================================================================================

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
        # id, lon and lat in the key: targeting reads only this index (an index-only scan on PostgreSQL; SQLite
        # keeps the rowid in every index anyway), never the scattered table rows (bench/alerts_targeting.py).
        # A rights request finds a subscriber by e-mail (any case) or phone (alerts/persons.py).
        indexes = [models.Index(fields=["h3_cell", "status", "commune", "id", "lon", "lat"],
                                name="alerts_subscriber_cell"),
                   models.Index(Lower("email"), name="alerts_subscriber_email"),
                   models.Index(fields=["phone"], name="alerts_subscriber_phone")]

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

    # No index of its own: the unique (alert, subscriber, channel) constraint starts with it (one index less to
    # maintain per row queued). Neither key is a database constraint (ADR 0019): a constraint's trigger checked each
    # queued row against its alert and its subscriber, half the time of queueing an alert on PostgreSQL. Instead
    # the queueing holds KEYS_LOCK shared and the only deletion of subscribers (retention) holds it exclusive while
    # it clears their deliveries' key; published alerts are never deleted.
    alert = models.ForeignKey("alerts.Alert", verbose_name=_("alerte"), on_delete=models.CASCADE,
                              related_name="deliveries", db_index=False, db_constraint=False)
    subscriber = models.ForeignKey(Subscriber, verbose_name=_("abonné"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="deliveries", db_constraint=False)
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("état"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    claim_token = models.CharField(_("jeton de prise en charge"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    #: PostgreSQL advisory lock (ADR 0019): shared by the transactions that queue deliveries, exclusive for the one
    #: that deletes subscribers; so a queueing never reads a subscriber whose deletion is not committed, and a
    #: deletion never misses a delivery queued for its subscribers. One lock per alert, not one per row.
    KEYS_LOCK = 7_341_019

    class Meta:
        verbose_name = _("envoi d'alerte")
        verbose_name_plural = _("envois d'alerte")
        constraints = [models.UniqueConstraint(fields=["alert", "subscriber", "channel"],
                                               name="alerts_delivery_once_per_channel")]
        # The claim's order (next_attempt_at, id) is the index's: the first rows are read, none sorted (an alert
        # queues every row with the same next_attempt_at).
        indexes = [models.Index(fields=["channel", "status", "next_attempt_at", "id"], name="alerts_delivery_queue")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.subscriber_id} ({self.channel})"


class AlertDispatch(models.Model):
    """The targeting of one published alert: done once (the worker redoes it if the publishing process died)."""

    alert = models.OneToOneField("alerts.Alert", verbose_name=_("alerte"), on_delete=models.CASCADE,
                                 related_name="dispatch")
    targeted = models.PositiveIntegerField(_("abonnés visés"), default=0)
    queued = models.PositiveIntegerField(_("envois mis en file"), default=0)
    by_channel = models.JSONField(_("envois par canal"), default=dict, blank=True)
    enqueued_at = models.DateTimeField(_("mis en file le"), default=timezone.now)
    seconds = models.FloatField(_("durée du ciblage (s)"), default=0)

    class Meta:
        verbose_name = _("diffusion d'alerte")
        verbose_name_plural = _("diffusions d'alerte")

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.targeted}"
