from datetime import datetime
from typing import Any

from ninja import Schema


class AuditEntryOut(Schema):
    chain: int  # the commune's id; 0: the platform; -1: the historical single chain (ADR 0003)
    sequence: int  # within the chain
    kind: str
    created_at: datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    commune_id: int | None
    motive: str
    extra: dict[str, Any]
    entry_hash: str


class OneChainReportOut(Schema):
    chain: int
    checked: int
    first_broken_sequence: int | None
    reason: str


class ChainReportOut(Schema):
    ok: bool
    checked: int
    first_broken_sequence: int | None
    reason: str
    chains: list[OneChainReportOut]
