"""Hand-written SQL of the privacy app: the read on every journaled write, where the ORM's compilation costs about
20 times the indexed read. Names come from `_meta` (confiance.core.sql); `tests/test_sql.py` checks each function
against the ORM query it stands for."""

from __future__ import annotations

from functools import lru_cache

from django.db import connection

from confiance.core.sql import column, table
from confiance.privacy.models import AuditCheckpoint, AuditEntry


@lru_cache(maxsize=8)
def _newest_statement(model: type[AuditEntry] | type[AuditCheckpoint], vendor: str) -> str:
    sequence = column(model, "sequence")
    return (f"SELECT {sequence}, {column(model, 'entry_hash')} FROM {table(model)} "  # noqa: S608 (names from _meta)
            f"WHERE {column(model, 'chain')} = %s ORDER BY {sequence} DESC LIMIT 1")


def chain_head(chain: int) -> tuple[int, str] | None:
    """(sequence, hash) of a chain's newest entry, else of its newest retention checkpoint; None for a new chain."""
    with connection.cursor() as cursor:
        for model in (AuditEntry, AuditCheckpoint):
            cursor.execute(_newest_statement(model, connection.vendor), [chain])
            found = cursor.fetchone()
            if found is not None:
                return found[0], found[1]
    return None
