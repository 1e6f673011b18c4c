"""Open311 client applications: a key shown once, refused when missing, unknown, revoked or chosen."""

import pytest

from confiance.accounts.tests.factories import make_actor
from confiance.privacy.models import AuditEntry
from confiance.reports.errors import ReportError, ReportErrorCode
from confiance.reports.services.client_applications import client_application_authenticate, client_application_create
from confiance.reports.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_a_new_client_gets_a_key_once_and_is_authenticated_by_it(world, settings):
    settings.DEMO_MODE = False
    admin = make_actor(communes=[world.commune])
    client, key = client_application_create(actor=admin, name="Nouvelle appli", communes=[world.commune])
    assert key.startswith("o311_") and client.key_prefix == key[:8] and key not in client.key_hash
    assert client_application_authenticate(key).pk == client.pk
    assert client_application_authenticate(key).last_used_at is not None
    assert AuditEntry.objects.filter(action="reports.client_create").count() == 1


@pytest.mark.parametrize(("key", "code"), [
    ("", ReportErrorCode.API_KEY_MISSING),
    (None, ReportErrorCode.API_KEY_MISSING),
    ("o311_inconnue", ReportErrorCode.API_KEY_INVALID),
])
def test_missing_and_unknown_keys_are_refused(world, key, code):
    with pytest.raises(ReportError) as caught:
        client_application_authenticate(key)
    assert caught.value.code == code and caught.value.status_code == 403


def test_a_chosen_key_is_refused_outside_demo_mode(world, settings):
    settings.DEMO_MODE = False
    with pytest.raises(ReportError) as caught:
        client_application_create(actor=make_actor(communes=[world.commune]), name="Appli", key="ma-cle-a-moi")
    assert caught.value.code == ReportErrorCode.CHOSEN_KEY_REFUSED
    assert not AuditEntry.objects.filter(action="reports.client_create").exists()
