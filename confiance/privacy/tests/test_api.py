"""The journal's API: entries carry their chain, verification reports each chain."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent
from confiance.privacy.services import audit_record
from confiance.privacy.tests.test_journal import drop_guard_triggers
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


@pytest.fixture
def commune():
    return make_commune()


@pytest.fixture
def superuser_client(commune):
    """A DPO of the commune who is also a superuser: sees the commune's entries and the platform's."""
    client = Client()
    client.force_login(make_agent(communes=[commune], role="dpo", superuser=True, password=None))
    return client


def test_entries_carry_their_chain_and_sequence_in_it(superuser_client, commune):
    audit_record(actor=None, action="test.a", commune_id=commune.pk)
    audit_record(actor=None, action="test.b")
    audit_record(actor=None, action="test.c", commune_id=commune.pk)
    items = superuser_client.get("/api/v1/privacy/audit", {"action": "test.a"}).json()["items"]
    assert [(item["chain"], item["sequence"]) for item in items] == [(commune.pk, 1)]
    items = [item for item in superuser_client.get("/api/v1/privacy/audit").json()["items"]
             if item["action"].startswith("test.")]
    assert [(item["action"], item["chain"], item["sequence"]) for item in items] == [
        ("test.c", commune.pk, 2), ("test.b", 0, 1), ("test.a", commune.pk, 1)]


def test_verification_reports_each_chain(superuser_client):
    from confiance.privacy.models import AuditEntry

    audit_record(actor=None, action="test.a", commune_id=999_001)
    audit_record(actor=None, action="test.b", commune_id=999_002)
    report = superuser_client.get("/api/v1/privacy/audit/verify").json()
    assert report["ok"] and report["reason"] == "" and report["first_broken_sequence"] is None
    chains = {chain["chain"]: chain for chain in report["chains"]}
    assert chains[999_001] == {"chain": 999_001, "checked": 1, "first_broken_sequence": None, "reason": ""}
    assert report["checked"] == sum(chain["checked"] for chain in report["chains"])
    drop_guard_triggers()
    AuditEntry.objects.filter(chain=999_002).update(action="forged")
    report = superuser_client.get("/api/v1/privacy/audit/verify").json()
    assert (report["ok"], report["first_broken_sequence"]) == (False, 1)
    assert report["reason"].startswith("chaîne de la commune n° 999002 : ")
    assert {chain["chain"]: chain["first_broken_sequence"] for chain in report["chains"]}[999_002] == 1
