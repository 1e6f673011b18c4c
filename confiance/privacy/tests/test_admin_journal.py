"""The admin's writes are journaled by privacy: its AppConfig registers audit_record with core at start-up."""

from confiance.core import admin_audit
from confiance.privacy.services import audit_record


def test_privacy_registers_its_audit_record_at_start_up():
    assert admin_audit._journal == [audit_record]
