"""Shifts (vacations): who rode in which unit on which day, and the hours, as the chef de poste set them.

Kept apart from models.py so the crews feature stands on its own; operations' AppConfig imports it at start-up.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.operations.models import Unit


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
        app_label = "operations"
        verbose_name = _("vacation")
        verbose_name_plural = _("vacations")
        ordering = ["day", "unit__name", "agent__last_name"]
        constraints = [models.UniqueConstraint(fields=["agent", "day"], name="shift_one_unit_per_agent_and_day")]

    def __str__(self) -> str:
        return f"{self.agent} — {self.unit} — {self.day:%d/%m/%Y}"
