"""Position services: fixes kept in order, refusals counted per tracker and reason, tracker keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.core.errors import NotFoundError
from confiance.operations.drafts import PositionFix
from confiance.operations.errors import OperationsError
from confiance.operations.models import RejectedPosition, UnitPosition
from confiance.operations.services.positions import (
    position_record_for_agent,
    positions_store,
    tracker_authenticate,
    unit_tracker_set,
)

pytestmark = pytest.mark.django_db


def test_positions_newest_moves_the_unit_and_only_the_crew_shares(world):
    unit = world.units[0]
    now = timezone.now()
    position_record_for_agent(actor=world.agent, unit=unit, fix=PositionFix(48.5612, 2.4115, now))
    positions_store([(unit.pk, PositionFix(48.50, 2.30, now - timedelta(minutes=1)), "osmand")])
    unit.refresh_from_db()
    assert (unit.lat, unit.lon) == (48.5612, 2.4115)  # the older fix is kept in history, the unit does not jump
    assert UnitPosition.objects.filter(unit=unit).count() == 2
    with pytest.raises(NotFoundError):
        position_record_for_agent(actor=world.agent, unit=world.units[1], fix=PositionFix(48.56, 2.41, now))


def test_tracker_key_command_issues_a_key_that_authenticates(world):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("tracker_key", "91386", "PM 2", "traceur-pm2", stdout=out)
    key = out.getvalue().split("clé ")[1].split()[0]
    assert tracker_authenticate("traceur-pm2", key) == world.units[1].pk
    assert tracker_authenticate("traceur-pm2", "mauvaise") is None
    with pytest.raises(OperationsError):
        unit_tracker_set(actor=world.chef, unit=world.units[0], tracker_id="traceur-pm2")  # taken


@pytest.mark.parametrize("shift, point, reason", [
    (timedelta(0), (91.0, 2.4), "coordonnees_invalides"),
    (timedelta(0), (0.0, 0.0), "coordonnees_invalides"),
    (timedelta(hours=1), (48.56, 2.41), "horodatage_futur"),
    (-timedelta(days=3), (48.56, 2.41), "horodatage_trop_ancien"),
    (None, (48.56, 2.41), "horodatage_invalide"),
], ids=["latitude", "null_island", "future", "too_old", "naive"])
def test_refused_positions_are_counted_per_reason(world, shift, point, reason):
    now = timezone.now()
    recorded_at = now.replace(tzinfo=None) if shift is None else now + shift
    with pytest.raises(OperationsError) as excinfo:
        position_record_for_agent(actor=world.agent, unit=world.units[0], fix=PositionFix(*point, recorded_at))
    assert excinfo.value.details["reason"] == reason
    assert RejectedPosition.objects.get(reason=reason).count == 1
    assert not UnitPosition.objects.exists()


def test_refusals_add_up_per_tracker_and_reason(world):
    now = timezone.now()
    for point in [(91.0, 2.4), (0.0, 0.0)]:
        with pytest.raises(OperationsError):
            position_record_for_agent(actor=world.agent, unit=world.units[0], fix=PositionFix(*point, now))
    with pytest.raises(OperationsError):
        position_record_for_agent(actor=world.agent, unit=world.units[0],
                                  fix=PositionFix(48.56, 2.41, now + timedelta(hours=1)))
    counts = dict(RejectedPosition.objects.values_list("reason", "count"))
    assert counts["coordonnees_invalides"] == 2 and counts["horodatage_futur"] == 1
