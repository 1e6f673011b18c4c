"""The privacy app's hand-written SQL gives what the ORM query it stands for gives."""

import pytest

from confiance.privacy.models import AuditCheckpoint, AuditEntry
from confiance.privacy.services import audit_record
from confiance.privacy.sql import chain_head

pytestmark = pytest.mark.django_db


def orm_chain_head(chain: int) -> tuple[int, str] | None:
    for model in (AuditEntry, AuditCheckpoint):
        found = model.objects.filter(chain=chain).order_by("-sequence").values_list("sequence", "entry_hash").first()
        if found is not None:
            return found
    return None


def test_chain_head_matches_the_orm_for_entries_checkpoints_and_new_chains():
    for commune_id in (11, 22, 11, None):
        audit_record(actor=None, action="test.head", commune_id=commune_id)
    AuditCheckpoint.objects.create(chain=33, sequence=7, entry_hash="c" * 64)
    AuditCheckpoint.objects.create(chain=33, sequence=9, entry_hash="d" * 64)
    for chain in (0, 11, 22, 33, 44):
        assert chain_head(chain) == orm_chain_head(chain)
    assert chain_head(11)[0] == 2 and chain_head(33) == (9, "d" * 64) and chain_head(44) is None
