from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from confiance.accounts.tests.factories import make_actor
from confiance.privacy.errors import PrivacyError
from confiance.privacy.journal import verify_chain
from confiance.privacy.models import AuditEntry
from confiance.privacy.services import access_log_record, audit_record

pytestmark = pytest.mark.django_db

DB_REFUSALS = DatabaseError  # SQLite raises IntegrityError, PostgreSQL ProgrammingError


def drop_guard_triggers():
    """What an intruder with database access would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditentry_guard ON privacy_auditentry")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditentry_no_early_delete")


def test_entries_chain_and_verify():
    actor = make_actor()
    first = audit_record(actor=actor, action="test.one", target=("thing", 1), extra={"a": 1})
    second = audit_record(actor=None, action="test.two")
    assert (first.sequence, second.sequence) == (first.sequence, first.sequence + 1)
    assert second.previous_hash == first.entry_hash
    assert second.actor_label == "système"
    report = verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()


def test_database_refuses_update_and_early_delete():
    entry = audit_record(actor=None, action="test.one")
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.one"


def test_verify_names_the_tampered_entry():
    entries = [audit_record(actor=None, action=f"test.{n}") for n in range(5)]
    drop_guard_triggers()
    AuditEntry.objects.filter(pk=entries[2].pk).update(extra={"forged": True})
    report = verify_chain()
    assert report.first_broken_sequence == entries[2].sequence
    assert "modifiée" in report.reason
    with pytest.raises(CommandError, match=f"n° {entries[2].sequence}"):
        call_command("audit_verify")


def test_verify_names_a_removed_entry():
    entries = [audit_record(actor=None, action=f"test.{n}") for n in range(4)]
    drop_guard_triggers()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    report = verify_chain()
    assert report.first_broken_sequence == entries[2].sequence
    assert "manquantes" in report.reason


def test_access_log_requires_a_motive():
    actor = make_actor()
    with pytest.raises(PrivacyError):
        access_log_record(actor=actor, target=("person", 7), motive="  ")
    entry = access_log_record(actor=actor, target=("person", 7), motive="Réquisition judiciaire n° 12")
    assert entry.kind == "access" and entry.motive.startswith("Réquisition")
    assert AuditEntry.objects.count() == 1


def test_chain_survives_retention_of_old_entries(tmp_path, settings):
    from confiance.privacy.services import retention_run

    settings.CONFIANCE_ARCHIVE_DIR = tmp_path
    old = [audit_record(actor=None, action="test.old") for _ in range(3)]
    audit_record(actor=None, action="test.recent")
    drop_guard_triggers()  # the test ages entries by hand; retention itself never needs this
    AuditEntry.objects.filter(pk__in=[e.pk for e in old]).update(created_at=timezone.now() - timedelta(days=1200))
    outcomes = {o.rule: o for o in retention_run(actor=None)}
    assert outcomes["privacy.audit_journal"].processed == 3
    archive = (tmp_path / "privacy.audit_journal").iterdir().__next__().read_text().splitlines()
    assert len(archive) == 3
    assert verify_chain().ok
    # Idempotent: nothing more to do on a second run.
    assert {o.rule: o.processed for o in retention_run(actor=None)}["privacy.audit_journal"] == 0
