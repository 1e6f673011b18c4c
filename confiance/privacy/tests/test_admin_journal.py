"""The admin's writes are journaled by privacy: its AppConfig registers audit_record with core at start-up. The
journal's admin list reads in words; its detail keeps the stored codes for the DPO."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.core import admin_audit
from confiance.privacy.choices import action_label
from confiance.privacy.services import audit_record


def test_privacy_registers_its_audit_record_at_start_up():
    assert admin_audit._journal == [audit_record]


def test_actions_read_in_words_and_unknown_ones_as_their_kind():
    assert action_label("accounts.agent_create", "write") == "Création d'un compte"
    assert action_label("unknown.thing", "access") == "Consultation"


@pytest.mark.django_db
def test_the_journal_list_reads_in_words_and_the_detail_keeps_the_codes(settings):
    settings.CONFIANCE_2FA_RELAXED = True
    client = Client()
    client.force_login(make_agent(superuser=True, password=None))
    entry = audit_record(actor=None, action="territory.zone_create", target=("territory.Zone", 7))
    audit_record(actor=None, action="unknown.thing", target=("vanished.Model", 1))
    listing = client.get("/admin/privacy/auditentry/").content.decode()
    rows = listing.split("<tbody>")[1].split("</tbody>")[0]
    assert "Zone créée" in rows and ">Zone<" in rows and "Modification" in rows
    assert "territory.zone_create" not in rows and "territory.Zone" not in rows
    assert ">Zone créée</a>" in listing and ">territory.zone_create</a>" not in listing  # the filter too
    detail = client.get(f"/admin/privacy/auditentry/{entry.pk}/change/").content.decode()
    assert "territory.zone_create" in detail and "territory.Zone" in detail
