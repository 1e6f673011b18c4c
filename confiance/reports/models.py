"""Citizen reports: categories and routing per commune, reports with their append-only history."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.reports.choices import (
    AttributeDatatype,
    DestinationKind,
    DispatchStatus,
    NotificationStatus,
    ReportSource,
    ReportStatus,
    UpdateKind,
)
from confiance.territory.models import Commune, Sector

DESCRIPTION_MAX_LENGTH = 4000


class Destination(models.Model):
    """Who handles reports: a municipal service, the police municipale or an external body."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="report_destinations")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=DestinationKind.choices)
    email = models.EmailField(_("adresse électronique"), blank=True,
                              help_text=_("Reçoit les nouveaux signalements et les alertes de retard."))
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        ordering = ["commune__name", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="destination_name_unique")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A kind of report in one commune, known to Open311 clients by its service code."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="report_categories")
    service_code = models.SlugField(_("code de service"), max_length=64)
    name = models.CharField(_("nom"), max_length=200)
    group = models.CharField(_("groupe"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=300, blank=True,
                                help_text=_("Séparés par des virgules."))
    notice = models.TextField(_("avis affiché au choix de la catégorie"), blank=True)
    duplicate_radius_m = models.PositiveIntegerField(_("rayon de recherche des doublons (m)"), default=250)
    sla_working_days = models.PositiveSmallIntegerField(_("délai cible (jours ouvrés)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["commune__name", "group", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "service_code"], name="category_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class CategoryAttribute(models.Model):
    """An extra question of a category (an Open311 service definition attribute)."""

    category = models.ForeignKey(Category, verbose_name=_("catégorie"), on_delete=models.CASCADE,
                                 related_name="attributes")
    code = models.SlugField(_("code"), max_length=64)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    datatype = models.CharField(_("type de réponse"), max_length=20, choices=AttributeDatatype.choices)
    required = models.BooleanField(_("obligatoire"), default=False)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("aide"), max_length=300, blank=True)
    values = models.JSONField(_("valeurs possibles"), default=list, blank=True,
                              help_text=_('Liste de {"key": ..., "name": ...} pour les choix.'))

    class Meta:
        verbose_name = _("question complémentaire")
        verbose_name_plural = _("questions complémentaires")
        ordering = ["category", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="attribute_code_unique")]

    def __str__(self) -> str:
        return self.description


class RoutingRule(models.Model):
    """Sends matching reports to destinations; rules are read in order until a final one matches."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="report_routing_rules")
    position = models.PositiveIntegerField(_("ordre"), default=0)
    category = models.ForeignKey(Category, verbose_name=_("catégorie"), null=True, blank=True,
                                 on_delete=models.CASCADE, help_text=_("Vide : toutes les catégories."))
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), null=True, blank=True, on_delete=models.CASCADE,
                               help_text=_("Vide : toute la commune."))
    destinations = models.ManyToManyField(Destination, verbose_name=_("destinataires"))
    final = models.BooleanField(_("arrêter ici"), default=True,
                                help_text=_("Décoché : les règles suivantes peuvent ajouter des destinataires."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("règle d'acheminement")
        verbose_name_plural = _("règles d'acheminement")
        ordering = ["commune__name", "position", "id"]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.position}"


class ResponseTemplate(models.Model):
    """A ready-made public message, per category (or any) and status (or any)."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="report_templates")
    category = models.ForeignKey(Category, verbose_name=_("catégorie"), null=True, blank=True,
                                 on_delete=models.CASCADE)
    status = models.CharField(_("état"), max_length=20, choices=ReportStatus.choices, blank=True)
    title = models.CharField(_("titre"), max_length=120)
    text = models.TextField(_("texte"))

    class Meta:
        verbose_name = _("modèle de réponse")
        verbose_name_plural = _("modèles de réponse")
        ordering = ["commune__name", "title"]

    def __str__(self) -> str:
        return self.title


class ClientApplication(models.Model):
    """An Open311 client application, identified by its API key (stored hashed)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    key_prefix = models.CharField(_("début de la clé"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    communes = models.ManyToManyField(Commune, verbose_name=_("communes autorisées"), blank=True,
                                      help_text=_("Vide : tout le territoire."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("application Open311")
        verbose_name_plural = _("applications Open311")

    def __str__(self) -> str:
        return self.name


class ConfigurationRevision(models.Model):
    """One row per change of the reports configuration (categories, questions, destinations, routing rules,
    client applications, communes); the per-process cache of reference data compares the newest row."""

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("révision du paramétrage des signalements")
        verbose_name_plural = _("révisions du paramétrage des signalements")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Report(models.Model):
    """A citizen report. Its current status is a cache of the last status entry of its history."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="reports")
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), null=True, blank=True, on_delete=models.SET_NULL)
    category = models.ForeignKey(Category, verbose_name=_("catégorie"), on_delete=models.PROTECT,
                                 related_name="reports")
    status = models.CharField(_("état"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NEW)
    is_open = models.BooleanField(_("ouvert"), default=True)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    description_hidden = models.BooleanField(_("description masquée"), default=False)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    h3_cell = models.CharField(max_length=16, db_index=True)
    attributes = models.JSONField(_("réponses aux questions"), default=dict, blank=True)
    # Caches for the public views: the last public message and the destinations' names.
    status_notes = models.TextField(_("dernier message public"), blank=True)
    agency_responsible = models.CharField(_("service responsable"), max_length=300, blank=True)
    # Personal data: hidden from the public, removed after closure by the retention engine.
    reporter_name = models.CharField(_("nom du déclarant"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("courriel du déclarant"), blank=True)
    reporter_phone = models.CharField(_("téléphone du déclarant"), max_length=30, blank=True)
    reporter_device_id = models.CharField(_("identifiant d'appareil"), max_length=100, blank=True)
    reporter_consent = models.BooleanField(_("consentement"), default=False)
    personal_data_removed_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True)
    source = models.CharField(_("origine"), max_length=20, choices=ReportSource.choices, default=ReportSource.WEB)
    client = models.ForeignKey(ClientApplication, verbose_name=_("application"), null=True, blank=True,
                               on_delete=models.SET_NULL)
    tracking_token = models.CharField(max_length=43, unique=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("attribué à"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="assigned_reports")
    duplicate_of = models.ForeignKey("self", verbose_name=_("doublon de"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")
    reopen_requested = models.BooleanField(_("réouverture demandée"), default=False)
    feedback_fixed = models.BooleanField(_("réparé selon le déclarant"), null=True, blank=True)
    created_at = models.DateTimeField(_("reçu le"), db_index=True)
    updated_at = models.DateTimeField(_("mis à jour le"), db_index=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    expected_at = models.DateTimeField(_("échéance"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("retard signalé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        indexes = [
            models.Index(fields=["category", "created_at"], name="report_category_created"),
            models.Index(fields=["commune", "created_at"], name="report_commune_created"),
            # Open311 lists: open or closed, in a date window, newest first, often for a few categories.
            models.Index(fields=["is_open", "created_at", "category"], name="report_open_created_cat"),
            # The same by category, one category head at a time (id last: ties in order, and a covering read).
            models.Index(fields=["category", "is_open", "created_at", "id"], name="report_cat_open_created"),
            # Nearby duplicates: a latitude band, then longitude read from the index itself.
            models.Index(fields=["category", "is_open", "lat", "lon"], name="report_category_open_lat_lon"),
            models.Index(fields=["is_open", "expected_at"], name="report_open_expected"),
            # Rights requests (privacy/persons): a person found by e-mail, phone or name among a million reports.
            models.Index(Lower("reporter_email"), name="report_reporter_email_lower"),
            models.Index(Lower("reporter_name"), name="report_reporter_name_lower"),
            models.Index(fields=["reporter_phone"], name="report_reporter_phone"),
        ]

    def __str__(self) -> str:
        return f"{_('Signalement')} {self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.expected_at is not None and self.expected_at < timezone.now()


class ReportUpdate(models.Model):
    """One entry of a report's history; never edited (a database trigger refuses updates)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices)
    status_from = models.CharField(max_length=20, choices=ReportStatus.choices, blank=True)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, blank=True)
    public_message = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=200)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="report_update_report_time")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.kind}"


class ReportDispatch(models.Model):
    """The sending of a report to one of its destinations, with its own status."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="dispatches")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="dispatches")
    status = models.CharField(max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "destination"], name="dispatch_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} -> {self.destination_id}"


class ReportPhoto(models.Model):
    """A photo, re-encoded as JPEG without metadata; stored in the database, served through checked URLs."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField()
    thumbnail = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "position"]

    def __str__(self) -> str:
        return f"photo {self.pk} ({self.report_id})"


class ReportFollower(models.Model):
    """Someone who asked to be told by e-mail of a report's public updates."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField()
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "email"], name="follower_unique")]
        indexes = [models.Index(Lower("email"), name="report_follower_email_lower")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.pk}"


class ReportNotification(models.Model):
    """An e-mail to send (outbox): written in the transaction, claimed then sent after commit, retried by the sweep."""

    report = models.ForeignKey(Report, null=True, on_delete=models.SET_NULL, related_name="notifications")
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, help_text=_("Envoi en cours qui a réservé l'e-mail."))
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("Réservé pour l'envoi à cette heure."))

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status_created")]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.subject}"


# A submission is recognised as a replay for this long; its key is kept as long (retention), then deleted.
SUBMISSION_REPLAY_WINDOW = timedelta(hours=24)


class ReportSubmission(models.Model):
    """Idempotency: a submission key seen once maps to the report it created (replays return it)."""

    key = models.CharField(max_length=64, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.report_id}"

