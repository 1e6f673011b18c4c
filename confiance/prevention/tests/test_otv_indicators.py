"""The "avant" indicators of analytics filled from OTV: exact for the police, coarsened and masked for an élu."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.analytics.selectors import phase_indicators
from confiance.prevention.tests.otv_factories import away_now

pytestmark = pytest.mark.django_db


def _avant(actor, world):
    today = timezone.localdate()
    result = phase_indicators(actor=actor, commune_ids=[world.commune.pk], start=today - timedelta(days=6),
                              end=today)
    return {item["key"]: item for item in result["communes"][0]["avant"]}


def test_the_police_read_exact_counts_an_elu_coarse_ones(otv_world):
    for index in range(7):
        away_now(otv_world, address=f"{index} Rue des Lilas")
    chef = Actor(agent=make_agent(password=None, communes=[otv_world.commune], role="shift_supervisor"))
    police = _avant(chef, otv_world)
    assert police["otv_homes"]["value"] == 7 and police["otv_passages"]["value"] == 0
    elected = _avant(otv_world.elected, otv_world)
    assert elected["otv_homes"]["value"] == 5  # coarsened to fives
    assert elected["otv_passages"]["value"] is None and elected["otv_passages"]["value_masked"]  # 0 < 5: masked
