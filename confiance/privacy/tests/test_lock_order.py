"""The lock order of ADR 0001: an audit chain's lock before the outbox's, never a new one after it.

The soak bench met the deadlock this order prevents: a report submission audited (chain lock) then published
(outbox lock) while a batch of measurements published an alarm then audited the intervention it opened; PostgreSQL
broke the cycle by failing the submission with a 500.
"""

import threading
from dataclasses import dataclass

import pytest
from django.db import connection, transaction

from confiance.core.live import LiveEvent, publish_on_commit
from confiance.core.transactions import LockOrderError, lock_order_relaxed
from confiance.privacy.journal_verify import verify_chain
from confiance.privacy.services import audit_chains_reserve, audit_record

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Ping(LiveEvent):
    event_type = "test.ping"
    n: int = 0


def test_an_audit_entry_of_a_new_chain_after_a_publication_is_refused():
    with pytest.raises(LockOrderError), transaction.atomic():
        publish_on_commit(Ping(), commune_id=11)
        audit_record(actor=None, action="test.late", commune_id=11)


def test_audit_first_then_publish_and_audit_again_on_the_same_chain():
    with transaction.atomic():
        audit_record(actor=None, action="test.first", commune_id=11)
        publish_on_commit(Ping(), commune_id=11)
        audit_record(actor=None, action="test.again", commune_id=11)  # held already: never waits
    assert verify_chain().ok


def test_chains_reserved_before_publishing_may_be_written_after():
    with transaction.atomic():
        audit_chains_reserve([22, 11, None])
        publish_on_commit(Ping(), commune_id=11)
        for commune_id in (11, 22, None):
            audit_record(actor=None, action="test.reserved", commune_id=commune_id)
    with pytest.raises(LockOrderError), transaction.atomic():
        audit_chains_reserve([11])
        publish_on_commit(Ping(), commune_id=11)
        audit_record(actor=None, action="test.unreserved", commune_id=33)


def test_marks_end_with_their_transaction():
    with transaction.atomic():
        publish_on_commit(Ping(), commune_id=11)
    with transaction.atomic():  # a new transaction holds no outbox lock
        audit_record(actor=None, action="test.next", commune_id=11)
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit(Ping(), commune_id=11)
        raise RuntimeError("rolled back")
    audit_record(actor=None, action="test.after_rollback", commune_id=11)


def test_a_relaxed_transaction_is_not_checked():
    with transaction.atomic():
        lock_order_relaxed()
        publish_on_commit(Ping(), commune_id=11)
        audit_record(actor=None, action="test.relaxed", commune_id=11)


def test_production_logs_the_violation_and_writes(settings, caplog):
    settings.CONFIANCE_LOCK_ORDER_STRICT = False
    with transaction.atomic():
        publish_on_commit(Ping(), commune_id=11)
        audit_record(actor=None, action="test.logged", commune_id=11)
    assert "lock order" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_writers_in_both_orders_of_old_never_deadlock_in_the_order_kept():
    """Audit-then-publish writers beside writers that reserve their chain before publishing: all land."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: no lock to order")
    errors: list[BaseException] = []

    def audit_then_publish(n):
        with transaction.atomic():
            audit_record(actor=None, action="test.submit", commune_id=11, extra={"n": n})
            publish_on_commit(Ping(n=n), commune_id=11)

    def publish_then_audit(n):
        with transaction.atomic():
            audit_chains_reserve([11])
            publish_on_commit(Ping(n=n), commune_id=11)
            audit_record(actor=None, action="test.alarm", commune_id=11, extra={"n": n})

    def run(writer):
        try:
            for n in range(30):
                writer(n)
        except BaseException as exc:  # reported on the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(writer,))
               for writer in (audit_then_publish, publish_then_audit, audit_then_publish, publish_then_audit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    report = verify_chain()
    assert report.ok and {chain.chain: chain.checked for chain in report.chains}[11] == 120
