"""Retention rules of the kernel and of the privacy app."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from confiance.privacy.choices import CheckpointKind, RetentionAction
from confiance.privacy.journal import checkpoint_record
from confiance.privacy.retention_engine import RetentionRule, register

# CSI and CNIL framework: the log of operations on police files is kept 3 years.
AUDIT_RETENTION = timedelta(days=3 * 365)


def _checkpoint_last(batch: models.QuerySet) -> None:
    """Before old entries go, keep the last of each chain they belong to, signed: the chain's first kept entry links to
    it (ADR 0009)."""
    newest = batch.values("chain").annotate(last=models.Max("sequence"))
    for row in newest:
        entry_hash = batch.filter(chain=row["chain"], sequence=row["last"]).values_list("entry_hash", flat=True)[0]
        checkpoint_record(chain=row["chain"], sequence=row["last"], entry_hash=entry_hash,
                          kind=CheckpointKind.RETENTION)


register(RetentionRule(
    name="core.outbox",
    model="core.OutboxEvent",
    date_field="created_at",
    max_age=lambda: timedelta(days=settings.CONFIANCE_OUTBOX_RETENTION_DAYS),
    action=RetentionAction.DELETE,
    description="Événements en direct déjà diffusés (les clients plus anciens rechargent la page).",
))

register(RetentionRule(
    name="privacy.audit_journal",
    model="privacy.AuditEntry",
    date_field="created_at",
    max_age=lambda: AUDIT_RETENTION,
    action=RetentionAction.EXPORT_THEN_DELETE,
    description="Journal des opérations et des consultations : 3 ans, puis archivé et supprimé.",
    before_delete=_checkpoint_last,
))
