"""Issue 14 point 2: an intruder with the database (guard triggers dropped) but without the journal's key cannot
rewrite the journal quietly (ADR 0009). One test per attack; they run on SQLite and on PostgreSQL."""

import io
import os
import secrets
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from confiance.privacy.choices import CheckpointKind
from confiance.privacy.journal import anchor_heads, compute_hash, compute_mac
from confiance.privacy.journal_anchors import anchored_points
from confiance.privacy.journal_keys import JournalKey, key_id_of, keyring
from confiance.privacy.journal_verify import EMPTY_JOURNAL, verify_chain
from confiance.privacy.models import AuditCheckpoint, AuditEntry
from confiance.privacy.services import audit_record
from confiance.privacy.tests.test_journal import drop_guard_triggers

pytestmark = pytest.mark.django_db

COMMUNE = 31


def _write(count: int, commune_id: int = COMMUNE) -> list[AuditEntry]:
    return [audit_record(actor=None, action=f"test.{n}", target=("thing", n), commune_id=commune_id,
                         extra={"n": n}) for n in range(count)]


def _attacker_key() -> JournalKey:
    """The best an intruder without the key can do: a key of their own under the real key's id."""
    return JournalKey(key_id=keyring().current.key_id, secret=secrets.token_bytes(32))


def _recompute_from(entry: AuditEntry, key: JournalKey | None) -> None:
    """Recompute the hash of `entry` and of every later entry of its chain, as the old journal let anyone do."""
    previous = entry.previous_hash
    for later in AuditEntry.objects.filter(chain=entry.chain, sequence__gte=entry.sequence).order_by("sequence"):
        if later.pk == entry.pk:
            later = entry
        later.previous_hash = previous
        if key is None:
            later.key_id = ""
            later.entry_hash = compute_hash(previous, later)
        else:
            later.key_id = key.key_id
            later.entry_hash = compute_mac(key, previous, later)
        later.save()
        previous = later.entry_hash


