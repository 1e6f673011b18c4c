"""What the devices say: measurements, their per-minute and per-hour aggregates, and the messages that could not
be stored.

Measurements and their aggregates are narrow rows keyed by device: they carry no commune of their own, the device does
(ADR 0008), and every read of them goes through a device the reader may see.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import DeadLetterReason, MeasurementSource, Quantity, Resolution
from confiance.devices.models.registry import IDENTIFIER_MAX_LENGTH, Device, Gateway
from confiance.territory.models import Commune


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
