"""Interventions: their types and checklists, the interventions themselves and their checklist steps."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.choices import ClosureReason, InterventionOrigin, InterventionStatus, Priority, Purpose
from confiance.territory.models import Commune


class InterventionType(models.Model):
    """A kind of intervention with its default priority and its checklist."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="intervention_types")
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("libellé"), max_length=200)
    priority = models.PositiveSmallIntegerField(_("priorité par défaut"), choices=Priority.choices,
                                                default=Priority.NORMAL)
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER_MISSIONS)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("type d'intervention")
        verbose_name_plural = _("types d'intervention")
        ordering = ["commune__name", "label"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="intervention_type_code_unique")]

    def __str__(self) -> str:
        return self.label


class ChecklistStep(models.Model):
    intervention_type = models.ForeignKey(InterventionType, verbose_name=_("type d'intervention"),
                                          on_delete=models.CASCADE, related_name="steps")
    label = models.CharField(_("étape"), max_length=200)
    mandatory = models.BooleanField(_("obligatoire"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("étape de la liste")
        verbose_name_plural = _("étapes de la liste")
        ordering = ["intervention_type", "position", "id"]

    def __str__(self) -> str:
        return self.label


class Intervention(models.Model):
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="interventions")
    number = models.CharField(_("numéro"), max_length=32)
    intervention_type = models.ForeignKey(InterventionType, verbose_name=_("type"), on_delete=models.PROTECT,
                                          related_name="interventions")
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices)
    origin = models.CharField(_("origine"), max_length=20, choices=InterventionOrigin.choices)
    priority = models.PositiveSmallIntegerField(_("priorité"), choices=Priority.choices)
    status = models.CharField(_("état"), max_length=10, choices=InterventionStatus.choices,
                              default=InterventionStatus.OPEN)
    closure_reason = models.CharField(_("motif de clôture"), max_length=20, choices=ClosureReason.choices,
                                      blank=True)
    closure_note = models.TextField(_("note de clôture"), blank=True)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    # The caller: shown only to those who handle the intervention, each showing access-logged (payloads.py).
    caller_name = models.CharField(_("nom du requérant"), max_length=120, blank=True)
    caller_phone = models.CharField(_("téléphone du requérant"), max_length=40, blank=True)
    report_ids = models.JSONField(_("signalements liés"), default=list, blank=True)
    alarm_ref = models.CharField(_("alarme liée"), max_length=100, blank=True)
    log_entry = models.ForeignKey("LogEntry", verbose_name=_("entrée de main courante"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("créée par"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("mise à jour le"), default=timezone.now)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["commune", "number"], name="intervention_number_unique")]
        indexes = [models.Index(fields=["commune", "status", "created_at"], name="intervention_open"),
                   # Rights requests (operations/persons.py): a caller found by name or phone.
                   models.Index(Lower("caller_name"), name="intervention_caller_lower"),
                   models.Index(fields=["caller_phone"], name="intervention_caller_phone")]

    def __str__(self) -> str:
        return self.number


class InterventionStep(models.Model):
    """A checklist step of one intervention: done or skipped (skipping a mandatory one is reported)."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(ChecklistStep, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("étape"), max_length=200)
    mandatory = models.BooleanField(_("obligatoire"), default=False)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    skipped = models.BooleanField(_("sautée"), default=False)
    skipped_at = models.DateTimeField(_("sautée le"), null=True, blank=True)
    skip_reason = models.CharField(_("raison"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["intervention", "id"]
        constraints = [models.UniqueConstraint(fields=["intervention", "step"], name="intervention_step_unique")]

    def __str__(self) -> str:
        return self.label
