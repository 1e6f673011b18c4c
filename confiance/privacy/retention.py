"""Retention rules of the kernel and of the privacy app."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from confiance.privacy.choices import RetentionAction
from confiance.privacy.models import AuditCheckpoint
from confiance.privacy.retention_engine import RetentionRule, register

# CSI and CNIL framework: the log of operations on police files is kept 3 years.
AUDIT_RETENTION = timedelta(days=3 * 365)


def _checkpoint_last(batch: models.QuerySet) -> None:
    last = batch.order_by("-sequence").values_list("sequence", "entry_hash").first()
    if last:
        AuditCheckpoint.objects.create(sequence=last[0], entry_hash=last[1])


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
