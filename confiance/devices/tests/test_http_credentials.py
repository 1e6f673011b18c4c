"""Failed credentials are security events, coalesced per source, target and window."""

from datetime import UTC, datetime, timedelta

import pytest

from confiance.devices.choices import SecurityEventKind
from confiance.devices.models import SecurityEvent
from confiance.devices.services.credentials import FAILED_CREDENTIALS_WINDOW, failed_credentials_record

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_attempts_from_one_source_within_the_window_increment_one_row():
    for second in range(0, 50):
        failed_credentials_record(source="10.0.0.7", detail=f"essai {second}", now=T0 + timedelta(seconds=second))
    assert SecurityEvent.objects.count() == 1
    event = SecurityEvent.objects.get()
    assert (event.kind, event.count, event.detail, event.occurred_at) == (
        SecurityEventKind.FAILED_CREDENTIALS, 50, "essai 49", T0)


def test_after_the_window_a_new_row_starts():
    failed_credentials_record(source="10.0.0.7", detail="a", now=T0)
    later = failed_credentials_record(source="10.0.0.7", detail="b", now=T0 + FAILED_CREDENTIALS_WINDOW
                                      + timedelta(seconds=1))
    assert SecurityEvent.objects.count() == 2 and later.count == 1


def test_other_sources_and_targets_get_their_own_rows(world):
    failed_credentials_record(source="10.0.0.7", detail="a", now=T0)
    failed_credentials_record(source="10.0.0.8", detail="a", now=T0)
    targeted = failed_credentials_record(source="10.0.0.7", detail="secret", now=T0, gateway_id=world.gateway.pk,
                                         commune_id=world.commune.pk)
    assert SecurityEvent.objects.count() == 3
    assert (targeted.gateway_id, targeted.commune_id, targeted.count) == (world.gateway.pk, world.commune.pk, 1)