def _command_fails(match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("audit_verify", stdout=io.StringIO())


@pytest.mark.parametrize("attacker_key", [True, False], ids=["hmac-guessed-key", "plain-sha256"])
def test_attack_rewrite_an_entry_and_recompute_every_later_hash(attacker_key):
    entries = _write(6)
    assert verify_chain().ok
    drop_guard_triggers()
    target = AuditEntry.objects.get(pk=entries[2].pk)
    target.extra = {"n": "falsifié"}
    _recompute_from(target, _attacker_key() if attacker_key else None)
    report = verify_chain()
    assert not report.ok and report.broken.chain == COMMUNE and report.first_broken_sequence == 3
    assert ("signature" if attacker_key else "non signée") in report.reason
    _command_fails("commune n° 31, à l'entrée n° 3")


def test_attack_cut_the_newest_entries_is_seen_against_the_anchored_head(settings, django_capture_on_commit_callbacks):
    settings.CONFIANCE_AUDIT_ANCHOR_EVERY = 5
    settings.CONFIANCE_AUDIT_ANCHOR_SECONDS = 3600
    with django_capture_on_commit_callbacks(execute=True):
        _write(12)
    # Anchored by audit_record itself after commit: the chain's first entry, then every fifth.
    assert sorted(anchored_points()[COMMUNE]) == [1, 5, 10]
    assert verify_chain().ok
    drop_guard_triggers()
    AuditEntry.objects.filter(chain=COMMUNE, sequence__gte=10).delete()
    report = verify_chain()
    assert not report.ok and report.first_broken_sequence == 10
    assert "fin de chaîne" in report.reason and "n° 10" in report.reason
    _command_fails("fin de chaîne")


def test_attack_cut_the_tail_after_an_explicit_anchor_and_remove_a_whole_chain():
    _write(4)
    _write(2, commune_id=32)
    call_command("audit_anchor", stdout=io.StringIO())  # what cron or a backup runs
    assert verify_chain().ok
    drop_guard_triggers()
    AuditEntry.objects.filter(chain=COMMUNE, sequence=4).delete()
    AuditEntry.objects.filter(chain=32).delete()
    chains = {chain.chain: chain for chain in verify_chain().chains}
    assert chains[COMMUNE].first_broken_sequence == 4 and "fin de chaîne" in chains[COMMUNE].reason
    assert chains[32].first_broken_sequence == 1 and chains[32].checked == 0


def test_a_rewritten_entry_is_named_against_its_anchored_head():
    entries = _write(3)
    anchor_heads()
    drop_guard_triggers()
    # Even someone holding the key (re-signing the entry) is caught by the head copied outside the database.
    target = AuditEntry.objects.get(pk=entries[2].pk)
    target.extra = {"n": "falsifié"}
    _recompute_from(target, keyring().current)
    report = verify_chain()
    assert report.first_broken_sequence == 3 and "ancrée" in report.reason


@pytest.mark.parametrize("forgery", ["guessed-key", "unsigned", "unknown-key"])
def test_attack_append_a_forged_entry(forgery):
    entries = _write(3)
    drop_guard_triggers()
    head = entries[-1]
    forged = AuditEntry(chain=COMMUNE, sequence=head.sequence + 1, kind="write", created_at=timezone.now(),
                        actor_label="système", action="reports.deleted", commune_id=COMMUNE, extra={},
                        previous_hash=head.entry_hash)
    if forgery == "unsigned":
        forged.entry_hash = compute_hash(head.entry_hash, forged)
    else:
        key = _attacker_key()
        if forgery == "unknown-key":
            key = JournalKey(key_id_of(key.secret), key.secret)
        forged.key_id = key.key_id
        forged.entry_hash = compute_mac(key, head.entry_hash, forged)
    forged.save()
    report = verify_chain()
    assert not report.ok and report.first_broken_sequence == 4
    expected = {"guessed-key": "signature", "unsigned": "non signée", "unknown-key": "clé inconnue"}[forgery]
    assert expected in report.reason


def test_attack_insert_a_checkpoint_then_remove_the_entries():
    entries = _write(3)
    drop_guard_triggers()
    head = entries[-1]
    # The old attack: one checkpoint at the head, and verification started after it: "0 entrée(s) vérifiée(s)".
    AuditCheckpoint.objects.create(chain=COMMUNE, sequence=head.sequence, entry_hash=head.entry_hash)
    report = verify_chain()
    assert not report.ok and report.first_broken_sequence == 3 and "point de reprise n° 3" in report.reason
    AuditEntry.objects.filter(chain=COMMUNE).delete()
    report = verify_chain()
    assert not report.ok and "n'est pas signé" in report.reason
    _command_fails("point de reprise")


def test_a_checkpoint_signature_copied_from_another_checkpoint_does_not_verify(tmp_path, settings):
    settings.CONFIANCE_ARCHIVE_DIR = tmp_path
    entries = _write(4)
    drop_guard_triggers()
    AuditEntry.objects.filter(pk__in=[e.pk for e in entries[:2]]).update(
        created_at=timezone.now() - timezone.timedelta(days=1200))
    call_command("retention_run", stdout=io.StringIO())
    genuine = AuditCheckpoint.objects.get(chain=COMMUNE)
    assert (genuine.kind, genuine.sequence, genuine.key_id) == (CheckpointKind.RETENTION, 2, keyring().current.key_id)
    assert verify_chain().ok
    AuditCheckpoint.objects.create(chain=COMMUNE, sequence=4, entry_hash=entries[3].entry_hash,
                                   kind=genuine.kind, key_id=genuine.key_id, mac=genuine.mac)
    assert "point de reprise n° 4" in verify_chain().reason


def test_the_first_kept_entry_must_meet_a_signed_checkpoint(tmp_path, settings):
    settings.CONFIANCE_ARCHIVE_DIR = tmp_path
    entries = _write(4)
    drop_guard_triggers()
    AuditEntry.objects.filter(pk=entries[0].pk).update(created_at=timezone.now() - timezone.timedelta(days=1200))
    call_command("retention_run", stdout=io.StringIO())
    assert verify_chain().ok
    # Removing the oldest kept entries too, or the retention checkpoint, leaves a chain that starts from nowhere.
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    report = verify_chain()
    assert report.first_broken_sequence == 3 and "début de la chaîne" in report.reason


def test_an_empty_journal_is_never_reported_intact():
    assert AuditEntry.objects.count() == 0
    report = verify_chain()
    assert not report.ok and report.checked == 0 and report.reason == EMPTY_JOURNAL
    _command_fails("journal vide")


def test_the_key_file_is_created_private_and_a_rotation_keeps_old_entries_verifiable(tmp_path, settings):
    settings.CONFIANCE_AUDIT_KEY = ""
    settings.CONFIANCE_AUDIT_KEY_FILE = tmp_path / "audit.key"
    old = audit_record(actor=None, action="test.old", commune_id=COMMUNE)
    mode = stat.S_IMODE(os.stat(settings.CONFIANCE_AUDIT_KEY_FILE).st_mode)
    assert mode == 0o600
    assert old.key_id == keyring().current.key_id and len(old.entry_hash) == 64
    with open(settings.CONFIANCE_AUDIT_KEY_FILE, "a") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    settings.CONFIANCE_AUDIT_KEY_FILE = tmp_path / "audit.key"  # a restart, or the setting touched: keys re-read
    new = audit_record(actor=None, action="test.new", commune_id=COMMUNE)
    assert new.key_id != old.key_id
    assert verify_chain().ok
    settings.CONFIANCE_AUDIT_KEY = secrets.token_hex(32)  # the environment wins; without the old keys they fail
    assert "clé inconnue" in verify_chain().reason
