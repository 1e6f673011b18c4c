"""What the current transaction has done, as far as later statements of the same transaction must know.

A transaction-scoped advisory lock is held until the transaction ends, so the order in which a transaction takes
them matters: two transactions taking the same two locks in opposite orders deadlock, and PostgreSQL breaks the
deadlock by failing one of the two writes (seen under the soak bench: a report submission audited then published,
an engagement published then audited). The platform's rule (ADR 0001): a transaction takes an audit chain's lock
before the outbox's, never a new one after it. Taking a lock again that the transaction already holds never waits.

The marks are no-op on-commit callbacks: they vanish with the transaction, commit or rollback alike, and cost no
query. A test case wraps each test in transaction blocks of its own that never commit; the transaction a service
would have in production starts at the first block that is not the test case's.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

#: The mark of a transaction that runs alone by design (the demo's loading), whose order does not matter.
LOCK_ORDER_RELAXED = "lock-order-relaxed"


class _Mark:
    __slots__ = ("key",)

    def __init__(self, key: Hashable) -> None:
        self.key = key

    def __call__(self) -> None:
        """Nothing to do after commit: the mark only lives as long as its transaction."""


def transaction_mark(key: Hashable) -> None:
    """Remember `key` until the current transaction ends (inside an atomic block)."""
    transaction.on_commit(_Mark(key))


def transaction_marked(key: Hashable) -> bool:
    """Whether the current transaction was marked with `key`."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return False
    blocks = conn.atomic_blocks
    first = next((index for index, block in enumerate(blocks) if not getattr(block, "_from_testcase", False)), None)
    if first is None:
        return False
    savepoint = conn.savepoint_ids[first - 1] if first else None
    return any(isinstance(callback, _Mark) and callback.key == key and (savepoint is None or savepoint in savepoints)
               for savepoints, callback, *_ in conn.run_on_commit)


class LockOrderError(RuntimeError):
    """A lock asked for after one that must come after it: a deadlock waiting to happen, a programming error."""


def lock_order_relaxed() -> None:
    """Mark the current transaction as one that runs alone by design: locks out of order are not reported."""
    transaction_mark(LOCK_ORDER_RELAXED)


def lock_order_violation(message: str) -> None:
    """A lock asked for out of order: an error in development and tests, a logged error in production."""
    if transaction_marked(LOCK_ORDER_RELAXED):
        return
    if settings.CONFIANCE_LOCK_ORDER_STRICT:
        raise LockOrderError(message)
    logger.error("lock order: %s", message)
