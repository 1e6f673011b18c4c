"""Crisis sharing: the plain-SQL read of active sharings matches the ORM's, and the widening it gives."""

from datetime import UTC, datetime, timedelta

import pytest

from confiance.accounts.access import Actor
from confiance.accounts.tests.factories import make_agent
from confiance.territory.errors import TerritoryError, TerritoryErrorCode
from confiance.territory.selectors import crisis_shared_with, crisis_sharing_active_list
from confiance.territory.services import crisis_end, crisis_start
from confiance.territory.sql import crisis_sharing_members
from confiance.territory.tests.factories import make_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return [make_commune(lon=2.40 + 0.03 * n, lat=48.55, insee_code=f"9138{n}", name=f"Commune {n}") for n in range(4)]


@pytest.fixture
def chef(communes):
    return Actor(agent=make_agent(password=None, communes=communes, role="shift_supervisor"))


def test_plain_read_matches_the_orm(communes, chef):
    first = crisis_start(actor=chef, name="Crue", commune_ids=[communes[0].pk, communes[1].pk])
    crisis_start(actor=chef, name="Neige", commune_ids=[communes[1].pk, communes[2].pk])
    ended = crisis_start(actor=chef, name="Incendie", commune_ids=[communes[2].pk, communes[3].pk])
    crisis_end(actor=chef, sharing=ended)
    by_orm = {sharing.pk: {commune.pk for commune in sharing.communes.all()}
              for sharing in crisis_sharing_active_list()}
    assert crisis_sharing_members() == by_orm and len(by_orm) == 2 and first.pk in by_orm
    assert crisis_shared_with({communes[0].pk}) == {communes[0].pk, communes[1].pk}
    assert crisis_shared_with({communes[3].pk}) == {communes[3].pk}
    assert crisis_shared_with({communes[1].pk}) == {communes[0].pk, communes[1].pk, communes[2].pk}


def test_a_crisis_needs_a_commune(communes, chef):
    with pytest.raises(TerritoryError) as excinfo:
        crisis_start(actor=chef, name="Aucune", commune_ids=[])
    assert excinfo.value.code == TerritoryErrorCode.CRISIS_COMMUNES_TOO_FEW
    assert crisis_sharing_members() == {}


def test_sharing_ends_exactly_at_the_end_instant(communes, chef):
    start = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
    end = start + timedelta(hours=5)
    sharing = crisis_start(actor=chef, name="Crue", commune_ids=[communes[0].pk, communes[1].pk], now=start)
    crisis_end(actor=chef, sharing=sharing, now=end)
    pair = {communes[0].pk, communes[1].pk}
    assert crisis_shared_with({communes[0].pk}, at=start - timedelta(seconds=1)) == {communes[0].pk}
    assert crisis_shared_with({communes[0].pk}, at=start) == pair
    assert crisis_shared_with({communes[0].pk}, at=end - timedelta(seconds=1)) == pair
    assert crisis_shared_with({communes[0].pk}, at=end) == {communes[0].pk}
    assert crisis_shared_with({communes[1].pk}, at=end + timedelta(seconds=1)) == {communes[1].pk}
    assert [s.pk for s in crisis_sharing_active_list(end - timedelta(seconds=1))] == [sharing.pk]
    assert crisis_sharing_active_list(end) == []
    sharing.refresh_from_db()
    assert not sharing.active_at(end) and sharing.active_at(end - timedelta(microseconds=1))


def test_a_commune_outside_the_crisis_is_not_widened(communes, chef):
    crisis_start(actor=chef, name="Neige", commune_ids=[communes[0].pk, communes[1].pk])
    assert crisis_shared_with({communes[2].pk}) == {communes[2].pk}
    assert crisis_shared_with({communes[3].pk}) == {communes[3].pk}
