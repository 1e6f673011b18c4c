"""Video analytics: the legal basis, what detector labels mean, the detections, and the refused events' counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import DetectionSource, ReviewStatus, VideoDropReason, VideoEventType
from confiance.devices.models.alarms import Alarm
from confiance.devices.models.registry import Device
from confiance.territory.models import Commune

# --- Video analytics (issue 17, ADR "no identity field") ----------------------------------------------------------
#
# Nothing below can hold a face, a plate, a sub-label, a recognised identity or a raw payload: detections carry the
# camera, one of the 8 legal event types, a time, a score and the zone the commune configured; the detector's own
# event id is kept only as a digest (the identity key of a redelivery).


class VideoAnalyticsBasis(models.Model):
    """The legal basis that lets algorithmic video analysis run on some cameras for a period; none, no detection."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="video_analytics_bases")
    legal_text = models.TextField(
        _("texte"), max_length=2000,
        help_text=_("Le texte qui autorise le traitement (loi, décret, arrêté préfectoral et sa référence)."))
    starts_at = models.DateTimeField(_("début de la période"))
    ends_at = models.DateTimeField(_("fin de la période"),
                                   help_text=_("À cette date, plus aucune détection n'est acceptée."))
    cameras = models.ManyToManyField(Device, verbose_name=_("caméras"), related_name="video_analytics_bases")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("cadre légal de vidéo-analyse")
        verbose_name_plural = _("cadres légaux de vidéo-analyse")
        ordering = ["commune__name", "-starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="video_basis_period_positive")]

    def __str__(self) -> str:
        return f"{self.commune} {self.starts_at:%d/%m/%Y} au {self.ends_at:%d/%m/%Y}"


class DetectorMapping(models.Model):
    """What a detector label seen in a zone of one camera means among the 8 legal event types."""

    camera = models.ForeignKey(Device, verbose_name=_("caméra"), on_delete=models.CASCADE,
                               related_name="detector_mappings")
    label = models.SlugField(_("étiquette du détecteur"), max_length=64,
                             help_text=_("Par exemple « fire », « knife », « backpack » (Frigate)."))
    zone = models.SlugField(_("zone du détecteur"), max_length=64, blank=True,
                            help_text=_("Vide : n'importe quelle zone de la caméra."))
    event_type = models.CharField(_("type d'événement"), max_length=20, choices=VideoEventType.choices)
    min_score = models.FloatField(_("score minimal"), default=0.0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("correspondance de détecteur")
        verbose_name_plural = _("correspondances de détecteur")
        ordering = ["camera", "label", "zone"]
        constraints = [models.UniqueConstraint(fields=["camera", "label", "zone"], name="detector_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.camera} {self.label}/{self.zone or '*'} → {self.get_event_type_display()}"


class Detection(models.Model):
    """An attention flag for an operator: one legal event type seen by a camera; never a decision about a person."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+")
    camera = models.ForeignKey(Device, verbose_name=_("caméra"), on_delete=models.CASCADE, related_name="detections")
    event_type = models.CharField(_("type d'événement"), max_length=20, choices=VideoEventType.choices)
    observed_at = models.DateTimeField(_("observé le"))
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    score = models.FloatField(_("score"), null=True, blank=True)
    zone = models.SlugField(_("zone"), max_length=64, blank=True)
    mapping = models.ForeignKey(DetectorMapping, verbose_name=_("correspondance"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=DetectionSource.choices)
    event_key = models.CharField(_("clé d'identité"), max_length=32,
                                 help_text=_("Empreinte de l'identifiant de l'événement chez le détecteur."))
    status = models.CharField(_("examen"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("examinée par"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("examinée le"), null=True, blank=True)
    intervention = models.ForeignKey("operations.Intervention", verbose_name=_("intervention"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    alarm = models.ForeignKey(Alarm, verbose_name=_("alarme"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        verbose_name = _("détection de vidéo-analyse")
        verbose_name_plural = _("détections de vidéo-analyse")
        ordering = ["-observed_at"]
        constraints = [models.UniqueConstraint(fields=["camera", "event_key"], name="detection_identity")]
        indexes = [models.Index(fields=["commune", "status", "observed_at"], name="detection_queue")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.event_type} {self.observed_at:%Y-%m-%d %H:%M:%S}"


class VideoDropCount(models.Model):
    """How many video-analytics events were refused, per day, commune, camera and reason (the events are not kept)."""

    day = models.DateField(_("jour"))
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    camera = models.ForeignKey(Device, verbose_name=_("caméra"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    reason = models.CharField(_("motif"), max_length=16, choices=VideoDropReason.choices)
    count = models.PositiveIntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("événements de vidéo-analyse refusés")
        verbose_name_plural = _("événements de vidéo-analyse refusés")
        ordering = ["-day"]
        indexes = [models.Index(fields=["day", "camera", "reason"], name="video_drop_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.reason} {self.count}"
