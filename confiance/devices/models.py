"""Hypervision: gateways and sensors, their measurements and aggregates, dead letters, rules, alarms, security events.

Measurements and their aggregates are narrow rows keyed by device: they carry no commune of their own, the device does
(ADR 0008), and every read of them goes through a device the reader may see.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import (
    AlarmState,
    AlarmStepKind,
    CameraType,
    Combination,
    Comparison,
    DeadLetterReason,
    DetectionSource,
    DeviceKind,
    DeviceState,
    ExtractionStatus,
    MeasurementSource,
    OnvifProfile,
    Quantity,
    Resolution,
    ReviewStatus,
    RuleKind,
    SecurityEventKind,
    Severity,
    VideoDropReason,
    VideoEventType,
)
from confiance.territory.models import Commune, Sector, Zone

IDENTIFIER_MAX_LENGTH = 64


class Gateway(models.Model):
    """A LoRaWAN or cellular gateway that forwards its sensors' batches over HTTP or MQTT."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="gateways")
    identifier = models.SlugField(_("identifiant"), max_length=IDENTIFIER_MAX_LENGTH, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    model = models.CharField(_("modèle"), max_length=120, blank=True)
    firmware_version = models.CharField(_("version du micrologiciel"), max_length=40, blank=True)
    expected_firmware_version = models.CharField(_("version attendue"), max_length=40, blank=True)
    owner = models.CharField(_("propriétaire"), max_length=200, blank=True)
    mqtt_client_id = models.CharField(_("identifiant client MQTT"), max_length=120, blank=True)
    token_prefix = models.CharField(_("préfixe du jeton"), max_length=12, unique=True, null=True, blank=True)
    token_hash = models.CharField(_("empreinte SHA-256 du jeton"), max_length=64, blank=True)
    default_credentials = models.BooleanField(
        _("identifiants par défaut"), default=False,
        help_text=_("Coché quand l'équipement garde le mot de passe du fabricant : un risque à traiter."))
    active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("vue le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("passerelle")
        verbose_name_plural = _("passerelles")
        ordering = ["commune__name", "name"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    """A sensor of the territory, with what it measures and how often it should speak."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="devices")
    identifier = models.SlugField(
        _("identifiant"), max_length=IDENTIFIER_MAX_LENGTH, unique=True,
        help_text=_("L'identifiant que le capteur envoie (sujet MQTT, champ « device » des lots)."))
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=DeviceKind.choices, default=DeviceKind.OTHER)
    model = models.CharField(_("modèle"), max_length=120, blank=True)
    manufacturer = models.CharField(_("fabricant"), max_length=120, blank=True)
    gateway = models.ForeignKey(Gateway, verbose_name=_("passerelle"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="devices")
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    sector = models.ForeignKey(Sector, verbose_name=_("secteur"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="devices")
    reporting_interval_s = models.PositiveIntegerField(_("intervalle d'émission attendu (s)"), default=300)
    firmware_version = models.CharField(_("version du micrologiciel"), max_length=40, blank=True)
    expected_firmware_version = models.CharField(_("version attendue"), max_length=40, blank=True)
    owner = models.CharField(_("propriétaire"), max_length=200, blank=True)
    mqtt_client_id = models.CharField(_("identifiant client MQTT"), max_length=120, blank=True)
    token_prefix = models.CharField(_("préfixe du jeton"), max_length=12, unique=True, null=True, blank=True)
    token_hash = models.CharField(_("empreinte SHA-256 du jeton"), max_length=64, blank=True)
    default_credentials = models.BooleanField(_("identifiants par défaut"), default=False)
    active = models.BooleanField(_("actif"), default=True)
    # Health, written by ingestion (last seen, battery, signal, clock) and by the rules (state).
    state = models.CharField(_("état"), max_length=10, choices=DeviceState.choices, default=DeviceState.UNKNOWN)
    last_seen_at = models.DateTimeField(_("vu le"), null=True, blank=True)
    battery_pct = models.FloatField(_("batterie (%)"), null=True, blank=True)
    signal_dbm = models.FloatField(_("signal (dBm)"), null=True, blank=True)
    clock_offset_s = models.FloatField(_("décalage d'horloge (s)"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("capteur")
        verbose_name_plural = _("capteurs")
        ordering = ["commune__name", "name"]
        indexes = [models.Index(fields=["commune", "kind"], name="device_commune_kind")]

    def __str__(self) -> str:
        return self.name


class DeviceQuantity(models.Model):
    """One quantity a device measures; the unit is the platform's for that quantity."""

    device = models.ForeignKey(Device, verbose_name=_("capteur"), on_delete=models.CASCADE, related_name="quantities")
    quantity = models.CharField(_("grandeur"), max_length=16, choices=Quantity.choices)
    unit = models.CharField(_("unité"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("grandeur mesurée")
        verbose_name_plural = _("grandeurs mesurées")
        constraints = [models.UniqueConstraint(fields=["device", "quantity"], name="device_quantity_unique")]

    def __str__(self) -> str:
        return f"{self.device} — {self.get_quantity_display()}"


class Measurement(models.Model):
    """One value: identified by device, quantity and observation time, so a redelivery is stored once."""

    # No database constraint: the batch locks its devices once instead of a check per row (ADR 0020).
    device = models.ForeignKey(Device, verbose_name=_("capteur"), on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)
    quantity = models.CharField(_("grandeur"), max_length=16, choices=Quantity.choices)
    observed_at = models.DateTimeField(_("observé le"))
    value = models.FloatField(_("valeur"))
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=MeasurementSource.choices)

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        constraints = [models.UniqueConstraint(fields=["device", "quantity", "observed_at"],
                                               name="measurement_identity")]
        indexes = [models.Index(fields=["observed_at"], name="measurement_observed")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.quantity} {self.observed_at:%Y-%m-%d %H:%M:%S} = {self.value}"


class MeasurementAggregate(models.Model):
    """Count, sum, min, max and last value of one device's quantity over a minute or an hour, kept as values arrive."""

    # No database constraint: the batch locks its devices once instead of a check per row (ADR 0020).
    device = models.ForeignKey(Device, verbose_name=_("capteur"), on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)
    quantity = models.CharField(_("grandeur"), max_length=16, choices=Quantity.choices)
    resolution = models.CharField(_("résolution"), max_length=6, choices=Resolution.choices)
    bucket = models.DateTimeField(_("début de la période"))
    count = models.PositiveIntegerField(_("nombre"))
    total = models.FloatField(_("somme"))
    minimum = models.FloatField(_("minimum"))
    maximum = models.FloatField(_("maximum"))
    last_value = models.FloatField(_("dernière valeur"))
    last_at = models.DateTimeField(_("dernière observation"))

    class Meta:
        verbose_name = _("agrégat de mesures")
        verbose_name_plural = _("agrégats de mesures")
        constraints = [models.UniqueConstraint(fields=["device", "quantity", "resolution", "bucket"],
                                               name="aggregate_identity")]
        indexes = [models.Index(fields=["resolution", "bucket"], name="aggregate_bucket")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.quantity} {self.resolution} {self.bucket:%Y-%m-%d %H:%M}"


class DeadLetter(models.Model):
    """A message that could not be stored, with why; kept for the RSSI and the integrator, never retried blindly."""

    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=MeasurementSource.choices)
    reason = models.CharField(_("motif"), max_length=20, choices=DeadLetterReason.choices)
    detail = models.CharField(_("détail"), max_length=300, blank=True)
    device_identifier = models.CharField(_("identifiant annoncé"), max_length=IDENTIFIER_MAX_LENGTH, blank=True)
    device = models.ForeignKey(Device, verbose_name=_("capteur"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    gateway = models.ForeignKey(Gateway, verbose_name=_("passerelle"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(_("sujet"), max_length=200, blank=True)
    payload = models.TextField(_("contenu (tronqué)"), blank=True)

    class Meta:
        verbose_name = _("message rejeté")
        verbose_name_plural = _("messages rejetés")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["received_at"], name="dead_letter_received"),
            models.Index(fields=["device_identifier", "reason"], name="dead_letter_device_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} — {self.device_identifier or '?'}"


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


class SecurityEvent(models.Model):
    """Something about the devices themselves the RSSI should know: silence en masse, unknown ids, failed logins..."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=SecurityEventKind.choices)
    device = models.ForeignKey(Device, verbose_name=_("capteur"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    gateway = models.ForeignKey(Gateway, verbose_name=_("passerelle"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("objet"), max_length=120, blank=True)
    detail = models.CharField(_("détail"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("le"), default=timezone.now)
    count = models.PositiveIntegerField(_("occurrences"), default=1)

    class Meta:
        verbose_name = _("événement de sécurité")
        verbose_name_plural = _("événements de sécurité")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["commune", "occurred_at"], name="security_event_commune")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject}"


class RegistryRevision(models.Model):
    """One row per change of devices, gateways, their quantities or rules; the ingestion's per-process registry
    compares the newest id (`core.revisions.RevisionedCache`)."""

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    reason = models.CharField(_("motif"), max_length=200)

    class Meta:
        verbose_name = _("révision du registre des capteurs")
        verbose_name_plural = _("révisions du registre des capteurs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason}"


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
