"""Migrations 0003 and 0004: a journal written as one chain stays verifiable, new entries chain per commune, and the
unsigned entries written before the keys are sealed at the upgrade (ADR 0009)."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from confiance.privacy.journal import GENESIS_HASH, compute_hash
from confiance.privacy.journal_verify import verify_chain
from confiance.privacy.models import HISTORICAL_CHAIN, AuditCheckpoint, AuditEntry
from confiance.privacy.services import audit_record

TRIGGERS = importlib.import_module("confiance.privacy.migrations.0002_append_only_triggers")
BEFORE, AFTER = [("privacy", "0002_append_only_triggers")], [("privacy", "0004_journal_keyed_chain")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _write_single_chain(apps, count: int) -> None:
    """Entries as the journal wrote them before: one sequence and one chain for every commune."""
    entry_model = apps.get_model("privacy", "AuditEntry")
    previous = GENESIS_HASH
    for sequence in range(1, count + 1):
        entry = entry_model(sequence=sequence, kind="write", created_at=timezone.now(), actor_label="système",
                            action="test.old", target_type="", target_id="", commune_id=11 if sequence % 2 else None,
                            motive="", extra={"n": sequence}, previous_hash=previous)
        entry.entry_hash = compute_hash(previous, entry)
        entry.save()
        previous = entry.entry_hash


@pytest.mark.django_db(transaction=True)
def test_a_single_chain_journal_stays_verifiable_as_the_historical_chain():
    try:
        _write_single_chain(_migrate(BEFORE), 5)
        _migrate(AFTER)
        seal = AuditCheckpoint.objects.get(chain=HISTORICAL_CHAIN)
        assert (seal.kind, seal.sequence, len(seal.mac)) == ("seal", 5, 64)
        new = audit_record(actor=None, action="test.new", commune_id=11)
        assert (new.chain, new.sequence, new.previous_hash) == (11, 1, GENESIS_HASH)
        assert new.key_id and AuditEntry.objects.filter(chain=HISTORICAL_CHAIN, key_id="").count() == 5
        report = verify_chain()
        assert report.ok, report.reason
        assert [(chain.chain, chain.checked) for chain in report.chains] == [(HISTORICAL_CHAIN, 5), (11, 1)]
        with pytest.raises(DatabaseError), transaction.atomic():  # the guards survived the tables' rebuilds
            AuditEntry.objects.filter(chain=HISTORICAL_CHAIN).update(action="changed")
        _drop_guards()  # an intruder rewrites the old unsigned entries and recomputes their SHA-256 hashes
        _rewrite_unsigned_chain(HISTORICAL_CHAIN)
        report = verify_chain()
        assert report.broken.chain == HISTORICAL_CHAIN and report.first_broken_sequence == 5
        assert "scellement" in report.reason
    finally:
        _migrate(AFTER)
        _empty_journal()


@pytest.mark.django_db(transaction=True)
def test_an_unsigned_entry_appended_after_the_seal_is_named():
    try:
        _write_single_chain(_migrate(BEFORE), 3)
        _migrate(AFTER)
        _drop_guards()
        last = AuditEntry.objects.get(chain=HISTORICAL_CHAIN, sequence=3)
        forged = AuditEntry(chain=HISTORICAL_CHAIN, sequence=4, kind="write", created_at=timezone.now(),
                            actor_label="système", action="test.forged", commune_id=None, extra={},
                            previous_hash=last.entry_hash)
        forged.entry_hash = compute_hash(last.entry_hash, forged)
        forged.save()
        report = verify_chain()
        assert report.first_broken_sequence == 4 and "non signée après le scellement" in report.reason
    finally:
        _migrate(AFTER)
        _empty_journal()


def _drop_guards() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditentry_guard ON privacy_auditentry")
        else:
            for statement in TRIGGERS.SQLITE_REVERSE:
                cursor.execute(statement)


def _restore_guards() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS privacy_auditentry_guard ON privacy_auditentry")
            cursor.execute(TRIGGERS.POSTGRES[1])
        else:
            for statement in TRIGGERS.SQLITE_REVERSE + TRIGGERS.SQLITE:
                cursor.execute(statement)


def _rewrite_unsigned_chain(chain: int) -> None:
    """Change the first entry and recompute every later SHA-256, as anyone can without the key."""
    previous = GENESIS_HASH
    for entry in AuditEntry.objects.filter(chain=chain).order_by("sequence"):
        if entry.sequence == 1:
            entry.extra = {"forged": True}
        entry.previous_hash = previous
        entry.entry_hash = compute_hash(previous, entry)
        entry.save()
        previous = entry.entry_hash


def _empty_journal() -> None:
    """What the flush after the test cannot do on SQLite: its DELETE meets the guard triggers."""
    if connection.vendor != "sqlite":
        _restore_guards()
        return  # PostgreSQL's flush truncates, which row triggers do not see
    with connection.cursor() as cursor:
        emptying = f"DELETE FROM {connection.ops.quote_name(AuditEntry._meta.db_table)}"  # noqa: S608
        for statement in [*TRIGGERS.SQLITE_REVERSE, emptying, *TRIGGERS.SQLITE]:
            cursor.execute(statement)
