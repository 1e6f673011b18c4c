"""The audit journal: an append-only, hash-chained record of writes and of reads of personal data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from confiance.privacy.choices import CheckpointKind, JournalKind

HISTORICAL_CHAIN = -1  # the single chain of the entries written before chains per commune
PLATFORM_CHAIN = 0  # entries of no commune


class AuditEntry(models.Model):
    """One journal entry, chained to the previous entry of its chain (its commune's) by the hash of its content."""

    chain = models.BigIntegerField(_("chaîne"), help_text=_(
        "La commune de l'entrée ; 0 : plateforme ; -1 : chaîne unique des entrées d'avant les chaînes par commune."))
    sequence = models.BigIntegerField(_("numéro dans la chaîne"))
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
    key_id = models.CharField(_("clé"), max_length=16, blank=True, default="", help_text=_(
        "La clé dont l'empreinte (HMAC-SHA256) est signée ; vide : entrée d'avant les clés, scellée (SHA-256)."))

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence_unique")]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.sequence} {self.action} {self.target_type}:{self.target_id}"


class AuditCheckpoint(models.Model):
    """A point of a chain signed with the journal's key (ADR 0009).

    Retention: the last entry of a chain it removed; the first kept entry of that chain must chain to it.
    Seal: the head of a chain at the upgrade to keyed MACs; the unkeyed entries before it must lead to it.
    """

    chain = models.BigIntegerField(_("chaîne"))
    sequence = models.BigIntegerField(_("numéro dans la chaîne"))
    entry_hash = models.CharField(_("empreinte"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    kind = models.CharField(_("nature"), max_length=10, choices=CheckpointKind.choices,
                            default=CheckpointKind.RETENTION)
    key_id = models.CharField(_("clé"), max_length=16, blank=True, default="")
    mac = models.CharField(_("signature"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("point de reprise du journal")
        verbose_name_plural = _("points de reprise du journal")
        ordering = ["chain", "-sequence"]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.sequence}"
