"""The devices registry: gateways and sensors, what each measures, and the revision its per-process cache reads."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import DeviceKind, DeviceState, Quantity
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
