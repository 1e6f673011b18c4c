"""Purges: a registration and its passages go CONFIANCE_OTV_PURGE_DAYS days after the return, not a day earlier;
the main courante entries and other registrations stay."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from confiance.operations.models import LogEntry
from confiance.prevention.models import OtvPassage, OtvRegistration
from confiance.prevention.retention import _otv_days  # noqa: F401  (registers the rules)
from confiance.prevention.services.otv_passages import passage_log
from confiance.prevention.tests.otv_factories import away_now
from confiance.privacy.retention_engine import registered_rules, run_all

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _noon(day):
    return datetime.combine(day, time(12), tzinfo=PARIS)


@override_settings(CONFIANCE_OTV_PURGE_DAYS=7)
def test_purge_on_the_day_before_and_the_day_after(otv_world):
    assert {"prevention.otv_registrations", "prevention.otv_cancelled"} <= {rule.name for rule in registered_rules()}
    home = away_now(otv_world)
    later = away_now(otv_world, address="9 Rue des Roses")
    later.returns_on = home.returns_on + timedelta(days=2)
    later.save()
    passage_log(actor=otv_world.agent, registration_id=home.pk, outcome="ras")
    entries = LogEntry.objects.count()
    run_all(now=_noon(home.returns_on + timedelta(days=7)))  # the last day it is kept
    assert OtvRegistration.objects.filter(pk=home.pk).exists() and OtvPassage.objects.count() == 1
    run_all(now=_noon(home.returns_on + timedelta(days=8)))  # the day after: gone, with its passages
    assert not OtvRegistration.objects.filter(pk=home.pk).exists() and not OtvPassage.objects.exists()
    assert OtvRegistration.objects.filter(pk=later.pk).exists()  # returns two days later: kept
    assert LogEntry.objects.count() == entries  # the main courante keeps its own retention


@override_settings(CONFIANCE_OTV_PURGE_DAYS=3)
def test_a_cancelled_registration_goes_after_its_cancellation(otv_world):
    home = away_now(otv_world, status="annulee")
    kept = away_now(otv_world)
    cancelled_at = _noon(home.leaves_on)
    OtvRegistration.objects.filter(pk=home.pk).update(cancelled_at=cancelled_at)
    run_all(now=cancelled_at + timedelta(days=3) - timedelta(minutes=1))
    assert OtvRegistration.objects.filter(pk=home.pk).exists()
    run_all(now=cancelled_at + timedelta(days=3, minutes=1))
    assert not OtvRegistration.objects.filter(pk=home.pk).exists()
    assert OtvRegistration.objects.filter(pk=kept.pk).exists()
