"""The devices' own health as the RSSI sees it: security events (the security sweep writes them)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.devices.choices import SecurityEventKind
from confiance.devices.models.registry import Device, Gateway
from confiance.territory.models import Commune


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
