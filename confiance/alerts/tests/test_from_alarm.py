"""An alarm starts a draft alert: risk from the device, the commune's template, the rule's zone as the area."""

import pytest
from django.test import Client
from django.urls import reverse

from confiance.alerts.choices import AlertStatus, Risk
from confiance.alerts.models import Alert
from confiance.devices.models import Alarm
from confiance.devices.tests.factories import make_device
from confiance.devices.tests.rules_helpers import make_rule, make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def alarm(world):
    device = make_device(world.commune, "essonne-test")
    rule = make_rule(world.commune, device=device, zone=make_zone(world.commune), severity=3)
    return Alarm.objects.create(commune=world.commune, rule=rule, device=device, subject=device.identifier,
                                severity=3, message="Essonne à 2,45 m")


def _client(actor, settings):
    settings.CONFIANCE_2FA_RELAXED = True
    client = Client()
    client.force_login(actor.agent)
    return client


def test_alarm_button_drafts_a_prefilled_flood_alert(world, alarm, settings):
    response = _client(world.operator, settings).post(reverse("alerts:from-alarm", args=[alarm.pk]))
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("alerts:edit", args=[alert.pk])
    assert alert.status == AlertStatus.DRAFT and alert.risk == Risk.FLOOD and alert.source_alarm_id == alarm.pk
    assert alert.area["features"][0]["geometry"]["type"] == "Polygon"  # the rule's zone
    assert alert.area_description == "Bords de l'Essonne" and "Essonne à 2,45 m" in alert.description


def test_alarm_button_refused_without_draft_permission_or_commune(world, alarm, settings):
    _client(world.police, settings).post(reverse("alerts:from-alarm", args=[alarm.pk]))
    _client(world.outsider, settings).post(reverse("alerts:from-alarm", args=[alarm.pk]))
    assert not Alert.objects.exists()
