"""The demo: templates and a past alert loaded once; the demo flood makes the operator draft and submit an alert
that the élu approves and sends."""

import io
import random
from datetime import UTC, datetime, timedelta

import pytest

from confiance.accounts.access import Actor
from confiance.accounts.demo_data import load as load_accounts
from confiance.accounts.models import Agent
from confiance.alerts import simulation as alerts_simulation
from confiance.alerts.choices import AlertStatus, Risk
from confiance.alerts.demo_data import APPROVER, DRAFTER, PAST_IDENTIFIER
from confiance.alerts.demo_data import load as load_alerts
from confiance.alerts.models import Alert
from confiance.alerts.services.publication import alert_approve
from confiance.devices import simulation as devices_simulation
from confiance.devices.demo_data import load as load_devices
from confiance.devices.models import Alarm
from confiance.territory.demo_data import load as load_territory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.CONFIANCE_DEMO_GATEWAY_TOKEN = "demogw01.demo-gateway-secret"
    for load in (load_territory, load_accounts, load_devices, load_alerts):
        load(actor=None, stdout=io.StringIO())
    devices_simulation.reset()
    yield
    devices_simulation.reset()


def test_loading_twice_changes_nothing(demo):
    load_alerts(actor=None, stdout=io.StringIO())
    past = Alert.objects.get(identifier=PAST_IDENTIFIER)
    assert Alert.objects.count() == 1 and past.status == AlertStatus.PUBLISHED and not past.is_in_force


def test_demo_flood_drafts_an_alert_the_elu_approves_and_sends(demo):
    rng = random.Random(1)
    for index in range(devices_simulation.CYCLE_S // 2 // devices_simulation.INTERVAL + 3):
        devices_simulation.step(rng=rng, stdout=io.StringIO(),
                                now=T0 + timedelta(seconds=index * devices_simulation.INTERVAL))
    assert Alarm.objects.filter(rule__name__contains="alerte crue", resolved_at__isnull=True).exists()
    alerts_simulation.step(rng=rng, stdout=io.StringIO())
    alerts_simulation.step(rng=rng, stdout=io.StringIO())  # one draft per flood
    draft = Alert.objects.get(risk=Risk.FLOOD)
    assert draft.status == AlertStatus.AWAITING_APPROVAL and draft.author.username == DRAFTER
    assert draft.source_alarm_id is not None and draft.area["features"]
    published = alert_approve(actor=Actor(agent=Agent.objects.get(username=APPROVER)), alert_id=draft.pk)
    assert published.status == AlertStatus.PUBLISHED and published.cap_xml
