from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from confiance.core.models import OutboxEvent
from confiance.privacy.models import AuditEntry
from confiance.privacy.retention_engine import registered_rules
from confiance.privacy.services import retention_run

pytestmark = pytest.mark.django_db


def test_every_rule_is_declared_with_a_description():
    names = {rule.name for rule in registered_rules()}
    assert {"core.outbox", "privacy.audit_journal"} <= names
    assert all(rule.description for rule in registered_rules())


def test_outbox_rows_past_retention_are_deleted_in_batches_and_audited(settings):
    settings.CONFIANCE_OUTBOX_RETENTION_DAYS = 7
    old_time = timezone.now() - timedelta(days=8)
    OutboxEvent.objects.bulk_create([OutboxEvent(event_type="t", created_at=old_time) for _ in range(7)])
    recent = OutboxEvent.objects.create(event_type="t")
    outcomes = {o.rule: o.processed for o in retention_run(actor=None, batch_size=3)}
    assert outcomes["core.outbox"] == 7
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    entry = AuditEntry.objects.get(action="privacy.retention_applied")
    assert entry.extra["processed"] == 7


def test_dry_run_changes_nothing(capsys):
    OutboxEvent.objects.create(event_type="t", created_at=timezone.now() - timedelta(days=30))
    call_command("retention_run", "--dry-run")
    assert "core.outbox (delete) : 1 à traiter" in capsys.readouterr().out
    assert OutboxEvent.objects.count() == 1
    assert AuditEntry.objects.count() == 0
