"""Units: status codes, crews and their shifts, engagements on interventions, pooling between communes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.choices import Milestone
from confiance.operations.models.interventions import Intervention
from confiance.territory.models import Commune


class UnitStatus(models.Model):
    """A commune's own status code (e.g. "5 - sur place"), each meaning one fixed milestone."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="unit_statuses")
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("libellé"), max_length=100)
    milestone = models.CharField(_("jalon"), max_length=20, choices=Milestone.choices)
    color = models.CharField(_("couleur"), max_length=7, default="#1f5fa8")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("statut d'unité")
        verbose_name_plural = _("statuts d'unité")
        ordering = ["commune__name", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="unit_status_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"


class Unit(models.Model):
    """A crew (patrouille) of one commune, with its status and last known position."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("indicatif"), max_length=60)
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("équipage"), blank=True,
                                    related_name="units")
    status = models.ForeignKey(UnitStatus, verbose_name=_("statut"), on_delete=models.PROTECT, related_name="+")
    milestone = models.CharField(_("jalon"), max_length=20, choices=Milestone.choices, db_index=True)
    status_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    position_at = models.DateTimeField(_("position du"), null=True, blank=True)
    tracker_id = models.CharField(_("identifiant du traceur"), max_length=100, blank=True,
                                  help_text=_("Identifiant envoyé par OwnTracks ou OsmAnd/Traccar."))
    tracker_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unité")
        verbose_name_plural = _("unités")
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="unit_name_unique"),
            models.UniqueConstraint(fields=["tracker_id"], condition=~Q(tracker_id=""), name="unit_tracker_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A unit engaged on an intervention; its milestones are written once and in order."""

    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    engaged_at = models.DateTimeField(_("engagée le"))
    en_route_at = models.DateTimeField(_("en route le"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("sur place le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    engaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    override_reason = models.CharField(_("motif de réaffectation"), max_length=300, blank=True)
    ended_by_override = models.BooleanField(default=False)
    recommended_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-engaged_at", "-id"]
        constraints = [
            # One current engagement per unit: the database settles two operators engaging it at once.
            models.UniqueConstraint(fields=["unit"], condition=Q(finished_at__isnull=True),
                                    name="assignment_one_current_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} -> {self.intervention_id}"


class PoolingAgreement(models.Model):
    """A convention de mise en commun of police municipale units between communes (code de la sécurité
    intérieure, L512-1): while it is in force, each commune's dispatchers may engage the others' units."""

    reference = models.CharField(_("référence"), max_length=60,
                                 help_text=_("Numéro ou référence de la convention (délibérations, arrêté)."))
    title = models.CharField(_("intitulé"), max_length=200)
    communes = models.ManyToManyField(Commune, verbose_name=_("communes"), related_name="pooling_agreements")
    starts_on = models.DateField(_("en vigueur du"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True, help_text=_("Vide : sans date de fin."))
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("convention de mise en commun")
        verbose_name_plural = _("conventions de mise en commun")
        ordering = ["-starts_on", "reference"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                              name="pooling_agreement_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.reference} - {self.title}"


class Shift(models.Model):
    """One agent in one unit's crew for one day, with the hours of the shift."""

    unit = models.ForeignKey(Unit, verbose_name=_("unité"), on_delete=models.CASCADE, related_name="shifts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="shifts")
    day = models.DateField(_("jour"), db_index=True)
    starts_at = models.TimeField(_("début de vacation"))
    ends_at = models.TimeField(_("fin de vacation"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("composé par"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(_("composé le"), default=timezone.now)

    class Meta:
        verbose_name = _("vacation")
        verbose_name_plural = _("vacations")
        ordering = ["day", "unit__name", "agent__last_name"]
        constraints = [models.UniqueConstraint(fields=["agent", "day"], name="shift_one_unit_per_agent_and_day")]

    def __str__(self) -> str:
        return f"{self.agent} — {self.unit} — {self.day:%d/%m/%Y}"
