"""Video-protection: the public notice, the legal record of each camera, individual authorisations, the register
of extractions and the revision the public pages' cache reads."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import CameraType, ExtractionStatus, OnvifProfile
from confiance.devices.models.registry import Device
from confiance.territory.models import Commune

# --- Video-protection: the legal registry of cameras and the register of extractions ---------------------------------

RETENTION_MAX_DAYS = 30  # CSI L.252-5: recordings are kept one month at most
AUTHORISATION_YEARS = 5  # CSI L.252-4: the prefectoral authorisation is valid five years, renewable


class VideoProtectionNotice(models.Model):
    """What a commune publishes about its cameras: the controller, the DPO's contact and the information notice."""

    commune = models.OneToOneField(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                   related_name="video_notice")
    controller = models.CharField(_("responsable du traitement"), max_length=200,
                                  help_text=_("Par exemple : « Le maire de Mennecy »."))
    controller_address = models.CharField(_("adresse du responsable"), max_length=300, blank=True)
    dpo_contact = models.CharField(_("contact du délégué à la protection des données"), max_length=300)
    rights_contact = models.CharField(
        _("où exercer le droit d'accès aux images"), max_length=300, blank=True,
        help_text=_("Service et adresse auxquels demander l'accès aux enregistrements vous concernant."))
    panel_text = models.TextField(_("texte court des panneaux"), max_length=600)
    detailed_notice = models.TextField(_("notice d'information détaillée"), max_length=20_000)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("information du public (vidéoprotection)")
        verbose_name_plural = _("informations du public (vidéoprotection)")

    def __str__(self) -> str:
        return f"{self.commune} — {self.controller}"


class Camera(models.Model):
    """The legal record of a video-protection camera: field of view, purposes (CSI L.251-2), prefectoral
    authorisation, retention, privacy masks and where the VMS shows it. Location and commune are its device's."""

    device = models.OneToOneField(Device, verbose_name=_("équipement"), on_delete=models.CASCADE,
                                  related_name="camera")
    camera_type = models.CharField(_("type de caméra"), max_length=10, choices=CameraType.choices,
                                   default=CameraType.FIXED)
    direction_deg = models.PositiveSmallIntegerField(
        _("orientation (degrés)"), null=True, blank=True, validators=[MaxValueValidator(359)],
        help_text=_("Direction de l'axe de la caméra, 0 = nord, 90 = est."))
    angle_deg = models.PositiveSmallIntegerField(_("angle de champ (degrés)"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(360)])
    range_m = models.PositiveSmallIntegerField(_("portée (m)"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(2000)])
    purposes = models.JSONField(_("finalités (CSI L.251-2)"), default=list,
                                help_text=_("Une finalité au moins, prise dans la liste de l'article L.251-2."))
    authorisation_reference = models.CharField(_("référence de l'autorisation préfectorale"), max_length=100)
    authorisation_date = models.DateField(_("date de l'autorisation"))
    authorisation_retention_days = models.PositiveSmallIntegerField(
        _("conservation autorisée (jours)"), validators=[MinValueValidator(1), MaxValueValidator(RETENTION_MAX_DAYS)],
        help_text=_("La durée maximale fixée par l'arrêté préfectoral (30 jours au plus)."))
    retention_days = models.PositiveSmallIntegerField(
        _("conservation des enregistrements (jours)"),
        validators=[MinValueValidator(1), MaxValueValidator(RETENTION_MAX_DAYS)],
        help_text=_("Au plus la durée autorisée par l'arrêté préfectoral."))
    privacy_masks = models.JSONField(
        _("masques de confidentialité"), default=list, blank=True,
        help_text=_("Polygones GeoJSON des zones masquées (habitations). Jamais publiés."))
    vms_reference = models.CharField(_("référence dans le logiciel de gestion vidéo"), max_length=120, blank=True)
    vms_url = models.CharField(_("lien du flux ou de la visionneuse"), max_length=500, blank=True,
                               help_text=_("Adresse https ou rtsp ; montrée aux seuls agents habilités."))
    onvif_profile = models.CharField(_("profil ONVIF"), max_length=1, choices=OnvifProfile.choices, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("caméra de vidéoprotection")
        verbose_name_plural = _("caméras de vidéoprotection")
        ordering = ["device__commune__name", "device__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_days__gte=1, retention_days__lte=RETENTION_MAX_DAYS)
                & Q(retention_days__lte=models.F("authorisation_retention_days")),
                name="camera_retention_within_authorisation"),
            models.CheckConstraint(condition=Q(authorisation_retention_days__lte=RETENTION_MAX_DAYS),
                                   name="camera_authorised_retention_max"),
        ]

    def __str__(self) -> str:
        return self.device.name

    @property
    def commune_id(self) -> int:
        """The commune is the device's (the journal and the access log file the camera under it)."""
        return self.device.commune_id


