"""Visas and shifts are shown in the admin, never written there (their services check and audit)."""

import pytest
from django.test import Client

from confiance.accounts.tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


@pytest.mark.parametrize("model", ["dayvisa", "shift"])
def test_listed_read_only_in_french(model):
    admin = make_agent(communes=[], role="admin", password=None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    listing = client.get(f"/admin/operations/{model}/")
    assert listing.status_code == 200
    assert client.get(f"/admin/operations/{model}/add/").status_code == 403
