"""Kernel models: the outbox of live events."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A live event, written in the transaction that caused it; its id orders the stream."""

    commune_id = models.BigIntegerField(
        _("commune"), null=True, blank=True, db_index=True,
        help_text=_("Commune à qui l'événement appartient ; vide pour un événement de toute la plateforme."),
    )
    event_type = models.CharField(_("type"), max_length=80)
    payload = models.JSONField(_("contenu"), default=dict)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("événement en direct")
        verbose_name_plural = _("événements en direct")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type}"
