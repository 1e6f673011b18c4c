"""Purges of Participation citoyenne and of the réserve: everything due, nothing more (the day before, the day
after); the register's declarations and the person finders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.prevention.drafts import VolunteerDraft
from confiance.prevention.models import Observation, Referent, ReserveVolunteer
from confiance.prevention.persons import find_referents, find_volunteers
from confiance.prevention.services.participation import observation_submit, referent_revoke
from confiance.prevention.services.reserve import volunteer_enrol
from confiance.prevention.tests.participation_world import make_world, observation_draft
from confiance.privacy.processing import registered_person_finders, registered_processings
from confiance.privacy.retention_engine import apply_rule, registered_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def rule(name):
    return next(r for r in registered_rules() if r.name == name)


def purge(name, now):
    return apply_rule(rule(name), now=now, batch_size=100).processed


def test_revoked_referents_are_purged_after_the_delay_not_before(world, settings):
    settings.CONFIANCE_REFERENT_RETENTION_DAYS = 30
    observation = observation_submit(referent=world.referent, draft=observation_draft())
    referent_revoke(actor=world.elected, referent=world.referent)
    revoked_at = Referent.objects.get().revoked_at
    assert purge("prevention.referents", revoked_at + timedelta(days=29)) == 0
    assert purge("prevention.referents", revoked_at + timedelta(days=30, seconds=-1)) == 0
    assert purge("prevention.referents", revoked_at + timedelta(days=31)) == 1
    assert not Referent.objects.exists()
    observation.refresh_from_db()
    assert observation.referent_id is None  # the fact stays, without its author


def test_active_referents_are_never_purged(world):
    assert purge("prevention.referents", timezone.now() + timedelta(days=3650)) == 0
    assert Referent.objects.count() == 1


def test_observations_are_purged_after_the_months(world, settings):
    settings.CONFIANCE_OBSERVATION_RETENTION_MONTHS = 12
    old = observation_submit(referent=world.referent, draft=observation_draft())
    now = old.created_at + timedelta(days=365)
    assert purge("prevention.observations", now - timedelta(days=1)) == 0
    fresh = observation_submit(referent=world.referent, draft=observation_draft())
    Observation.objects.filter(pk=fresh.pk).update(created_at=old.created_at + timedelta(days=2))
    assert purge("prevention.observations", now + timedelta(days=1)) == 1
    assert list(Observation.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_volunteers_are_purged_after_leaving(world, settings):
    settings.CONFIANCE_RESERVE_RETENTION_DAYS = 90
    today = timezone.localdate()
    left = [volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="A", last_name=f"Parti {days}", email=f"p{days}@example.test")) for days in (89, 91)]
    staying = volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="B", last_name="Reste", email="r@example.test"))
    for volunteer, days in zip(left, (89, 91), strict=True):
        ReserveVolunteer.objects.filter(pk=volunteer.pk).update(left_on=today - timedelta(days=days))
    assert purge("prevention.reserve_volunteers", timezone.now()) == 1
    assert set(ReserveVolunteer.objects.values_list("pk", flat=True)) == {left[0].pk, staying.pk}


def test_register_and_finders_are_declared(world):
    keys = {p.key for p in registered_processings()}
    assert {"prevention.participation", "prevention.reserve"} <= keys
    rules = {r.name for r in registered_rules()}
    for processing in registered_processings():
        if processing.key.startswith("prevention.") and processing.key in {"prevention.participation",
                                                                            "prevention.reserve"}:
            assert set(processing.retention_rules) <= rules
    assert {"prevention.referents", "prevention.volunteers"} <= {f.key for f in registered_person_finders()}
    [match] = find_referents(email="CLAIRE@example.test", commune_ids=[world.commune.pk])
    assert match.data["nom"] == "Martin" and not match.erasable
    assert find_referents(email="claire@example.test", commune_ids=[world.other.pk]) == []
    volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=VolunteerDraft(
        first_name="Marc", last_name="Durand", phone="0601020304"))
    [match] = find_volunteers(name="marc durand", commune_ids=[world.commune.pk])
    assert match.erasable


def test_avant_indicators_count_referents_and_observations_masked_for_the_elected(world):

    from confiance.analytics.selectors import phase_indicators
    from confiance.prevention.tests.participation_world import actor

    for _ in range(2):
        observation_submit(referent=world.referent, draft=observation_draft())
    today = timezone.localdate()

    def avant(who):
        result = phase_indicators(actor=who, commune_ids=[world.commune.pk], start=today - timedelta(days=6),
                                  end=today)
        return {i["key"]: i for i in result["communes"][0]["avant"]}
    police = avant(world.agent)
    assert police["referents"]["value"] == 1 and police["observations"]["value"] == 2
    elected = avant(world.elected)
    assert elected["referents"]["value"] == 1  # the élu names them: no secret
    assert elected["observations"]["value"] is None and elected["observations"]["value_masked"]
    analyst = actor(world.commune, "csu_operator")
    assert avant(analyst)["observations"]["value"] == 2
