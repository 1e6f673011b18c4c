"""Demo data and simulator of Participation citoyenne and the réserve: loaded once (replayable), live observations."""

import io
import random

import pytest

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.core.models import OutboxEvent
from confiance.prevention import demo_data, simulation
from confiance.prevention.models import (
    MobilisationAnswer,
    Observation,
    ParticipationProtocol,
    Referent,
    ReserveVolunteer,
)
from confiance.prevention.selectors.participation import protocol_reminders
from confiance.territory.tests.factories import make_commune, make_sector

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_the_simulator_posts_observations(settings):
    settings.DEMO_MODE = True
    commune = make_commune(lon=2.40, lat=48.55, insee_code="91386", name="Mennecy")
    make_sector(commune=commune, code="centre", lon=2.40, lat=48.55)
    make_sector(commune=commune, code="levitt", lon=2.41, lat=48.56)
    elected = make_agent(password=None, username="elu", communes=[commune], role="elected_official")
    make_agent(password=None, username="chef", communes=[commune], role="shift_supervisor")
    out = io.StringIO()
    for _ in range(2):
        demo_data.load(actor=None, stdout=out)
    assert ParticipationProtocol.objects.count() == 1 and Referent.objects.count() == 2
    assert Observation.objects.exists() and ReserveVolunteer.objects.count() == len(demo_data.VOLUNTEERS)
    assert MobilisationAnswer.objects.exists()
    assert "/participation/r/" in out.getvalue()
    [reminder] = protocol_reminders(actor=Actor(agent=elected))  # the demo protocol is due for renewal
    assert not reminder.expired
    before = Observation.objects.count()
    simulation.OBSERVATION_CHANCE = 1.0
    try:
        simulation.step(rng=random.Random(1), stdout=io.StringIO())
    finally:
        simulation.OBSERVATION_CHANCE = 0.25
    assert Observation.objects.count() == before + 1
    assert OutboxEvent.objects.filter(event_type="prevention.participation.observation").count() == before + 1
