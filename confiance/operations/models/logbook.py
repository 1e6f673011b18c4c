"""The main courante: natures, entries, the persons concerned, and the chef de poste's visa of a day."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.choices import EntrySource, PersonRole, Purpose
from confiance.operations.models.interventions import Intervention
from confiance.territory.models import Commune


class Nature(models.Model):
    """What a main courante entry is about; each commune keeps its own list."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="logbook_natures")
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("libellé"), max_length=200)
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER_MISSIONS)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("nature de main courante")
        verbose_name_plural = _("natures de main courante")
        ordering = ["commune__name", "position", "label"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="nature_code_unique")]

    def __str__(self) -> str:
        return self.label


class LogEntry(models.Model):
    """One line of the main courante. Editable by its author during a grace period; corrected by new entries after."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="log_entries")
    number = models.CharField(_("numéro"), max_length=32)
    occurred_at = models.DateTimeField(_("heure des faits"))
    source = models.CharField(_("source"), max_length=20, choices=EntrySource.choices)
    nature = models.ForeignKey(Nature, verbose_name=_("nature"), on_delete=models.PROTECT, related_name="entries")
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices)
    address = models.CharField(_("lieu"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    text = models.TextField(_("texte"))
    corrects = models.ForeignKey("self", verbose_name=_("corrige"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="corrections")
    intervention = models.ForeignKey(Intervention, verbose_name=_("intervention"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="log_entries")
    report_id = models.BigIntegerField(_("signalement lié"), null=True, blank=True)
    sensitive_acknowledged = models.JSONField(_("alertes de données sensibles acceptées"), default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("saisie le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("entrée de main courante")
        verbose_name_plural = _("main courante")
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="log_entry_number_unique")]
        indexes = [models.Index(fields=["commune", "occurred_at"], name="log_entry_commune_time")]

    def __str__(self) -> str:
        return self.number


class LogPerson(models.Model):
    """A person concerned by an entry, with only the fields the legal framework allows."""

    entry = models.ForeignKey(LogEntry, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("qualité"), max_length=20, choices=PersonRole.choices)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("personne concernée")
        verbose_name_plural = _("personnes concernées")
        ordering = ["entry", "id"]
        # Rights requests (operations/persons.py): a person found by name or phone in the main courante.
        indexes = [models.Index(Lower("last_name"), name="log_person_last_name_lower"),
                   models.Index(fields=["phone"], name="log_person_phone")]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


class DayVisa(models.Model):
    """The chef de poste's sign-off of one commune's main courante for one day: the day is locked after it."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="logbook_visas")
    day = models.DateField(_("jour"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visée par"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("visée le"), default=timezone.now)

    class Meta:
        verbose_name = _("visa de main courante")
        verbose_name_plural = _("visas de main courante")
        ordering = ["-day", "commune__name"]
        constraints = [models.UniqueConstraint(fields=["commune", "day"], name="day_visa_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.day:%Y-%m-%d}"
