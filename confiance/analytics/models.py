import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.analytics.choices import AnalysisKind, RunStatus
from confiance.territory.models import Commune


class AnalysisRun(models.Model):
    """One analysis asked by an agent: its parameters, its progress, then its result (aggregates only)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("analyse"), max_length=20, choices=AnalysisKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("demandée par"), on_delete=models.PROTECT,
                                   related_name="+")
    commune_ids = models.JSONField(_("communes"), default=list)
    params = models.JSONField(_("paramètres"), default=dict)
    status = models.CharField(_("état"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.FloatField(_("avancement"), default=0.0)
    stage = models.CharField(_("étape"), max_length=200, blank=True)
    result = models.JSONField(_("résultat"), null=True, blank=True)
    error = models.JSONField(_("erreur"), null=True, blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("analyse")
        verbose_name_plural = _("analyses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y %H:%M})"


class Dataset(models.Model):
    """Events imported by an analyst from a CSV (x, y or lat/lon, date and time, category)."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("nom"), max_length=200)
    source_crs = models.CharField(_("système des coordonnées du fichier"), max_length=40)
    metric_crs = models.CharField(_("système métrique d'analyse"), max_length=40)
    events = models.PositiveIntegerField(_("événements"), default=0)
    time_zone = models.CharField(_("fuseau horaire du fichier"), max_length=60, default="Europe/Paris")
    date_only = models.BooleanField(_("dates sans heure"), default=False)
    rejected_lines = models.JSONField(_("lignes ignorées"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("importé par"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("jeu de données importé")
        verbose_name_plural = _("jeux de données importés")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class DatasetEvent(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="points")
    occurred_at = models.DateTimeField()
    lat = models.FloatField()
    lon = models.FloatField()
    x = models.FloatField()
    y = models.FloatField()
    category = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["dataset", "occurred_at"], name="dataset_event_time")]

    def __str__(self) -> str:
        return f"{self.dataset_id}: {self.occurred_at:%Y-%m-%d %H:%M} {self.category}"
