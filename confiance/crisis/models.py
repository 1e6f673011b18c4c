"""Crisis work around a crisis sharing (territory.CrisisSharing): the checklists of the communes' safety plans,
the steps of each crisis with who ticked them, and the crisis log. Ticks and log entries are appended, never
edited."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.crisis.choices import STEP_TEXT_MAX, CrisisLogKind
from confiance.territory.choices import CrisisKind
from confiance.territory.models import Commune, CrisisSharing


class ChecklistTemplate(models.Model):
    """The steps of a commune's safety plan (plan communal de sauvegarde) for one kind of crisis, one per line."""

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE,
                                related_name="crisis_checklists")
    kind = models.CharField(_("type de crise"), max_length=20, choices=CrisisKind.choices)
    steps = models.TextField(_("étapes"), help_text=_("Une étape par ligne, dans l'ordre du plan communal de "
                                                      "sauvegarde."))
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("liste d'actions du PCS")
        verbose_name_plural = _("listes d'actions du PCS")
        ordering = ["commune__name", "kind"]
        constraints = [models.UniqueConstraint(fields=["commune", "kind"], name="crisis_checklist_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.commune.name} — {self.get_kind_display()}"

    def step_lines(self) -> list[str]:
        return [line.strip()[:STEP_TEXT_MAX] for line in self.steps.splitlines() if line.strip()]


class CrisisStep(models.Model):
    """One step of a crisis's checklist for one of its communes, copied from the template at declaration."""

    crisis = models.ForeignKey(CrisisSharing, verbose_name=_("crise"), on_delete=models.CASCADE,
                               related_name="steps")
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("rang"))
    text = models.CharField(_("étape"), max_length=STEP_TEXT_MAX)

    class Meta:
        verbose_name = _("étape de crise")
        verbose_name_plural = _("étapes de crise")
        ordering = ["crisis", "commune__name", "position"]
        constraints = [models.UniqueConstraint(fields=["crisis", "commune", "position"],
                                               name="crisis_step_unique_position")]

    def __str__(self) -> str:
        return self.text


class CrisisStepTick(models.Model):
    """Who ticked a step and when (once per step; never edited)."""

    step = models.OneToOneField(CrisisStep, verbose_name=_("étape"), on_delete=models.CASCADE, related_name="tick")
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cochée par"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    ticked_at = models.DateTimeField(_("cochée le"), default=timezone.now)

    class Meta:
        verbose_name = _("étape cochée")
        verbose_name_plural = _("étapes cochées")
        ordering = ["ticked_at"]

    def __str__(self) -> str:
        return f"{self.step} ({self.ticked_at:%Y-%m-%d %H:%M})"


class CrisisLogEntry(models.Model):
    """A timestamped line of the crisis log, shared by all its communes: an agent's note or an automatic entry.
    Notes are about the situation, not about persons (the form says so)."""

    crisis = models.ForeignKey(CrisisSharing, verbose_name=_("crise"), on_delete=models.CASCADE,
                               related_name="log_entries")
    commune = models.ForeignKey(Commune, verbose_name=_("commune"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("nature"), max_length=20, choices=CrisisLogKind.choices, default=CrisisLogKind.NOTE)
    text = models.TextField(_("texte"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("entrée du journal de crise")
        verbose_name_plural = _("journal de crise")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
