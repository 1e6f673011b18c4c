"""Migration 0003: a journal written as one chain stays verifiable, and new entries chain per commune."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from confiance.privacy.journal import GENESIS_HASH, compute_hash, verify_chain
from confiance.privacy.models import HISTORICAL_CHAIN, AuditEntry
from confiance.privacy.services import audit_record

TRIGGERS = importlib.import_module("confiance.privacy.migrations.0002_append_only_triggers")
BEFORE, AFTER = [("privacy", "0002_append_only_triggers")], [("privacy", "0003_audit_chain_per_commune")]


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
        new = audit_record(actor=None, action="test.new", commune_id=11)
        assert (new.chain, new.sequence, new.previous_hash) == (11, 1, GENESIS_HASH)
        report = verify_chain()
        assert report.ok, report.reason
        assert [(chain.chain, chain.checked) for chain in report.chains] == [(HISTORICAL_CHAIN, 5), (11, 1)]
        with pytest.raises(DatabaseError), transaction.atomic():  # the guards survived the table's rebuild
            AuditEntry.objects.filter(chain=HISTORICAL_CHAIN).update(action="changed")
    finally:
        _migrate(AFTER)
        _empty_journal()


def _empty_journal() -> None:
    """What the flush after the test cannot do on SQLite: its DELETE meets the guard triggers."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL's flush truncates, which row triggers do not see
    with connection.cursor() as cursor:
        emptying = f"DELETE FROM {connection.ops.quote_name(AuditEntry._meta.db_table)}"  # noqa: S608
        for statement in [*TRIGGERS.SQLITE_REVERSE, emptying, *TRIGGERS.SQLITE]:
            cursor.execute(statement)
