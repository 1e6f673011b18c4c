"""Hand-written SQL of the territory, each statement next to its ORM-parity test (tests/test_crisis_sharing.py)."""

from __future__ import annotations

from django.db import connection

from confiance.core.sql import column, table
from confiance.territory.models import CrisisSharing


def crisis_sharing_members() -> dict[int, set[int]]:
    """Commune ids of each active crisis sharing, in one plain statement: every access check of operations and
    every dispatch recommendation passes here (the ORM's prefetch cost ten times the read)."""
    members = CrisisSharing.communes.through
    sql = (f"SELECT m.{column(members, 'crisissharing')}, m.{column(members, 'commune')} "  # noqa: S608 (names from _meta)
           f"FROM {table(members)} m JOIN {table(CrisisSharing)} s ON s.{column(CrisisSharing, 'id')} = "
           f"m.{column(members, 'crisissharing')} WHERE s.{column(CrisisSharing, 'ended_at')} IS NULL")
    grouped: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for sharing_id, commune_id in cursor.fetchall():
            grouped.setdefault(sharing_id, set()).add(commune_id)
    return grouped
