"""Police operations services: main courante, interventions, units, assignments, positions, dispatch, crisis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from confiance.core.errors import NotFoundError, PermissionDeniedError
from confiance.core.models import OutboxEvent
from confiance.operations import selectors, services
from confiance.operations.choices import InterventionStatus, Milestone
from confiance.operations.dispatch import recommend
from confiance.operations.errors import OperationsError, OperationsErrorCode
from confiance.operations.models import Assignment, LogEntry, RejectedPosition, Unit, UnitPosition
from confiance.operations.sensitive import sensitive_matches
from confiance.operations.services import PersonDraft, PositionFix
from confiance.operations.tests.factories import POINT_A, POINT_B, ago, call, entry, make_actor, make_ops_world
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_ops_world()


def code_of(excinfo) -> str:
    return excinfo.value.code


# --- Main courante --------------------------------------------------------------------------


def test_entry_numbered_audited_and_published(world):
    first = services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(
        world, persons=[PersonDraft(role="requerant", last_name="Martin", first_name="Léa", phone="0600000000")]))
    second = services.log_entry_create(actor=world.operator, commune_id=world.commune.pk, draft=entry(world))
    year = timezone.localtime().year
    assert first.number == f"MC-{year}-000001" and second.number == f"MC-{year}-000002"
    assert first.purpose == "autres_missions" and first.persons.get().last_name == "Martin"
    assert AuditEntry.objects.filter(action="operations.log_entry_create", target_id=str(first.pk)).exists()
    assert OutboxEvent.objects.filter(event_type="operations.log_entry", commune_id=world.commune.pk).count() == 2
    infraction = services.log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                                           draft=entry(world, nature_id=world.infraction.pk))
    assert infraction.purpose == "infractions"


@pytest.mark.parametrize("text, category", [
    ("Le mis en cause, d'origine maghrébine, a pris la fuite.", "origine"),
    ("Individu connu comme militant d'extrême droite.", "opinions"),
    ("La requérante, musulmane pratiquante, se plaint.", "religion"),
    ("Il est délégué syndical chez le transporteur.", "syndicat"),
    ("Personne séropositive, sous traitement médical.", "sante"),
    ("Couple homosexuel insulté dans la rue.", "sexualite"),
])
def test_forbidden_categories_warned_then_confirmed(world, text, category):
    with pytest.raises(OperationsError) as excinfo:
        services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world, text))
    assert code_of(excinfo) == OperationsErrorCode.SENSITIVE_DATA and excinfo.value.status_code == 422
    assert category in {match["category"] for match in excinfo.value.details["matches"]}
    assert not LogEntry.objects.exists()
    saved = services.log_entry_create(actor=world.agent, commune_id=world.commune.pk,
                                      draft=entry(world, text, acknowledge_sensitive=True))
    assert category in {match["category"] for match in saved.sensitive_acknowledged}
    audit = AuditEntry.objects.get(action="operations.log_entry_create")
    assert category in audit.extra["sensitive_confirmed"]


def test_ordinary_text_passes_the_check():
    assert sensitive_matches("Véhicule stationné sur le trottoir devant l'école, conducteur verbalisé.") == []
    assert sensitive_matches("Tapage nocturne, musique forte, rappel à l'ordre effectué.") == []


def test_sensitive_words_in_persons_are_caught(world):
    with pytest.raises(OperationsError) as excinfo:
        services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(
            world, persons=[PersonDraft(role="temoin", last_name="Durand", address="Hôpital psychiatrique")]))
    assert code_of(excinfo) == OperationsErrorCode.SENSITIVE_DATA


def test_entry_bad_input(world):
    cases = [
        (entry(world, occurred_at=timezone.now() + timedelta(hours=1)), OperationsErrorCode.TIME_INVALID),
        (entry(world, nature_id=world.other_nature.pk), OperationsErrorCode.NATURE_UNKNOWN),
        (entry(world, source="rumeur"), OperationsErrorCode.NATURE_UNKNOWN),
        (entry(world, "x" * 4001), OperationsErrorCode.TEXT_TOO_LONG),
        (entry(world, "   "), OperationsErrorCode.TEXT_TOO_LONG),
        (entry(world, lat=95.0, lon=2.4), OperationsErrorCode.LOCATION_INVALID),
        (entry(world, persons=[PersonDraft(role="suspect", last_name="X")]), OperationsErrorCode.PERSON_INVALID),
        (entry(world, persons=[PersonDraft(role="temoin", last_name="")]), OperationsErrorCode.PERSON_INVALID),
        (entry(world, report_id=999999), OperationsErrorCode.LINK_INVALID),
    ]
    for draft, code in cases:
        with pytest.raises(OperationsError) as excinfo:
            services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=draft)
        assert code_of(excinfo) == code, draft
    assert not LogEntry.objects.exists()


def test_entry_tenancy_and_roles(world):
    with pytest.raises(NotFoundError):
        services.log_entry_create(actor=world.other_operator, commune_id=world.commune.pk, draft=entry(world))
    with pytest.raises(PermissionDeniedError):
        services.log_entry_create(actor=world.elected, commune_id=world.commune.pk, draft=entry(world))
    services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world))
    assert list(selectors.log_entry_list_for_actor(actor=world.other_operator)) == []
    assert list(selectors.log_entry_list_for_actor(actor=world.elected)) == []


def test_grace_period_then_correction(world):
    created = services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world),
                                        now=ago(minutes=5))
    services.log_entry_edit(actor=world.agent, entry=created, draft=entry(world, "Musique forte au 5 rue des Lilas."))
    created.refresh_from_db()
    assert created.text.startswith("Musique forte au 5")
    with pytest.raises(OperationsError) as excinfo:
        services.log_entry_edit(actor=world.operator, entry=created, draft=entry(world, "Autre"))
    assert code_of(excinfo) == OperationsErrorCode.NOT_AUTHOR
    old = services.log_entry_create(actor=world.agent, commune_id=world.commune.pk, draft=entry(world),
                                    now=ago(hours=2))
    with pytest.raises(OperationsError) as excinfo:
        services.log_entry_edit(actor=world.agent, entry=old, draft=entry(world, "Réécrit"))
    assert code_of(excinfo) == OperationsErrorCode.GRACE_PERIOD_OVER
    correction = services.log_entry_correct(actor=world.agent, entry=old, draft=entry(world, "Rectificatif : n° 5."))
    old.refresh_from_db()
    assert correction.corrects_id == old.pk and old.text == "Musique forte signalée au 3 rue des Lilas."


# --- Interventions ------------------------------------------------------------------------


def test_intervention_with_checklist_and_closure(world):
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    assert intervention.status == InterventionStatus.OPEN and intervention.priority == 3
    steps = list(intervention.steps.order_by("id"))
    assert [s.mandatory for s in steps] == [True, False]
    with pytest.raises(OperationsError) as excinfo:
        services.intervention_close(actor=world.operator, intervention=intervention, reason="traite")
    assert code_of(excinfo) == OperationsErrorCode.STEPS_PENDING
    with pytest.raises(OperationsError):
        services.intervention_step_skip(actor=world.operator, intervention=intervention, step_id=steps[0].pk,
                                        reason="")
    services.intervention_step_skip(actor=world.operator, intervention=intervention, step_id=steps[0].pk,
                                    reason="Requérant injoignable")
    skipped = OutboxEvent.objects.get(event_type="operations.step_skipped")
    assert skipped.payload["step"] == "Contacter le requérant"
    with pytest.raises(OperationsError) as excinfo:
        services.intervention_close(actor=world.operator, intervention=intervention, reason="classé")
    assert code_of(excinfo) == OperationsErrorCode.CLOSURE_INVALID
    closed = services.intervention_close(actor=world.operator, intervention=intervention, reason="gendarmerie")
    assert closed.status == InterventionStatus.CLOSED and closed.closed_at
    with pytest.raises(OperationsError) as excinfo:
        services.intervention_step_done(actor=world.operator, intervention=closed, step_id=steps[1].pk)
    assert code_of(excinfo) == OperationsErrorCode.CLOSED


def test_intervention_bad_input_and_tenancy(world):
    for draft, code in [(call(world, type_id=world.other_type.pk), OperationsErrorCode.TYPE_UNKNOWN),
                        (call(world, point=(48.5, 200.0)), OperationsErrorCode.LOCATION_INVALID),
                        (call(world, priority=7), OperationsErrorCode.TYPE_UNKNOWN),
                        (call(world, report_ids=[123456]), OperationsErrorCode.LINK_INVALID),
                        (call(world, point=POINT_B), OperationsErrorCode.LOCATION_INVALID)]:
        with pytest.raises(OperationsError) as excinfo:
            services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=draft)
        assert code_of(excinfo) == code
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    with pytest.raises(NotFoundError):
        selectors.intervention_get_for_actor(actor=world.other_operator, intervention_id=intervention.pk)
    with pytest.raises(NotFoundError):
        services.assignment_engage(actor=world.other_operator, intervention=intervention, unit=world.other_unit)
    assert list(selectors.intervention_list_for_actor(actor=world.other_operator)) == []
    assert list(selectors.unit_list_for_actor(actor=world.other_operator)) == [world.other_unit]


# --- Assignments and milestones -------------------------------------------------------------


def test_engage_milestones_and_intervals(world):
    base = timezone.now()

    def ago(minutes):
        return base - timedelta(minutes=minutes)

    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world),
                                                now=ago(minutes=30))
    unit = world.units[0]
    assignment = services.assignment_engage(actor=world.operator, intervention=intervention, unit=unit,
                                            now=ago(minutes=28))
    unit.refresh_from_db()
    intervention.refresh_from_db()
    assert unit.milestone == Milestone.ENGAGED and intervention.status == InterventionStatus.IN_PROGRESS
    with pytest.raises(OperationsError) as excinfo:  # out of order: sur place before en route is fine, but
        services.assignment_milestone(actor=world.agent, assignment=assignment, step="on_scene_at",
                                      at=ago(minutes=29))  # not before the engagement
    assert code_of(excinfo) == OperationsErrorCode.MILESTONE_ORDER
    with pytest.raises(OperationsError) as excinfo:
        services.assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at",
                                      at=timezone.now() + timedelta(minutes=10))
    assert code_of(excinfo) == OperationsErrorCode.TIME_INVALID
    services.assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at", at=ago(minutes=27))
    services.assignment_milestone(actor=world.agent, assignment=assignment, step="on_scene_at", at=ago(minutes=20))
    with pytest.raises(OperationsError) as excinfo:
        services.assignment_milestone(actor=world.agent, assignment=assignment, step="en_route_at",
                                      at=ago(minutes=19))
    assert code_of(excinfo) == OperationsErrorCode.MILESTONE_WRITTEN
    services.assignment_milestone(actor=world.agent, assignment=assignment, step="finished_at", at=ago(minutes=5))
    unit.refresh_from_db()
    assert unit.milestone == Milestone.AVAILABLE
    figures = selectors.intervals_of(intervention, list(intervention.assignments.all()))
    assert figures == {"prise_en_compte": 120.0, "route": 420.0, "intervention": 600.0, "sur_place": 900.0}
    rows = selectors.interval_report(actor=world.chef, start=timezone.localdate() - timedelta(days=1),
                                     end=timezone.localdate())
    assert rows[0]["interventions"] == 1 and rows[0]["intervention_p50_min"] == 10.0


def test_engaged_unit_needs_override(world):
    first = services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    second = services.intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                          draft=call(world, type_id=world.accident.pk))
    unit = world.units[1]
    services.assignment_engage(actor=world.operator, intervention=first, unit=unit)
    with pytest.raises(OperationsError) as excinfo:
        services.assignment_engage(actor=world.chef, intervention=second, unit=unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_ENGAGED and excinfo.value.status_code == 409
    services.assignment_engage(actor=world.chef, intervention=second, unit=unit, override_reason="Accident grave")
    current = Assignment.objects.get(unit=unit, finished_at__isnull=True)
    assert current.intervention_id == second.pk
    assert Assignment.objects.get(intervention=first).ended_by_override


def test_field_agent_drives_own_unit_only(world):
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    with pytest.raises(PermissionDeniedError):
        services.assignment_engage(actor=world.agent, intervention=intervention, unit=world.units[0])
    services.unit_set_status(actor=world.agent, unit=world.units[0], status_code="6")
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        services.unit_set_status(actor=world.agent, unit=world.units[1], status_code="6")
    with pytest.raises(OperationsError) as excinfo:
        services.unit_set_status(actor=world.agent, unit=world.units[0], status_code="4")
    assert code_of(excinfo) == OperationsErrorCode.MILESTONE_ORDER
    with pytest.raises(OperationsError) as excinfo:
        services.unit_set_status(actor=world.agent, unit=world.units[0], status_code="77")
    assert code_of(excinfo) == OperationsErrorCode.STATUS_UNKNOWN


# --- Positions ------------------------------------------------------------------------------


def test_positions_valid_invalid_and_out_of_order(world):
    unit = world.units[0]
    now = timezone.now()
    services.position_record_for_agent(actor=world.agent, unit=unit, fix=PositionFix(48.5612, 2.4115, now))
    services.positions_store([(unit.pk, PositionFix(48.50, 2.30, now - timedelta(minutes=1)), "osmand")])
    unit.refresh_from_db()
    assert (unit.lat, unit.lon) == (48.5612, 2.4115)  # the older fix is kept in history, the unit does not jump
    assert UnitPosition.objects.filter(unit=unit).count() == 2
    for fix, reason in [(PositionFix(91.0, 2.4, now), "coordonnees_invalides"),
                        (PositionFix(0.0, 0.0, now), "coordonnees_invalides"),
                        (PositionFix(48.56, 2.41, now + timedelta(hours=1)), "horodatage_futur"),
                        (PositionFix(48.56, 2.41, now - timedelta(days=3)), "horodatage_trop_ancien"),
                        (PositionFix(48.56, 2.41, now.replace(tzinfo=None)), "horodatage_invalide")]:
        with pytest.raises(OperationsError) as excinfo:
            services.position_record_for_agent(actor=world.agent, unit=unit, fix=fix)
        assert excinfo.value.details["reason"] == reason
    counts = dict(RejectedPosition.objects.values_list("reason", "count"))
    assert counts["coordonnees_invalides"] == 2 and counts["horodatage_futur"] == 1
    with pytest.raises(NotFoundError):
        services.position_record_for_agent(actor=world.agent, unit=world.units[1], fix=PositionFix(48.56, 2.41, now))


# --- Dispatch -------------------------------------------------------------------------------


def test_recommendation_ranks_by_distance_and_explains(world):
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(48.5605, 2.4105)))
    result = recommend(intervention=intervention)
    assert [c.name for c in result.candidates] == ["PM 1", "PM 2"]
    assert result.candidates[0].reasons[0].endswith("à vol d'oiseau") and not result.by_road
    assert {"name": "PM 3", "unit_id": world.units[2].pk, "reason": "position périmée"} in result.excluded
    assert "Ormoy 1" not in {c.name for c in result.candidates} | {e["name"] for e in result.excluded}
    services.assignment_engage(actor=world.operator, intervention=intervention, unit=world.units[0])
    result = recommend(intervention=intervention)
    assert [c.name for c in result.candidates] == ["PM 2"]
    assert any(e["reason"].startswith("engagée sur INT-") for e in result.excluded)


def test_crisis_sharing_opens_units_across_communes(world):
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(POINT_B[0], 2.419)))
    with pytest.raises(OperationsError) as excinfo:
        services.assignment_engage(actor=world.operator, intervention=intervention, unit=world.other_unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_OUT_OF_REACH
    chef_both = make_chef_of(world)
    sharing = services.crisis_start(actor=chef_both, name="Crue de l'Essonne",
                                    commune_ids=[world.commune.pk, world.other.pk])
    assert world.other_unit in selectors.unit_list_for_actor(actor=world.operator)
    result = recommend(intervention=intervention)
    ormoy = next(c for c in result.candidates if c.name == "Ormoy 1")
    assert "unité de Ormoy (mode crise)" in ormoy.reasons
    services.assignment_engage(actor=world.operator, intervention=intervention, unit=world.other_unit)
    services.crisis_end(actor=chef_both, sharing=sharing)
    assert world.other_unit not in selectors.unit_list_for_actor(actor=world.operator)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        services.crisis_start(actor=world.chef, name="x", commune_ids=[world.commune.pk, world.other.pk])


def make_chef_of(world):
    return make_actor(communes=[world.commune, world.other], role="shift_supervisor")


def test_live_events_keep_police_data_from_other_roles(world):
    from confiance.core.live import read_events_after
    from confiance.core.live_rules import stream_filter_for
    services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    operator_filter = stream_filter_for(world.operator, crisis_widening=selectors.shared_with)
    elected_filter = stream_filter_for(world.elected, crisis_widening=selectors.shared_with)
    seen_by_operator = read_events_after(0, limit=50, stream_filter=operator_filter)
    seen_by_elected = read_events_after(0, limit=50, stream_filter=elected_filter)
    assert any(e.event_type == "operations.intervention_created" for e in seen_by_operator)
    assert not any(e.event_type.startswith("operations.") for e in seen_by_elected)


def test_unit_status_milestones_follow_codes(world):
    unit = world.units[1]
    services.unit_set_status(actor=world.operator, unit=unit, status_code="9")
    assert Unit.objects.get(pk=unit.pk).milestone == Milestone.OFF_DUTY
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk, draft=call(world))
    with pytest.raises(OperationsError) as excinfo:
        services.assignment_engage(actor=world.operator, intervention=intervention, unit=unit)
    assert code_of(excinfo) == OperationsErrorCode.UNIT_UNAVAILABLE
    assert POINT_A


def test_auto_dispatch_is_off_by_default_and_engages_the_first_unit_when_on(world, settings):
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(48.5605, 2.4105)))
    assert not intervention.assignments.exists()
    settings.CONFIANCE_AUTO_DISPATCH = True
    intervention = services.intervention_create(actor=world.operator, commune_id=world.commune.pk,
                                                draft=call(world, point=(48.5605, 2.4105)))
    assignment = intervention.assignments.get()
    assert assignment.unit.name == "PM 1" and assignment.recommended_rank == 1


def test_tracker_key_command_issues_a_key_that_authenticates(world):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("tracker_key", "91386", "PM 2", "traceur-pm2", stdout=out)
    key = out.getvalue().split("clé ")[1].split()[0]
    assert services.tracker_authenticate("traceur-pm2", key) == world.units[1].pk
    assert services.tracker_authenticate("traceur-pm2", "mauvaise") is None
    with pytest.raises(OperationsError):
        services.unit_tracker_set(actor=world.chef, unit=world.units[0], tracker_id="traceur-pm2")  # taken
