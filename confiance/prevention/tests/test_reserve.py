"""Réserve communale: volunteers, a mobilisation by e-mail and SMS, answers by link, missions and hours."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.core.models import OutboxEvent
from confiance.prevention.drafts import MissionDraft, MobilisationDraft, VolunteerDraft
from confiance.prevention.errors import PreventionError, PreventionErrorCode
from confiance.prevention.links import answer_token, read_answer_token
from confiance.prevention.models import MobilisationAnswer, ReserveVolunteer
from confiance.prevention.selectors.reserve import mobilisation_answers, volunteer_list_for_actor
from confiance.prevention.services.reserve import (
    answer_counts,
    mission_assign,
    mission_create,
    mission_hours_record,
    mobilisation_answer,
    mobilisation_close,
    mobilisation_start,
    volunteer_enrol,
    volunteer_leave,
)
from confiance.prevention.tests.participation_world import make_world
from confiance.territory.models import CrisisSharing

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks, settings, tmp_path):
    settings.CONFIANCE_SMS_FILE = tmp_path / "sms.log"
    with django_capture_on_commit_callbacks(execute=True):
        return make_world()


def enrol(world, name="Durand", skills=("secourisme",), **changes):
    draft = VolunteerDraft(first_name="Marc", last_name=name, email=f"{name.lower()}@example.test",
                           phone="06 01 02 03 04", skills=list(skills), availability=["soir"], **changes)
    return volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=draft)


def test_mobilisation_reaches_each_volunteer_by_email_and_sms_with_their_own_link(world, tmp_path,
                                                                                  django_capture_on_commit_callbacks):
    first, second = enrol(world, "Durand"), enrol(world, "Petit", skills=("logistique",))
    crisis = CrisisSharing.objects.create(name="Crue de l'Essonne")
    crisis.communes.add(world.commune)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk, draft=MobilisationDraft(
            title="Crue", message="Rendez-vous au gymnase à 18 h.", crisis_id=crisis.pk))
    assert mobilisation.contacted == 2 and mobilisation.crisis == crisis
    assert sorted(m.to[0] for m in mail.outbox) == ["durand@example.test", "petit@example.test"]
    sms = [line.split("\t") for line in (tmp_path / "sms.log").read_text().splitlines()]
    assert [s[2] for s in sms] == ["0601020304", "0601020304"] and "gymnase" in sms[0][3]
    assert sorted(s[1] for s in sms) == sorted(f"reserve-{mobilisation.pk}-{v.pk}" for v in (first, second))
    tokens = {read_answer_token(m.body.rsplit("/reserve/reponse/", 1)[1].strip("/ \n")) for m in mail.outbox}
    assert tokens == {(mobilisation.pk, first.pk), (mobilisation.pk, second.pk)}


def test_mobilisation_may_call_only_some_skills(world):
    enrol(world, "Durand")
    enrol(world, "Petit", skills=("logistique",))
    mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk, draft=MobilisationDraft(
        title="Sacs de sable", message="Au centre technique.", skills=["logistique"]))
    assert mobilisation.contacted == 1


def test_a_crisis_not_of_the_commune_is_refused(world):
    crisis = CrisisSharing.objects.create(name="Ailleurs")
    crisis.communes.add(world.other)
    with pytest.raises(PreventionError):
        mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                           draft=MobilisationDraft(title="x", message="y", crisis_id=crisis.pk))


def test_answers_are_appended_the_latest_counts_and_go_live(world):
    volunteer = enrol(world)
    mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                                      draft=MobilisationDraft(title="Crue", message="Venez."))
    mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk, answer="indisponible")
    mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk, answer="disponible")
    assert MobilisationAnswer.objects.count() == 2
    assert answer_counts(mobilisation.pk) == {"disponible": 1, "indisponible": 0}
    [row] = mobilisation_answers(mobilisation=mobilisation)
    assert row["answer"] == "disponible"
    event = OutboxEvent.objects.filter(event_type="prevention.reserve.answer").order_by("-pk").first()
    assert event.payload["available"] == 1 and event.payload["mobilisation_id"] == mobilisation.pk


def test_a_closed_mobilisation_or_a_wrong_link_takes_no_answer(world):
    volunteer = enrol(world)
    mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                                      draft=MobilisationDraft(title="Crue", message="Venez."))
    assert read_answer_token(answer_token(mobilisation.pk, volunteer.pk) + "x") is None
    with pytest.raises(PreventionError):
        mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk, answer="peut-être")
    mobilisation_close(actor=world.elected, mobilisation=mobilisation)
    with pytest.raises(PreventionError) as error:
        mobilisation_answer(mobilisation_id=mobilisation.pk, volunteer_id=volunteer.pk, answer="disponible")
    assert error.value.code == PreventionErrorCode.MOBILISATION_CLOSED
    assert not MobilisationAnswer.objects.exists()


def test_missions_assignments_and_hours(world):
    volunteer = enrol(world)
    mission = mission_create(actor=world.elected, commune_id=world.commune.pk, draft=MissionDraft(
        title="Accueil des évacués", starts_at=timezone.now(), place="Gymnase"))
    assignment = mission_assign(actor=world.elected, mission=mission, volunteer_id=volunteer.pk)
    with pytest.raises(PreventionError):
        mission_assign(actor=world.elected, mission=mission, volunteer_id=volunteer.pk)
    mission_hours_record(actor=world.elected, assignment=assignment, hours="3,5")
    assignment.refresh_from_db()
    assert str(assignment.hours) == "3.50"
    for bad in ("-1", "1000", "NaN", "abc", "Infinity"):
        with pytest.raises(PreventionError):
            mission_hours_record(actor=world.elected, assignment=assignment, hours=bad)
    [row] = volunteer_list_for_actor(actor=world.elected)
    assert row.hours_done == assignment.hours
    with pytest.raises(PreventionError):
        mission_create(actor=world.elected, commune_id=world.commune.pk, draft=MissionDraft(
            title="x", starts_at=timezone.now(), ends_at=timezone.now() - timedelta(hours=1)))


def test_a_volunteer_who_left_is_not_called_nor_assigned(world):
    volunteer = enrol(world)
    volunteer_leave(actor=world.elected, volunteer=volunteer)
    mobilisation = mobilisation_start(actor=world.elected, commune_id=world.commune.pk,
                                      draft=MobilisationDraft(title="Crue", message="Venez."))
    assert mobilisation.contacted == 0
    mission = mission_create(actor=world.elected, commune_id=world.commune.pk,
                             draft=MissionDraft(title="x", starts_at=timezone.now()))
    with pytest.raises(PreventionError):
        mission_assign(actor=world.elected, mission=mission, volunteer_id=volunteer.pk)


@pytest.mark.parametrize("draft", [
    VolunteerDraft(first_name="", last_name="X", email="x@example.test"),
    VolunteerDraft(first_name="A", last_name="X"),  # no way to reach them
    VolunteerDraft(first_name="A", last_name="X", email="x@example.test", skills=["plongée"]),
    VolunteerDraft(first_name="A", last_name="X", phone="12"),
])
def test_bad_volunteers_are_refused(world, draft):
    with pytest.raises(PreventionError):
        volunteer_enrol(actor=world.elected, commune_id=world.commune.pk, draft=draft)
    assert not ReserveVolunteer.objects.exists()


@pytest.mark.parametrize("who", ["agent", "technician", "dpo", "other_elected"])
def test_only_the_reserve_managers_of_the_commune(world, who):
    actor = getattr(world, who)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        volunteer_enrol(actor=actor, commune_id=world.commune.pk,
                        draft=VolunteerDraft(first_name="A", last_name="B", email="a@example.test"))
    enrol(world)
    assert volunteer_list_for_actor(actor=actor) == []
