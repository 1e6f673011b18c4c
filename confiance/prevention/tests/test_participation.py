"""Participation citoyenne: protocol, referents, observations, follow-up, messages; and the refusals."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.core.models import OutboxEvent
from confiance.operations.models import Intervention, InterventionType
from confiance.prevention.drafts import ReferentDraft
from confiance.prevention.errors import PreventionError, PreventionErrorCode
from confiance.prevention.models import Observation, ObservationUpdate, ParticipationProtocol, Referent, add_years
from confiance.prevention.selectors.participation import (
    observation_get_for_actor,
    observation_list_for_actor,
    protocol_reminders,
    referent_from_token,
)
from confiance.prevention.services.participation import (
    observation_follow_up,
    observation_submit,
    observation_to_intervention,
    prevention_message_send,
    protocol_record,
    referent_link_renew,
    referent_name,
    referent_revoke,
)
from confiance.prevention.tests.participation_world import (
    IN_B,
    IN_OTHER,
    make_world,
    observation_draft,
    protocol_draft,
)
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_world()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (e-mails) of what the block does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_protocol_lasts_three_years_and_reminds_three_months_before():
    protocol = ParticipationProtocol(signed_on=date(2024, 2, 29), term_years=3)
    assert protocol.ends_on == date(2027, 2, 28) == add_years(date(2024, 2, 29), 3)
    assert not protocol.renewal_due(date(2026, 11, 27)) and protocol.renewal_due(date(2026, 11, 28))


def test_the_elected_is_reminded_of_a_protocol_ending_soon(world):
    assert protocol_reminders(actor=world.elected) == []
    ParticipationProtocol.objects.update(signed_on=timezone.localdate() - timedelta(days=3 * 365 - 30))
    [reminder] = protocol_reminders(actor=world.elected)
    assert reminder.commune_id == world.commune.pk and not reminder.expired
    assert protocol_reminders(actor=world.agent) == []  # the police do not sign protocols
    [missing] = protocol_reminders(actor=world.other_elected)
    assert missing.ends_on is None


def test_protocol_in_the_future_is_refused(world):
    with pytest.raises(PreventionError):
        protocol_record(actor=world.elected, commune_id=world.commune.pk,
                        draft=protocol_draft(timezone.localdate() + timedelta(days=1)))


def test_referent_is_named_with_a_private_link_by_email(world):
    assert world.referent.named_by == world.elected.agent
    assert referent_from_token(world.token) == world.referent
    assert any(world.token in message.body for message in mail.outbox)


def test_a_sector_of_another_commune_is_refused_and_nothing_is_created(world):
    before = Referent.objects.count()
    with pytest.raises(PreventionError) as error:
        referent_name(actor=world.elected, commune_id=world.commune.pk, draft=ReferentDraft(
            sector_id=world.other_sector.pk, first_name="A", last_name="B", email="a@example.test"))
    assert error.value.code == PreventionErrorCode.SECTOR_OTHER_COMMUNE
    assert Referent.objects.count() == before


def test_no_referent_without_a_protocol_in_force(world):
    with pytest.raises(PreventionError) as error:
        referent_name(actor=world.other_elected, commune_id=world.other.pk, draft=ReferentDraft(
            sector_id=world.other_sector.pk, first_name="A", last_name="B", email="a@example.test"))
    assert error.value.code == PreventionErrorCode.NO_PROTOCOL


@pytest.mark.parametrize("who", ["agent", "technician", "dpo", "other_elected"])
def test_only_the_elected_of_the_commune_names_referents(world, who):
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        referent_name(actor=getattr(world, who), commune_id=world.commune.pk, draft=ReferentDraft(
            sector_id=world.sector_a.pk, first_name="A", last_name="B", email="a@example.test"))


def test_observation_reaches_police_live_and_gendarmerie_by_email_without_the_referents_name(world, commit):
    mail.outbox.clear()
    with commit():
        observation = observation_submit(referent=world.referent, draft=observation_draft())
    assert observation.sector == world.sector_a and observation.status == "recue"
    event = OutboxEvent.objects.filter(event_type="prevention.participation.observation").get()
    assert event.payload["observation_id"] == observation.pk and "Martin" not in str(event.payload)
    [message] = mail.outbox
    assert message.to == ["brigade@gendarmerie.test"]
    assert "Camionnette" in message.body and "Martin" not in message.body and "06 12" not in message.body
    assert "Secteur A" in message.body


def test_the_protocol_may_allow_the_referents_contact_in_the_summary(world, commit):
    ParticipationProtocol.objects.update(share_referent_contact=True)
    mail.outbox.clear()
    with commit():
        observation_submit(referent=world.referent, draft=observation_draft())
    assert "Claire Martin" in mail.outbox[0].body and "06 12 34 56 78" in mail.outbox[0].body


def test_an_observation_in_another_sector_is_refused(world):
    for point in (IN_B, IN_OTHER):
        with pytest.raises(PreventionError) as error:
            observation_submit(referent=world.referent, draft=observation_draft(point))
        assert error.value.code == PreventionErrorCode.OUTSIDE_SECTOR
    assert not Observation.objects.exists()


def test_a_revoked_referent_is_refused_and_their_link_dies(world):
    referent_revoke(actor=world.elected, referent=world.referent, reason="Déménagement")
    with pytest.raises(PreventionError) as error:
        referent_from_token(world.token)
    assert error.value.code == PreventionErrorCode.LINK_INVALID
    with pytest.raises(PreventionError) as error:
        observation_submit(referent=world.referent, draft=observation_draft())
    assert error.value.code == PreventionErrorCode.REFERENT_REVOKED
    assert not Observation.objects.exists()
    with pytest.raises(PreventionError):
        referent_revoke(actor=world.elected, referent=world.referent)  # revoked once, never edited


def test_a_renewed_link_replaces_the_old_one(world):
    new = referent_link_renew(actor=world.elected, referent=world.referent)
    assert referent_from_token(new) == world.referent
    with pytest.raises(PreventionError):
        referent_from_token(world.token)


@pytest.mark.parametrize("token", ["", "x", "a" * 400, "eyJyIjoxfQ:1abc:def"])
def test_forged_links_are_refused(world, token):
    with pytest.raises(PreventionError):
        referent_from_token(token)


@pytest.mark.parametrize("text, category", [
    ("J'ai vu M. Dupont rôder autour des voitures.", "nom"),
    ("Le fils Karim était au volant.", "nom"),
    ("Deux jeunes maghrébins regardaient les boîtes aux lettres.", "origine"),
    ("Une femme voilée sonnait aux portes.", "religion"),
])
def test_a_text_naming_or_profiling_a_person_is_warned_then_may_be_confirmed(world, text, category):
    with pytest.raises(PreventionError) as error:
        observation_submit(referent=world.referent, draft=observation_draft(text=text))
    assert error.value.code == PreventionErrorCode.SENSITIVE_DATA and error.value.status_code == 422
    assert category in {match["category"] for match in error.value.details["matches"]}
    assert not Observation.objects.exists()
    observation = observation_submit(referent=world.referent, draft=observation_draft(text=text, confirm_text=True))
    assert category in observation.sensitive_confirmed


@pytest.mark.parametrize("text", ["Camionnette blanche rue Jean Jaurès, direction Corbeil.",
                                  "Alarme de la pharmacie Saint-Pierre.", "Véhicule noir garé depuis 3 jours."])
def test_ordinary_facts_are_not_warned(world, text):
    assert observation_submit(referent=world.referent, draft=observation_draft(text=text)).sensitive_confirmed == []


@pytest.mark.parametrize("changes", [{"kind": "personne_suspecte"}, {"vehicle_colour": "fuchsia"},
                                     {"occurred_at": timezone.now() + timedelta(hours=2)},
                                     {"occurred_at": timezone.now() - timedelta(days=30)}, {"lat": 95.0}])
def test_bad_observation_fields_are_refused(world, changes):
    with pytest.raises(PreventionError):
        observation_submit(referent=world.referent, draft=observation_draft(**changes))


@pytest.mark.parametrize("who", ["elected", "technician", "dpo", "other_elected"])
def test_elected_and_technicians_do_not_read_observations(world, who):
    observation = observation_submit(referent=world.referent, draft=observation_draft())
    actor = getattr(world, who)
    assert observation_list_for_actor(actor=actor) == []
    with pytest.raises(NotFoundError):
        observation_get_for_actor(actor=actor, observation_id=observation.pk)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        observation_follow_up(actor=actor, observation=observation, status="close")


def test_police_reading_goes_to_the_access_log(world):
    observation = observation_submit(referent=world.referent, draft=observation_draft())
    assert observation_list_for_actor(actor=world.agent) == [observation]
    assert AuditEntry.objects.filter(kind="access", target_id=str(observation.pk),
                                     actor_id=world.agent.agent.pk).exists()


def test_follow_up_is_appended_and_shown_to_the_referent(world):
    observation = observation_submit(referent=world.referent, draft=observation_draft())
    observation_follow_up(actor=world.agent, observation=observation, status="prise_en_compte",
                          note="Patrouille prévue ce soir.")
    observation_follow_up(actor=world.agent, observation=observation, status="close")
    steps = list(ObservationUpdate.objects.filter(observation=observation).values_list("status", "note"))
    assert steps == [("recue", ""), ("prise_en_compte", "Patrouille prévue ce soir."), ("close", "")]
    with pytest.raises(PreventionError):
        observation_follow_up(actor=world.agent, observation=observation, status="recue")


def test_an_observation_becomes_an_intervention(world):
    observation = observation_submit(referent=world.referent, draft=observation_draft())
    kind = InterventionType.objects.filter(commune=world.commune).first()
    intervention = observation_to_intervention(actor=world.operator, observation=observation, type_id=kind.pk)
    observation.refresh_from_db()
    assert observation.intervention == intervention and observation.status == "intervention"
    assert intervention.origin == "observation" and "Camionnette" in intervention.description
    with pytest.raises(PreventionError):
        observation_to_intervention(actor=world.operator, observation=observation, type_id=kind.pk)
    assert Intervention.objects.count() == 1


def test_prevention_message_reaches_the_sectors_referents_only(world, commit):
    referent_name(actor=world.elected, commune_id=world.commune.pk, draft=ReferentDraft(
        sector_id=world.sector_b.pk, first_name="Paul", last_name="Durand", email="paul@example.test"))
    mail.outbox.clear()
    with commit():
        message = prevention_message_send(actor=world.agent, commune_id=world.commune.pk,
                                          sector_id=world.sector_a.pk, subject="Vols dans les voitures",
                                          body="Ne laissez rien de visible.")
    assert message.recipients == 1 and [m.to for m in mail.outbox] == [["claire@example.test"]]
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        prevention_message_send(actor=world.technician, commune_id=world.commune.pk, sector_id=None, subject="x",
                                body="y")


def test_the_live_observation_reaches_the_police_streams_only(world):
    from confiance.core.live import read_events_after
    from confiance.core.live_rules import stream_filter_for

    observation_submit(referent=world.referent, draft=observation_draft())

    def received(who):
        events = read_events_after(0, limit=100, stream_filter=stream_filter_for(who))
        return [e for e in events if e.event_type == "prevention.participation.observation"]
    assert len(received(world.agent)) == 1 and len(received(world.operator)) == 1
    for who in (world.elected, world.technician, world.dpo, world.other_elected):
        assert received(who) == []
