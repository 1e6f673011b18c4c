"""The audit journal: an append-only, hash-chained record of writes and of reads of personal data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.privacy.choices import JournalKind


class AuditEntry(models.Model):
    """One journal entry, chained to the previous one by the hash of its content."""

    sequence = models.BigIntegerField(_("numéro"), unique=True)
    kind = models.CharField(_("nature"), max_length=10, choices=JournalKind.choices, default=JournalKind.WRITE)
    created_at = models.DateTimeField(_("horodatage"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("type d'objet"), max_length=80, blank=True)
    target_id = models.CharField(_("identifiant d'objet"), max_length=64, blank=True)
    commune_id = models.BigIntegerField(_("commune"), null=True, blank=True, db_index=True)
    motive = models.CharField(_("motif"), max_length=500, blank=True)
    extra = models.JSONField(_("détails"), default=dict, blank=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    entry_hash = models.CharField(_("empreinte"), max_length=64)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_type}:{self.target_id}"


class AuditCheckpoint(models.Model):
    """The last entry removed by retention: the first kept entry must chain to it."""

    sequence = models.BigIntegerField(_("numéro"))
    entry_hash = models.CharField(_("empreinte"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("point de reprise du journal")
        verbose_name_plural = _("points de reprise du journal")
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence}"
