"""Rules and alarms: when an alarm is raised, where each rule stands, the alarms and the steps of their life."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import AlarmState, AlarmStepKind, Combination, Comparison, Quantity, RuleKind, Severity
from confiance.devices.models.registry import Device
from confiance.territory.models import Commune, Zone


class Rule(models.Model):
    """When an alarm is raised: a threshold, a rate of change, a silence, or a combination of a zone's sensors."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=RuleKind.choices, default=RuleKind.THRESHOLD)
    quantity = models.CharField(_("grandeur"), max_length=16, choices=Quantity.choices, blank=True)
    device = models.ForeignKey(
        Device, verbose_name=_("capteur"), null=True, blank=True, on_delete=models.CASCADE, related_name="rules",
        help_text=_("Vide : la règle vaut pour tous les capteurs de la commune qui mesurent la grandeur."))
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", help_text=_("Pour une combinaison : les capteurs de cette zone."))
    comparison = models.CharField(_("sens"), max_length=6, choices=Comparison.choices, default=Comparison.ABOVE)
    threshold = models.FloatField(_("seuil"), null=True, blank=True,
                                  help_text=_("Seuil, ou variation par minute pour une règle de vitesse."))
    clear_threshold = models.FloatField(
        _("seuil de retour"), null=True, blank=True,
        help_text=_("Hystérésis : l'alarme ne disparaît qu'une fois ce seuil franchi dans l'autre sens."))
    min_duration_s = models.PositiveIntegerField(
        _("durée minimale (s)"), default=0, help_text=_("La condition doit durer au moins ce temps."))
    silence_intervals = models.PositiveSmallIntegerField(
        _("intervalles manqués"), default=3, help_text=_("Pour une règle de silence : nombre d'émissions manquées."))
    combination = models.CharField(_("combinaison"), max_length=3, choices=Combination.choices,
                                   default=Combination.ANY)
    severity = models.PositiveSmallIntegerField(_("gravité"), choices=Severity.choices, default=Severity.WARNING)
    escalate_after_min = models.PositiveIntegerField(
        _("escalade après (min)"), null=True, blank=True,
        help_text=_("Prévenir les chefs de poste si personne n'a pris l'alarme en compte après ce délai."))
    opens_intervention = models.BooleanField(_("ouvre une intervention automatiquement"), default=False)
    intervention_type_code = models.SlugField(_("type d'intervention ouvert"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("règle d'alarme")
        verbose_name_plural = _("règles d'alarme")
        ordering = ["commune__name", "name"]

    def __str__(self) -> str:
        return self.name


class RuleState(models.Model):
    """Where a rule stands for one subject (a device, or a zone for a combination): since when its condition holds."""

    rule = models.ForeignKey(Rule, verbose_name=_("règle"), on_delete=models.CASCADE, related_name="states")
    subject = models.CharField(_("objet"), max_length=80)
    condition_since = models.DateTimeField(_("condition remplie depuis"), null=True, blank=True)
    last_value = models.FloatField(_("dernière valeur"), null=True, blank=True)
    last_at = models.DateTimeField(_("dernière observation"), null=True, blank=True)

    class Meta:
        verbose_name = _("état de règle")
        verbose_name_plural = _("états de règle")
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], name="rule_state_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject}"


class Alarm(models.Model):
    """A raised condition an operator handles; at most one open alarm per rule and subject."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="alarms")
    rule = models.ForeignKey(Rule, verbose_name=_("règle"), on_delete=models.PROTECT, related_name="alarms")
    device = models.ForeignKey(Device, verbose_name=_("capteur"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="alarms")
    subject = models.CharField(_("objet"), max_length=80)
    severity = models.PositiveSmallIntegerField(_("gravité"), choices=Severity.choices)
    state = models.CharField(_("état"), max_length=12, choices=AlarmState.choices, default=AlarmState.RAISED)
    message = models.CharField(_("message"), max_length=300)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    raised_at = models.DateTimeField(_("levée le"), default=timezone.now)
    cleared_at = models.DateTimeField(_("condition disparue le"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("prise en compte le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prise en compte par"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(_("escaladée le"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("résolue le"), null=True, blank=True)
    intervention = models.ForeignKey("operations.Intervention", verbose_name=_("intervention"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("alarme")
        verbose_name_plural = _("alarmes")
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], condition=Q(resolved_at__isnull=True),
                                               name="alarm_one_open_per_rule_subject")]
        indexes = [models.Index(fields=["commune", "state"], name="alarm_commune_state")]

    def __str__(self) -> str:
        return self.message


class AlarmStep(models.Model):
    """One step of an alarm's life (raised, acknowledged, escalated, resolved...), appended with who and when."""

    alarm = models.ForeignKey(Alarm, verbose_name=_("alarme"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("étape"), max_length=12, choices=AlarmStepKind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("par"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("étape d'alarme")
        verbose_name_plural = _("étapes d'alarme")
        ordering = ["alarm", "at", "id"]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.kind}"