class CameraAuthorisation(models.Model):
    """An agent individually authorised to view or export one camera's images, for a period; revocable."""

    camera = models.ForeignKey(Camera, verbose_name=_("caméra"), on_delete=models.CASCADE,
                               related_name="authorisations")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE,
                              related_name="camera_authorisations")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accordée par"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    valid_from = models.DateTimeField(_("à partir du"), default=timezone.now)
    valid_until = models.DateTimeField(_("jusqu'au"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("retirée par"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("habilitation individuelle sur une caméra")
        verbose_name_plural = _("habilitations individuelles sur les caméras")
        ordering = ["camera", "-valid_from"]
        indexes = [models.Index(fields=["agent", "camera"], name="camera_authorisation_agent")]

    def __str__(self) -> str:
        return f"{self.agent} — {self.camera}"


class Extraction(models.Model):
    """One entry of the register of extractions: a judicial requisition, the spans asked for, what was handed over.
    Confiance stores no video: while `hold_released_at` is empty the spans are under legal hold, and the VMS must
    not purge them."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT,
                                related_name="camera_extractions")
    officer_name = models.CharField(_("officier requérant"), max_length=200)
    officer_service = models.CharField(_("service de l'officier"), max_length=200)
    requisition_reference = models.CharField(_("référence de la réquisition"), max_length=120)
    requested_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    cameras = models.ManyToManyField(Camera, verbose_name=_("caméras"), related_name="extractions")
    span_start = models.DateTimeField(_("début de la période demandée"))
    span_end = models.DateTimeField(_("fin de la période demandée"))
    status = models.CharField(_("état"), max_length=10, choices=ExtractionStatus.choices,
                              default=ExtractionStatus.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    delivered_at = models.DateTimeField(_("images remises le"), null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("remises par"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    hold_released_at = models.DateTimeField(_("gel levé le"), null=True, blank=True)
    hold_released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("gel levé par"), null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("extraction sur réquisition")
        verbose_name_plural = _("registre des extractions")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(span_end__gt=models.F("span_start")),
                                              name="extraction_span_ordered")]
        indexes = [models.Index(fields=["commune", "hold_released_at"], name="extraction_commune_hold")]

    def __str__(self) -> str:
        return self.requisition_reference


class ExtractionMedium(models.Model):
    """One file handed over to the requesting officer, with its SHA-256 fingerprint."""

    extraction = models.ForeignKey(Extraction, verbose_name=_("extraction"), on_delete=models.CASCADE,
                                   related_name="media")
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("support remis")
        verbose_name_plural = _("supports remis")
        ordering = ["extraction", "pk"]

    def __str__(self) -> str:
        return self.file_name


class CameraRevision(models.Model):
    """One row per change of the cameras or the public notices; the public pages' per-process cache compares the
    newest id (`core.revisions.RevisionedCache`)."""

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    reason = models.CharField(_("motif"), max_length=200)

    class Meta:
        verbose_name = _("révision du registre des caméras")
        verbose_name_plural = _("révisions du registre des caméras")

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason}"
