"""What the communes of a crisis share (interventions, units, alarms), exactly for its duration, and what a commune
outside it sees: nothing. The élu follows the crisis without gaining any police file."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from confiance.accounts.choices import Permission
from confiance.core.errors import NotFoundError
from confiance.crisis.access import crisis_get_for_actor
from confiance.crisis.selectors import crisis_state, flood_suggestion
from confiance.crisis.services import crisis_close, crisis_declare
from confiance.devices.access import visible_commune_ids as devices_visible
from confiance.devices.selectors.alarms import alarms_for_actor
from confiance.operations.access import visible_commune_ids as operations_visible
from confiance.operations.selectors import intervention_list_for_actor, unit_list_for_actor
from confiance.territory.choices import CrisisKind

pytestmark = pytest.mark.django_db


def _seen(actor, communes):
    return {
        "interventions": {i.commune_id for i in intervention_list_for_actor(actor=actor, commune_ids=communes)},
        "units": {u.commune_id for u in unit_list_for_actor(actor=actor, commune_ids=communes)},
        "alarms": {a.commune_id for a in alarms_for_actor(actor=actor, commune_ids=communes)},
    }


def test_sharing_holds_for_the_crisis_and_ends_at_its_last_second(world):
    mennecy, ormoy = world.ops.commune.pk, world.ops.other.pk
    start = timezone.now() - timedelta(hours=3)
    end = start + timedelta(hours=2)
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, commune_ids=[mennecy, ormoy], now=start)
    crisis_close(actor=world.chef_both, crisis=crisis, now=end)
    everything = {mennecy, ormoy, world.outside.pk}
    for moment, shared in ((start - timedelta(seconds=1), False), (start, True), (end - timedelta(seconds=1), True),
                           (end, False), (end + timedelta(seconds=1), False)):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            assert (mennecy in operations_visible(world.other_operator)) is shared, moment
            assert (mennecy in devices_visible(world.other_operator)) is shared, moment
            seen = _seen(world.other_operator, everything)
            expected = {ormoy, mennecy} if shared else {ormoy}
            assert seen["interventions"] <= expected and seen["units"] == expected and seen["alarms"] == expected
            assert (mennecy in seen["interventions"]) is shared


def test_a_commune_outside_the_crisis_sees_nothing_of_it(world):
    mennecy, ormoy = world.ops.commune.pk, world.ops.other.pk
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, commune_ids=[mennecy, ormoy])
    seen = _seen(world.outsider_operator, {mennecy, ormoy, world.outside.pk})
    assert seen == {"interventions": set(), "units": set(), "alarms": {world.outside.pk}}
    for actor in (world.outsider_operator, world.outsider_chef):
        with pytest.raises(NotFoundError):
            crisis_get_for_actor(actor=actor, crisis_id=crisis.pk)
    # and the partners of the crisis see nothing of the commune outside
    assert world.outside.pk not in _seen(world.other_operator, {world.outside.pk})["alarms"]


def test_the_crisis_view_over_every_commune(world):
    mennecy, ormoy = world.ops.commune.pk, world.ops.other.pk
    crisis = crisis_declare(actor=world.chef_both, kind=CrisisKind.FLOOD, commune_ids=[mennecy, ormoy])
    state = crisis_state(actor=world.other_operator, crisis=crisis)
    assert {row["commune_id"] for row in state["alarms"]} == {mennecy, ormoy}
    assert {row["commune_id"] for row in state["units"]} == {mennecy, ormoy}
    assert {row["commune_id"] for row in state["interventions"]} == {mennecy}
    assert len(state["steps"]) > 0 and state["log"][0]["kind"] == "declared"
    crisis_close(actor=world.chef_both, crisis=crisis)
    after = crisis_state(actor=world.other_operator, crisis=crisis)
    assert {row["commune_id"] for row in after["alarms"]} == {ormoy} and after["interventions"] == []


def test_the_elu_follows_the_crisis_without_police_files(world):
    crisis = crisis_declare(actor=world.elected, kind=CrisisKind.FLOOD, commune_ids=[world.ops.commune.pk])
    assert not world.elected.can_anywhere(Permission.OPERATIONS_VIEW)
    assert world.elected.can(Permission.CRISIS_DECLARE, world.ops.commune.pk)
    state = crisis_state(actor=world.elected, crisis=crisis)
    assert state["interventions"] is None and state["units"] is None
    assert {row["commune_id"] for row in state["alarms"]} == {world.ops.commune.pk}
    assert operations_visible(world.elected) == set()
    assert list(intervention_list_for_actor(actor=world.elected)) == []


def test_the_flood_alarms_suggest_a_crisis_with_their_communes(world):
    suggestion = flood_suggestion(actor=world.chef_both)
    assert suggestion["kind"] == CrisisKind.FLOOD
    assert suggestion["commune_ids"] == sorted([world.ops.commune.pk, world.ops.other.pk])
    assert flood_suggestion(actor=world.elected)["commune_ids"] == [world.ops.commune.pk]
    assert flood_suggestion(actor=world.ops.operator) is None  # may not declare
