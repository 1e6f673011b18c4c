"""Writing and verifying the hash chains of the audit journal: one chain per commune, one for the platform's
entries of no commune, and the closed historical chain of the entries written before (ADR 0003)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from confiance.core.inserts import insert_row
from confiance.core.sql import advisory_xact_lock
from confiance.privacy.models import HISTORICAL_CHAIN, PLATFORM_CHAIN, AuditCheckpoint, AuditEntry
from confiance.privacy.sql import chain_head

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 7_341_002


def canonical_content(entry: AuditEntry) -> str:
    """The exact text an entry's hash covers: every field but the hashes, in a fixed form."""
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
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(previous_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((previous_hash + canonical_content(entry)).encode()).hexdigest()


def chain_of(entry: AuditEntry) -> int:
    """The chain an entry joins: its commune's, or the platform's for entries of no commune."""
    return entry.commune_id if entry.commune_id is not None else PLATFORM_CHAIN


def append_entry(entry: AuditEntry) -> AuditEntry:
    """Give the entry the next sequence number of its chain, chain it and save it."""
    # No savepoint: inside a service's transaction a failure here must abort the whole write anyway.
    with transaction.atomic(savepoint=False):
        entry.chain = chain_of(entry)
        advisory_xact_lock(CHAIN_LOCK_KEY, entry.chain)  # per chain: communes no longer wait for each other
        sequence, previous_hash = chain_head(entry.chain) or (0, GENESIS_HASH)
        entry.sequence = sequence + 1
        entry.previous_hash = previous_hash
        entry.extra = json.loads(json.dumps(entry.extra, default=str))
        entry.entry_hash = compute_hash(previous_hash, entry)
        insert_row(entry)
    return entry


def chain_label(chain: int) -> str:
    """How reports name a chain."""
    if chain == HISTORICAL_CHAIN:
        return "chaîne historique"
    if chain == PLATFORM_CHAIN:
        return "chaîne de la plateforme"
    return f"chaîne de la commune n° {chain}"


@dataclass(frozen=True)
class ChainReport:
    """Result of a walk along one chain."""

    chain: int
    checked: int
    first_broken_sequence: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_sequence is None


@dataclass(frozen=True)
class JournalReport:
    """Result of the walk along every chain of the journal."""

    chains: tuple[ChainReport, ...]

    @property
    def checked(self) -> int:
        return sum(chain.checked for chain in self.chains)

    @property
    def broken(self) -> ChainReport | None:
        return next((chain for chain in self.chains if not chain.ok), None)

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def first_broken_sequence(self) -> int | None:
        return self.broken.first_broken_sequence if self.broken else None

    @property
    def reason(self) -> str:
        return f"{chain_label(self.broken.chain)} : {self.broken.reason}" if self.broken else ""


def chains() -> list[int]:
    """Every chain with entries or a retention checkpoint, historical and platform chains first."""
    found = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    found |= set(AuditCheckpoint.objects.values_list("chain", flat=True).distinct())
    return sorted(found)


def verify_chain(batch_size: int = 5000) -> JournalReport:
    """Walk each chain of the journal, oldest entry first, and report the first broken link of each."""
    return JournalReport(tuple(verify_one_chain(chain, batch_size) for chain in chains()))


def verify_one_chain(chain: int, batch_size: int = 5000) -> ChainReport:
    """Walk one chain from its newest retention checkpoint and report its first broken link."""
    checkpoint = AuditCheckpoint.objects.filter(chain=chain).order_by("-sequence").first()
    expected_sequence = checkpoint.sequence + 1 if checkpoint else 1
    previous_hash = checkpoint.entry_hash if checkpoint else GENESIS_HASH
    checked = 0
    while True:
        batch = list(AuditEntry.objects.filter(chain=chain, sequence__gte=expected_sequence)
                     .order_by("sequence")[:batch_size])
        if not batch:
            return ChainReport(chain, checked, None, "")
        for entry in batch:
            problem = _check_entry(entry, expected_sequence, previous_hash)
            if problem:
                return ChainReport(chain, checked, entry.sequence, problem)
            checked += 1
            expected_sequence = entry.sequence + 1
            previous_hash = entry.entry_hash


def _check_entry(entry: AuditEntry, expected_sequence: int, previous_hash: str) -> str:
    if entry.sequence != expected_sequence:
        return f"entrées manquantes : numéro {expected_sequence} attendu, {entry.sequence} trouvé"
    if entry.previous_hash != previous_hash:
        return "le lien vers l'entrée précédente ne correspond pas (entrée précédente modifiée ou supprimée)"
    if compute_hash(previous_hash, entry) != entry.entry_hash:
        return "le contenu de l'entrée ne correspond pas à son empreinte (entrée modifiée)"
    if entry.chain != HISTORICAL_CHAIN and entry.chain != chain_of(entry):
        return "l'entrée n'est pas dans la chaîne de sa commune (entrée déplacée)"
    return ""


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
