import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from confiance.accounts.tests.factories import make_actor
from confiance.privacy.errors import PrivacyError
from confiance.privacy.journal import GENESIS_HASH
from confiance.privacy.journal_verify import verify_chain
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


def test_each_commune_has_its_own_chain_and_each_chain_verifies():
    first = audit_record(actor=None, action="test.a", commune_id=11)
    other = audit_record(actor=None, action="test.b", commune_id=22)
    platform = audit_record(actor=None, action="test.c")
    second = audit_record(actor=None, action="test.d", commune_id=11)
    assert [(e.chain, e.sequence) for e in (first, other, platform, second)] == [(11, 1), (22, 1), (0, 1), (11, 2)]
    assert second.previous_hash == first.entry_hash and other.previous_hash == GENESIS_HASH
    report = verify_chain()
    assert report.ok and report.checked == 4
    assert [(chain.chain, chain.checked, chain.ok) for chain in report.chains] == [(0, 1, True), (11, 2, True),
                                                                                  (22, 1, True)]


def test_verify_names_the_chain_and_entry_tampered_with():
    for n in range(3):
        audit_record(actor=None, action=f"test.{n}", commune_id=11)
        audit_record(actor=None, action=f"test.{n}", commune_id=22)
    drop_guard_triggers()
    tampered = AuditEntry.objects.get(chain=22, sequence=2)
    AuditEntry.objects.filter(pk=tampered.pk).update(motive="falsifié")
    report = verify_chain()
    assert not report.ok and report.broken.chain == 22 and report.first_broken_sequence == 2
    assert report.reason.startswith("chaîne de la commune n° 22 : ") and "modifiée" in report.reason
    assert {chain.chain: chain.ok for chain in report.chains} == {11: True, 22: False}
    with pytest.raises(CommandError, match="commune n° 22, à l'entrée n° 2"):
        call_command("audit_verify")


def test_an_entry_moved_to_another_communes_chain_is_named():
    audit_record(actor=None, action="test.a", commune_id=11)
    drop_guard_triggers()
    AuditEntry.objects.filter(chain=11).update(chain=22)
    report = verify_chain()
    assert report.broken.chain == 22 and "déplacée" in report.reason


def test_the_command_reports_each_chain():
    audit_record(actor=None, action="test.a", commune_id=11)
    audit_record(actor=None, action="test.b")
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "chaîne de la plateforme : 1 entrée(s)" in out.getvalue()
    assert "chaîne de la commune n° 11 : 1 entrée(s)" in out.getvalue()
    assert "Journal intègre : 2 entrée(s) vérifiée(s)" in out.getvalue()


def _write_in_threads(*writers) -> None:
    errors: list[BaseException] = []

    def run(writer):
        try:
            writer()
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(writer,)) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_entries_of_two_communes_written_concurrently_land_with_intact_chains():
    if connection.vendor != "postgresql":
        pytest.skip("threads on the in-memory SQLite test database meet table locks, not the writer lock")
    def writer(commune_id):
        return lambda: [audit_record(actor=None, action="test.concurrent", commune_id=commune_id, extra={"n": n})
                        for n in range(40)]

    _write_in_threads(writer(11), writer(22), writer(11), writer(None))
    report = verify_chain()
    assert report.ok, report.reason
    assert {chain.chain: chain.checked for chain in report.chains} == {0: 40, 11: 80, 22: 40}


@pytest.mark.django_db(transaction=True)
def test_a_communes_write_does_not_wait_for_another_communes_open_transaction():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time, whatever the chain")
    holding, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def slow_commune():
        with transaction.atomic():
            audit_record(actor=None, action="test.slow", commune_id=11)
            holding.set()
            release.wait(20)
        finished.append("11")

    def other_commune():
        assert holding.wait(20)
        audit_record(actor=None, action="test.fast", commune_id=22)
        finished.append("22")
        release.set()

    _write_in_threads(slow_commune, other_commune)
    assert finished == ["22", "11"]
    assert verify_chain().ok


def test_retention_leaves_a_checkpoint_in_each_chain_it_shortens(tmp_path, settings):
    from confiance.privacy.models import AuditCheckpoint
    from confiance.privacy.services import retention_run

    settings.CONFIANCE_ARCHIVE_DIR = tmp_path
    old = [audit_record(actor=None, action="test.old", commune_id=commune) for commune in (11, 22, 11, 22, 22)]
    for commune in (11, 22):
        audit_record(actor=None, action="test.recent", commune_id=commune)
    drop_guard_triggers()
    AuditEntry.objects.filter(pk__in=[e.pk for e in old]).update(created_at=timezone.now() - timedelta(days=1200))
    retention_run(actor=None)
    assert set(AuditCheckpoint.objects.values_list("chain", "sequence")) == {(11, 2), (22, 3)}
    report = verify_chain()
    assert report.ok, report.reason
    assert {chain.chain: chain.checked for chain in report.chains} == {0: 1, 11: 1, 22: 1}  # 0: retention's own
