"""Models of the prevention app."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.prevention.choices import PassageOutcome, RegistrationStatus, Residence
from confiance.territory.models import Commune, Sector

# --- Opération Tranquillité Vacances ---------------------------------------------------------


class OtvRules(models.Model):
    """A commune's eligibility rules for Opération Tranquillité Vacances (LEGAL.md: per commune)."""

    commune = models.OneToOneField(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                   related_name="otv_rules")
    open = models.BooleanField(_("inscriptions ouvertes"), default=True)
    min_absence_days = models.PositiveSmallIntegerField(
        _("absence minimale (jours)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(365)])
    max_absence_days = models.PositiveSmallIntegerField(
        _("absence maximale (jours)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(365)])
    min_days_ahead = models.PositiveSmallIntegerField(
        _("délai d'inscription minimal (jours avant le départ)"), default=2,
        validators=[MaxValueValidator(90)])
    max_days_ahead = models.PositiveSmallIntegerField(
        _("inscription au plus tôt (jours avant le départ)"), default=180,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    main_residence = models.BooleanField(_("résidences principales acceptées"), default=True)
    secondary_residence = models.BooleanField(_("résidences secondaires acceptées"), default=True)
    contact_text = models.CharField(_("contact affiché"), max_length=300, blank=True,
                                    help_text=_("ex. Police municipale, 01 23 45 67 89"))

    class Meta:
        verbose_name = _("règles OTV d'une commune")
        verbose_name_plural = _("règles OTV des communes")

    def __str__(self) -> str:
        return str(self.commune)


class OtvRegistration(models.Model):
    """A home to watch during an absence: only the data LEGAL.md allows (names, address, dates, phones, an optional
    contact person and what helps the patrol)."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="otv_registrations")
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="otv_registrations")
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    address = models.CharField(_("adresse"), max_length=300)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    residence = models.CharField(_("résidence"), max_length=20, choices=Residence.choices, default=Residence.MAIN)
    leaves_on = models.DateField(_("départ le"))
    returns_on = models.DateField(_("retour le"))
    email = models.EmailField(_("courriel"), max_length=254)
    phone = models.CharField(_("téléphone"), max_length=30)
    phone_away = models.CharField(_("téléphone pendant l'absence"), max_length=30, blank=True)
    contact_name = models.CharField(_("personne à prévenir"), max_length=200, blank=True)
    contact_phone = models.CharField(_("téléphone de la personne à prévenir"), max_length=30, blank=True)
    alarm = models.BooleanField(_("alarme installée"), default=False)
    patrol_notes = models.CharField(_("informations utiles à la patrouille"), max_length=500, blank=True,
                                    help_text=_("accès, portail, animaux, véhicule laissé sur place..."))
    status = models.CharField(_("état"), max_length=20, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.ACTIVE)
    token_hash = models.CharField(_("empreinte du lien privé"), max_length=64, unique=True)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("inscrite le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    summary_claimed_at = models.DateTimeField(_("bilan pris en charge le"), null=True, blank=True)
    summary_sent_at = models.DateTimeField(_("bilan envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription OTV")
        verbose_name_plural = _("inscriptions OTV")
        ordering = ["leaves_on", "pk"]
        indexes = [models.Index(fields=["commune", "returns_on", "leaves_on"], name="otv_watch_window")]

    def __str__(self) -> str:
        return f"OTV-{self.pk}"

    @property
    def reference(self) -> str:
        return f"OTV-{self.pk}"


class OtvPassage(models.Model):
    """A patrol's passage at a registered home: when, who, where the agent stood, RAS or the anomaly seen."""

    registration = models.ForeignKey(OtvRegistration, verbose_name=_("inscription"), on_delete=models.CASCADE,
                                     related_name="passages")
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="otv_passages")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="otv_passages")
    passed_at = models.DateTimeField(_("heure du passage"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    outcome = models.CharField(_("constat"), max_length=20, choices=PassageOutcome.choices)
    note = models.CharField(_("observation"), max_length=1000, blank=True)
    log_entry_number = models.CharField(_("entrée de main courante"), max_length=40, blank=True)
    notice_claimed_at = models.DateTimeField(_("avis pris en charge le"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("avis envoyé à l'habitant le"), null=True, blank=True)

    class Meta:
        verbose_name = _("passage OTV")
        verbose_name_plural = _("passages OTV")
        ordering = ["-passed_at"]

    def __str__(self) -> str:
        return f"{self.registration} {self.passed_at:%d/%m/%Y %H:%M}"

# --- end of Opération Tranquillité Vacances --------------------------------------------------
