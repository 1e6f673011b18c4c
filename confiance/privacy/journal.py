"""Writing the chains of the audit journal: one chain per commune, one for the platform's entries of no commune,
and the closed historical chain of the entries written before (ADR 0003); each entry and checkpoint signed with
HMAC-SHA256 under a key kept outside the database (ADR 0009). Verification: journal_verify.py."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction

from confiance.core.inserts import insert_row
from confiance.core.live import OUTBOX_HELD
from confiance.core.sql import advisory_xact_lock
from confiance.core.transactions import lock_order_violation, transaction_mark, transaction_marked
from confiance.privacy.journal_anchors import anchor_due, anchor_write
from confiance.privacy.journal_keys import JournalKey, keyring
from confiance.privacy.models import HISTORICAL_CHAIN, PLATFORM_CHAIN, AuditCheckpoint, AuditEntry
from confiance.privacy.sql import chain_head

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 7_341_002


def canonical_content(entry: AuditEntry) -> str:
    """The exact text an entry's hash covers: every field but the hashes, in a fixed form.

    A keyed entry's text also names its chain and its key; an unkeyed one (written before the keys) keeps the form
    it was hashed with.
    """
    content = {
        "sequence": entry.sequence,
        "kind": entry.kind,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "commune_id": entry.commune_id,
        "motive": entry.motive,
        "extra": entry.extra,
    }
    if getattr(entry, "key_id", ""):  # historical models of the migrations before 0004 have no key
        content["chain"] = entry.chain
        content["key_id"] = entry.key_id
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(previous_hash: str, entry: AuditEntry) -> str:
    """The unkeyed SHA-256 of the entries written before the keys (ADR 0002); kept to verify them."""
    return hashlib.sha256((previous_hash + canonical_content(entry)).encode()).hexdigest()


def compute_mac(key: JournalKey, previous_hash: str, entry: AuditEntry) -> str:
    """HMAC-SHA256 of the link and the content, with the journal's key (ADR 0009)."""
    return key.mac(previous_hash + canonical_content(entry))


def checkpoint_message(checkpoint: AuditCheckpoint) -> str:
    return json.dumps({"checkpoint": checkpoint.kind, "chain": checkpoint.chain, "sequence": checkpoint.sequence,
                       "entry_hash": checkpoint.entry_hash, "key_id": checkpoint.key_id}, sort_keys=True,
                      separators=(",", ":"))


def checkpoint_record(*, chain: int, sequence: int, entry_hash: str, kind: str) -> AuditCheckpoint:
    """Write a checkpoint signed with the current key."""
    key = keyring().current
    checkpoint = AuditCheckpoint(chain=chain, sequence=sequence, entry_hash=entry_hash, kind=kind, key_id=key.key_id)
    checkpoint.mac = key.mac(checkpoint_message(checkpoint))
    checkpoint.save()
    return checkpoint


def chain_of_commune(commune_id: int | None) -> int:
    """The chain of a commune's entries, or the platform's for entries of no commune."""
    return commune_id if commune_id is not None else PLATFORM_CHAIN


def chain_of(entry: AuditEntry) -> int:
    """The chain an entry joins."""
    return chain_of_commune(entry.commune_id)


def chain_lock(chain: int) -> None:
    """Hold the chain's lock until the transaction ends (per chain: communes do not wait for each other).

    A transaction that already published a live event holds the outbox lock: waiting now for a chain lock held by
    a transaction that waits for the outbox would be a deadlock (core/transactions.py). Services write their audit
    entries before they publish; a chain already held is taken again without waiting.
    """
    mark = ("audit-chain-lock", chain)
    if transaction_marked(mark):
        return
    if transaction_marked(OUTBOX_HELD):
        lock_order_violation(f"audit entry of chain {chain} written after a live event in the same transaction: "
                             "write the audit entry first")
    advisory_xact_lock(CHAIN_LOCK_KEY, chain)
    transaction_mark(mark)


def append_entry(entry: AuditEntry) -> AuditEntry:
    """Give the entry the next sequence number of its chain, sign it and save it; anchor the head now and then."""
    key = keyring().current
    # No savepoint: inside a service's transaction a failure here must abort the whole write anyway.
    with transaction.atomic(savepoint=False):
        entry.chain = chain_of(entry)
        chain_lock(entry.chain)
        sequence, previous_hash = chain_head(entry.chain) or (0, GENESIS_HASH)
        entry.sequence = sequence + 1
        entry.previous_hash = previous_hash
        entry.key_id = key.key_id
        entry.extra = json.loads(json.dumps(entry.extra, default=str))
        entry.entry_hash = compute_mac(key, previous_hash, entry)
        insert_row(entry)
        if anchor_due(entry.chain, entry.sequence):
            head = (entry.chain, entry.sequence, entry.entry_hash, entry.key_id)
            # robust: a full disk or a read-only anchor file is logged, never turned into the write's failure.
            transaction.on_commit(lambda: anchor_write([head]), robust=True)
    return entry


def anchor_heads() -> list[tuple[int, int, str, str]]:
    """Anchor the head of every chain now (`confiance audit_anchor`); returns the heads written."""
    heads = []
    for chain in sorted(set(AuditEntry.objects.values_list("chain", flat=True).distinct())):
        newest = AuditEntry.objects.filter(chain=chain).order_by("-sequence").values_list(
            "sequence", "entry_hash", "key_id").first()
        if newest is not None:
            heads.append((chain, *newest))
    anchor_write(heads)
    return heads


def chain_label(chain: int) -> str:
    """How reports name a chain."""
    if chain == HISTORICAL_CHAIN:
        return "chaîne historique"
    if chain == PLATFORM_CHAIN:
        return "chaîne de la plateforme"
    return f"chaîne de la commune n° {chain}"


def describe_target(target: Any) -> tuple[str, str, int | None]:
    """(type label, id, commune id) of a model instance or of a (type, id) pair."""
    if target is None:
        return "", "", None
    if isinstance(target, tuple):
        type_label, target_id = target
        return str(type_label), str(target_id), None
    meta = target._meta
    commune_id = getattr(target, "commune_id", None)
    if commune_id is None and meta.label == "territory.Commune":
        commune_id = target.pk
    return meta.label, str(target.pk), commune_id
