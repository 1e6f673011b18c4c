"""Query counts of the hypervision list pages and list endpoints, measured and kept as baselines: the count must
not grow with the number of sensors, alarms, dead letters or security events."""

import pytest
from django.test import Client
from django.utils import timezone

from confiance.accounts.tests.factories import make_agent
from confiance.devices.choices import (
    AlarmState,
    DeadLetterReason,
    MeasurementSource,
    Quantity,
    RuleKind,
    SecurityEventKind,
)
from confiance.devices.models import Alarm, DeadLetter, Rule, SecurityEvent
from confiance.devices.services.measurements import measurements_store
from confiance.devices.tests.factories import make_device, readings

pytestmark = pytest.mark.django_db

# (path, baseline) measured on 2026-12-01 with 3 and with 8 extra sensors (each with a value, an open alarm, a
# dead letter and a security event): the session, the agent and its memberships count with the page's own reads.
BASELINES = [
    ("/agents/capteurs/", 11),  # HTML pages: + the crisis banner's one read
    ("/agents/capteurs/etat.json", 9),
    ("/agents/capteurs/sante/", 13),
    ("/agents/capteurs/sante/capteurs.csv", 7),
    ("/agents/capteurs/sante/evenements.csv", 5),
]


@pytest.fixture(autouse=True)
def relax_second_factor(settings):
    settings.CONFIANCE_2FA_RELAXED = True


def populate(world, extra: int):
    now = timezone.now().replace(microsecond=0)
    for number in range(extra):
        device = make_device(world.commune, f"pluie-{number}", quantities=(Quantity.RAINFALL, Quantity.BATTERY))
        measurements_store(readings(device.identifier, Quantity.RAINFALL, [(now, float(number))]),
                           source=MeasurementSource.SIMULATION)
        rule = Rule.objects.create(commune=world.commune, name=f"Pluie {number}", kind=RuleKind.THRESHOLD,
                                   quantity=Quantity.RAINFALL, device=device, threshold=1)
        Alarm.objects.create(commune=world.commune, rule=rule, device=device, subject=f"device:{device.pk}",
                             severity=2, state=AlarmState.RAISED, message=f"Pluie forte {number}")
        DeadLetter.objects.create(source=MeasurementSource.MQTT, reason=DeadLetterReason.WRONG_TYPE,
                                  device_identifier=device.identifier, device=device, commune=world.commune)
        SecurityEvent.objects.create(commune=world.commune, kind=SecurityEventKind.CLOCK_SKEW, device=device,
                                     subject=device.identifier)


@pytest.mark.parametrize("extra", [3, 8])
@pytest.mark.parametrize("path, baseline", BASELINES, ids=[row[0] for row in BASELINES])
def test_list_query_count(world, django_assert_num_queries, path, baseline, extra):
    populate(world, extra)
    client = Client()
    client.force_login(make_agent(communes=[world.commune], role="shift_supervisor", password=None))
    with django_assert_num_queries(baseline):
        response = client.get(path)
    assert response.status_code == 200
