"""Writes of the privacy app: audit entries and access-log entries; the DPO's registers in the submodules (rights,
breaches, governance)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from confiance.core.actors import actor_fields
from confiance.privacy.choices import JournalKind
from confiance.privacy.errors import PrivacyError, PrivacyErrorCode
from confiance.privacy.journal import append_entry, chain_lock, chain_of_commune, describe_target
from confiance.privacy.models import AuditEntry, RetentionRun
from confiance.privacy.retention_engine import run_all

MOTIVE_MIN_LENGTH = 5


def audit_record(
    *, actor: Any, action: str, target: Any = None, extra: dict[str, Any] | None = None,
    commune_id: int | None = None,
) -> AuditEntry:
    """Append a write to the audit journal; call it inside the service's transaction."""
    actor_id, actor_label = actor_fields(actor)
    target_type, target_id, target_commune = describe_target(target)
    entry = AuditEntry(
        kind=JournalKind.WRITE, actor_id=actor_id, actor_label=actor_label, action=action,
        target_type=target_type, target_id=target_id,
        commune_id=commune_id if commune_id is not None else target_commune, extra=extra or {},
    )
    return append_entry(entry)


def audit_chains_reserve(commune_ids: Iterable[int | None]) -> None:
    """Take now, in a fixed order, the locks of the chains this transaction will write to after it has published
    live events (a batch of measurements raises alarms, then opens their interventions): the journal refuses a
    new chain lock once the outbox's is held (core/transactions.py)."""
    for chain in sorted({chain_of_commune(commune_id) for commune_id in commune_ids}):
        chain_lock(chain)


def access_log_record(*, actor: Any, target: Any, motive: str, extra: dict[str, Any] | None = None,
                      motive_code: str = "") -> AuditEntry:
    """Log a consultation of a person-bearing record, with its motive (and its code: privacy.choices.AccessMotive,
    the DPO's access review flags reads without one); refuse without motive."""
    motive = (motive or "").strip()
    if len(motive) < MOTIVE_MIN_LENGTH:
        raise PrivacyError(
            PrivacyErrorCode.MOTIVE_REQUIRED,
            "Indiquez le motif de la consultation (5 caractères au moins).",
            details={"field": "motive"},
        )
    actor_id, actor_label = actor_fields(actor)
    target_type, target_id, commune_id = describe_target(target)
    entry = AuditEntry(
        kind=JournalKind.ACCESS, actor_id=actor_id, actor_label=actor_label, action="access.read",
        target_type=target_type, target_id=target_id, commune_id=commune_id, motive=motive[:500],
        extra={**(extra or {}), **({"motive_code": str(motive_code)} if motive_code else {})},
    )
    return append_entry(entry)


def retention_run(*, actor: Any, now=None, dry_run: bool = False, batch_size: int | None = None,
                  trigger: str = "command"):
    """Apply every retention rule, then audit what was done (one entry per rule that acted)."""
    if not dry_run:
        audit_chains_reserve([None])  # the rules may publish what they remove; their entries come after
    started = timezone.now()
    outcomes = run_all(now=now, batch_size=batch_size, dry_run=dry_run)
    if not dry_run:
        RetentionRun.objects.create(started_at=started, finished_at=timezone.now(), trigger=trigger,
                                    outcomes=[{"rule": o.rule, "action": str(o.action), "processed": o.processed}
                                              for o in outcomes])
        for outcome in outcomes:
            if outcome.processed:
                audit_record(
                    actor=actor, action="privacy.retention_applied", target=("retention_rule", outcome.rule),
                    extra={"action": outcome.action, "processed": outcome.processed, "archive": outcome.archive},
                )
    return outcomes
