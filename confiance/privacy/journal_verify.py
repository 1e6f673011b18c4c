"""Verifying the audit journal (ADR 0002, 0003, 0009): each chain walked from its first kept entry, every entry's MAC
and link checked, every checkpoint's signature checked, the chain's ends compared with its seal and with the heads
anchored outside the database. An empty journal is never reported intact."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from confiance.privacy.choices import CheckpointKind
from confiance.privacy.journal import (
    GENESIS_HASH,
    chain_label,
    chain_of,
    checkpoint_message,
    compute_hash,
    compute_mac,
)
from confiance.privacy.journal_anchors import anchored_points
from confiance.privacy.journal_keys import Keyring, keyring
from confiance.privacy.models import HISTORICAL_CHAIN, AuditCheckpoint, AuditEntry

EMPTY_JOURNAL = "aucune entrée vérifiée : un journal vide n'est jamais déclaré intègre"


@dataclass(frozen=True)
class ChainReport:
    """Result of a walk along one chain."""

    chain: int
    checked: int
    first_broken_sequence: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_sequence is None and not self.reason


@dataclass(frozen=True)
class JournalReport:
    """Result of the walk along every chain of the journal; never intact when no entry was checked."""

    chains: tuple[ChainReport, ...]

    @property
    def checked(self) -> int:
        return sum(chain.checked for chain in self.chains)

    @property
    def broken(self) -> ChainReport | None:
        return next((chain for chain in self.chains if not chain.ok), None)

    @property
    def ok(self) -> bool:
        return self.broken is None and self.checked > 0

    @property
    def first_broken_sequence(self) -> int | None:
        return self.broken.first_broken_sequence if self.broken else None

    @property
    def reason(self) -> str:
        if self.broken:
            return f"{chain_label(self.broken.chain)} : {self.broken.reason}"
        return "" if self.checked else EMPTY_JOURNAL


@dataclass(frozen=True)
class _Ends:
    """What a chain is checked against besides itself."""

    retained: dict[int, AuditCheckpoint]  # retention checkpoints by sequence
    seal: AuditCheckpoint | None
    anchored: dict[int, str]  # sequence -> MAC anchored outside the database


def chains(anchors: dict[int, dict[int, str]]) -> list[int]:
    """Every chain with entries, a checkpoint or an anchored head, historical and platform chains first."""
    found = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    found |= set(AuditCheckpoint.objects.values_list("chain", flat=True).distinct())
    return sorted(found | set(anchors))


def verify_chain(batch_size: int = 5000) -> JournalReport:
    """Walk each chain of the journal, oldest entry first, and report the first broken link of each."""
    anchors = anchored_points()
    ring = keyring()
    return JournalReport(tuple(verify_one_chain(chain, batch_size, anchors=anchors.get(chain, {}), ring=ring)
                               for chain in chains(anchors)))


def _bad_checkpoint(checkpoint: AuditCheckpoint, ring: Keyring) -> bool:
    key = ring.get(checkpoint.key_id)
    return key is None or not hmac.compare_digest(checkpoint.mac, key.mac(checkpoint_message(checkpoint)))


def verify_one_chain(chain: int, batch_size: int = 5000, *, anchors: dict[int, str] | None = None,
                     ring: Keyring | None = None) -> ChainReport:
    """Walk one chain from its first kept entry and report its first broken link."""
    ring = ring or keyring()
    checkpoints = list(AuditCheckpoint.objects.filter(chain=chain).order_by("sequence", "id"))
    for checkpoint in checkpoints:
        if _bad_checkpoint(checkpoint, ring):
            return ChainReport(chain, 0, checkpoint.sequence, (
                f"le point de reprise n° {checkpoint.sequence} n'est pas signé par la clé du journal "
                "(ajouté ou modifié hors de la plateforme)"))
    seals = [checkpoint for checkpoint in checkpoints if checkpoint.kind == CheckpointKind.SEAL]
    ends = _Ends(retained={c.sequence: c for c in checkpoints if c.kind == CheckpointKind.RETENTION},
                 seal=seals[-1] if seals else None, anchored=anchors or {})
    checked, last_sequence, previous_hash = 0, None, None
    while True:
        entries = AuditEntry.objects.filter(chain=chain).order_by("sequence")
        if last_sequence is not None:
            entries = entries.filter(sequence__gt=last_sequence)
        batch = list(entries[:batch_size])
        if not batch:
            break
        if last_sequence is None:
            first = batch[0].sequence
            start = GENESIS_HASH if first == 1 else getattr(ends.retained.get(first - 1), "entry_hash", None)
            if start is None:
                return ChainReport(chain, 0, first, (
                    f"entrées manquantes au début de la chaîne : aucun point de reprise signé ne précède "
                    f"l'entrée n° {first}"))
            last_sequence, previous_hash = first - 1, start
        for entry in batch:
            problem = _check_entry(entry, last_sequence + 1, previous_hash, ring, ends)
            if problem:
                return ChainReport(chain, checked, entry.sequence, problem)
            checked += 1
            last_sequence, previous_hash = entry.sequence, entry.entry_hash
    return _check_tail(chain, checked, last_sequence, ends)


def _check_tail(chain: int, checked: int, last_sequence: int | None, ends: _Ends) -> ChainReport:
    """The chain must reach its seal and every head anchored outside the database."""
    if last_sequence is None:  # no entry left: retention removed them all, or someone did
        last_sequence = max(ends.retained, default=0)
    if ends.seal is not None and ends.seal.sequence > last_sequence:
        return ChainReport(chain, checked, last_sequence + 1, (
            f"entrées manquantes en fin de chaîne : le scellement connaît l'entrée n° {ends.seal.sequence}, "
            f"la chaîne s'arrête au n° {last_sequence}"))
    anchored = max(ends.anchored, default=0)
    if anchored > last_sequence:
        return ChainReport(chain, checked, last_sequence + 1, (
            f"entrées manquantes en fin de chaîne : la tête ancrée hors de la base est l'entrée n° {anchored}, "
            f"la chaîne s'arrête au n° {last_sequence}"))
    return ChainReport(chain, checked, None, "")


def _check_entry(entry: AuditEntry, expected_sequence: int, previous_hash: str, ring: Keyring, ends: _Ends) -> str:
    if entry.sequence != expected_sequence:
        return f"entrées manquantes : numéro {expected_sequence} attendu, {entry.sequence} trouvé"
    if entry.previous_hash != previous_hash:
        return "le lien vers l'entrée précédente ne correspond pas (entrée précédente modifiée ou supprimée)"
    if entry.chain != HISTORICAL_CHAIN and entry.chain != chain_of(entry):
        return "l'entrée n'est pas dans la chaîne de sa commune (entrée déplacée)"
    if entry.key_id:
        key = ring.get(entry.key_id)
        if key is None:
            return f"l'entrée est signée par une clé inconnue ({entry.key_id}) (entrée ajoutée hors de la plateforme)"
        if not hmac.compare_digest(compute_mac(key, previous_hash, entry), entry.entry_hash):
            return ("le contenu de l'entrée ne correspond pas à sa signature "
                    "(entrée modifiée ou ajoutée hors de la plateforme)")
    else:
        if ends.seal is None or entry.sequence > ends.seal.sequence:
            return "entrée non signée après le scellement du journal (entrée ajoutée hors de la plateforme)"
        if compute_hash(previous_hash, entry) != entry.entry_hash:
            return "le contenu de l'entrée ne correspond pas à son empreinte (entrée modifiée)"
    if ends.seal is not None and entry.sequence == ends.seal.sequence and entry.entry_hash != ends.seal.entry_hash:
        return "l'entrée ne correspond pas au scellement du journal (entrées d'avant les clés réécrites)"
    anchored = ends.anchored.get(entry.sequence)
    if anchored is not None and anchored != entry.entry_hash:
        return "l'entrée ne correspond pas à la tête ancrée hors de la base (entrée réécrite)"
    return ""
