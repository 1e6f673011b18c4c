"""Models of the prevention app."""


from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.prevention.choices import (
    Direction,
    MobilisationAnswerKind,
    ObservationKind,
    ObservationStatus,
    PassageOutcome,
    ProtocolForce,
    RegistrationStatus,
    Residence,
    VehicleColour,
    VehicleType,
)
from confiance.territory.models import Commune, CrisisSharing, Sector


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


PROTOCOL_TERM_YEARS = 3
RENEWAL_NOTICE = timedelta(days=92)  # the reminder shows three months before the protocol ends
OBSERVATION_TEXT_MAX = 1000


def add_years(day: date, years: int) -> date:
    """The same day `years` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class ParticipationProtocol(models.Model):
    """The protocol of Participation citoyenne signed by the mayor, the prefect and the police or gendarmerie
    commander, for three years; a renewal is a new protocol (the history is kept)."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="participation_protocols")
    signed_on = models.DateField(_("signé le"))
    term_years = models.PositiveSmallIntegerField(_("durée (années)"), default=PROTOCOL_TERM_YEARS)
    mayor = models.CharField(_("maire signataire"), max_length=200)
    prefect = models.CharField(_("préfet signataire"), max_length=200)
    force = models.CharField(_("force signataire"), max_length=20, choices=ProtocolForce.choices,
                             default=ProtocolForce.GENDARMERIE)
    commander = models.CharField(_("commandant signataire"), max_length=200,
                                 help_text=_("Commandant de brigade ou de compagnie, ou chef de circonscription."))
    contact_email = models.EmailField(_("e-mail de la brigade ou du commissariat"),
                                      help_text=_("Reçoit le résumé de chaque observation des référents."))
    share_referent_contact = models.BooleanField(
        _("le protocole prévoit de transmettre le nom et le téléphone du référent"), default=False,
        help_text=_("Sinon, le résumé envoyé ne dit que le secteur du référent."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("protocole de participation citoyenne")
        verbose_name_plural = _("protocoles de participation citoyenne")
        ordering = ["commune__name", "-signed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.commune} — {self.signed_on:%d/%m/%Y}"

    @property
    def ends_on(self) -> date:
        return add_years(self.signed_on, self.term_years)

    @property
    def renewal_from(self) -> date:
        return self.ends_on - RENEWAL_NOTICE

    def in_force(self, on: date) -> bool:
        return self.signed_on <= on < self.ends_on

    def renewal_due(self, on: date) -> bool:
        return self.renewal_from <= on


class Referent(models.Model):
    """A volunteer named referent of a sector by the mayor; no police power. Named and revoked once (a new
    nomination is a new row). Signs in through a personal private link, revoked with them."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="referents")
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), on_delete=models.PROTECT, related_name="referents")
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    link_hash = models.CharField(_("empreinte du lien personnel"), max_length=64, blank=True)
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nommé par"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    named_at = models.DateTimeField(_("nommé le"), default=timezone.now)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("révoqué par"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True, db_index=True)
    revocation_reason = models.CharField(_("motif de la révocation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("référent de participation citoyenne")
        verbose_name_plural = _("référents de participation citoyenne")
        ordering = ["commune__name", "sector__name", "last_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Observation(models.Model):
    """A fact a referent observed: what, where, when, which vehicle; no field describes a person."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="observations")
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), null=True, on_delete=models.SET_NULL,
                               related_name="observations")
    referent = models.ForeignKey(Referent, verbose_name=_("référent"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="observations")
    kind = models.CharField(_("fait observé"), max_length=30, choices=ObservationKind.choices)
    occurred_at = models.DateTimeField(_("observé le"))
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    vehicle_type = models.CharField(_("type de véhicule"), max_length=20, choices=VehicleType.choices, blank=True)
    vehicle_colour = models.CharField(_("couleur du véhicule"), max_length=20, choices=VehicleColour.choices,
                                      blank=True)
    direction = models.CharField(_("direction prise"), max_length=20, choices=Direction.choices, blank=True)
    text = models.TextField(_("précisions"), blank=True, max_length=OBSERVATION_TEXT_MAX)
    sensitive_confirmed = models.JSONField(_("avertissements confirmés par le référent"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=ObservationStatus.choices,
                              default=ObservationStatus.RECEIVED)
    intervention = models.ForeignKey("operations.Intervention", verbose_name=_("intervention"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    contact_notified_at = models.DateTimeField(_("transmise à la gendarmerie le"), null=True, blank=True)

    class Meta:
        verbose_name = _("observation d'un référent")
        verbose_name_plural = _("observations des référents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["commune", "created_at"], name="observation_commune_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%d/%m/%Y %H:%M}"


class ObservationUpdate(models.Model):
    """A step of the follow-up of an observation (appended, never edited); its note is shown to the referent."""

    observation = models.ForeignKey(Observation, verbose_name=_("observation"), on_delete=models.CASCADE,
                                    related_name="updates")
    status = models.CharField(_("état"), max_length=20, choices=ObservationStatus.choices)
    note = models.CharField(_("message au référent"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("par"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("suivi d'une observation")
        verbose_name_plural = _("suivis des observations")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} — {self.at:%d/%m/%Y %H:%M}"


class PreventionMessage(models.Model):
    """A prevention message from the police municipale to the referents of a sector (or of the commune)."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="prevention_messages")
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", help_text=_("Vide : tous les référents de la commune."))
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"), max_length=4000)
    recipients = models.PositiveIntegerField(_("destinataires"), default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("envoyé par"), null=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("message de prévention")
        verbose_name_plural = _("messages de prévention")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.subject


# --- Réserve communale ---------------------------------------------------------------------------


class ReserveVolunteer(models.Model):
    """A volunteer of the réserve communale de sécurité civile: skills, availability, contact."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="reserve_volunteers")
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    skills = models.JSONField(_("compétences"), default=list, blank=True)
    availability = models.JSONField(_("disponibilités"), default=list, blank=True)
    joined_on = models.DateField(_("engagé le"), default=timezone.localdate)
    left_on = models.DateField(_("a quitté la réserve le"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("réserviste")
        verbose_name_plural = _("réservistes")
        ordering = ["commune__name", "last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def active(self) -> bool:
        return self.left_on is None


class Mobilisation(models.Model):
    """A call of the réserve for a crisis or an event: one message by e-mail and SMS, answered by link."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="reserve_mobilisations")
    crisis = models.ForeignKey(CrisisSharing, verbose_name=_("crise"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("intitulé"), max_length=200)
    message = models.TextField(_("message"), max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lancée par"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("lancée le"), default=timezone.now)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    contacted = models.PositiveIntegerField(_("réservistes contactés"), default=0)

    class Meta:
        verbose_name = _("mobilisation de la réserve")
        verbose_name_plural = _("mobilisations de la réserve")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class MobilisationAnswer(models.Model):
    """A volunteer's answer to a mobilisation (appended: the latest counts)."""

    mobilisation = models.ForeignKey(Mobilisation, verbose_name=_("mobilisation"), on_delete=models.CASCADE,
                                     related_name="answers")
    volunteer = models.ForeignKey(ReserveVolunteer, verbose_name=_("réserviste"), on_delete=models.CASCADE,
                                  related_name="answers")
    answer = models.CharField(_("réponse"), max_length=20, choices=MobilisationAnswerKind.choices)
    answered_at = models.DateTimeField(_("répondu le"), default=timezone.now)

    class Meta:
        verbose_name = _("réponse à une mobilisation")
        verbose_name_plural = _("réponses aux mobilisations")
        ordering = ["answered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.volunteer_id} — {self.get_answer_display()}"


class ReserveMission(models.Model):
    """A mission of the réserve (reception of evacuees, sandbags, traffic help...), within a mobilisation or not."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="reserve_missions")
    mobilisation = models.ForeignKey(Mobilisation, verbose_name=_("mobilisation"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="missions")
    title = models.CharField(_("intitulé"), max_length=200)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("mission de la réserve")
        verbose_name_plural = _("missions de la réserve")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class MissionAssignment(models.Model):
    """A volunteer assigned to a mission, with the hours done once recorded."""

    mission = models.ForeignKey(ReserveMission, verbose_name=_("mission"), on_delete=models.CASCADE,
                                related_name="assignments")
    volunteer = models.ForeignKey(ReserveVolunteer, verbose_name=_("réserviste"), on_delete=models.CASCADE,
                                  related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("affecté par"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(_("affecté le"), default=timezone.now)
    hours = models.DecimalField(_("heures effectuées"), max_digits=5, decimal_places=2, null=True, blank=True)
    hours_recorded_at = models.DateTimeField(_("heures saisies le"), null=True, blank=True)

    class Meta:
        verbose_name = _("affectation à une mission")
        verbose_name_plural = _("affectations aux missions")
        constraints = [models.UniqueConstraint(fields=["mission", "volunteer"], name="mission_volunteer_unique")]

    def __str__(self) -> str:
        return f"{self.mission_id} — {self.volunteer_id}"
