"""Handling alarms: acknowledged, resolved, escalated once, turned into interventions (one click or by the rule),
each step appended with who and when, human steps journaled, other communes' alarms out of reach."""

from datetime import timedelta

import pytest
from django.core import mail

from confiance.accounts.tests.factories import make_actor, make_agent
from confiance.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from confiance.core.models import OutboxEvent
from confiance.devices.choices import AlarmState, AlarmStepKind, DeviceState
from confiance.devices.models import Alarm, Device
from confiance.devices.services.alarms import alarm_acknowledge, alarm_open_intervention, alarm_resolve
from confiance.devices.services.sweeps import devices_sweep, escalation_sweep
from confiance.devices.tests.rules_helpers import T0, make_rule, store
from confiance.operations.choices import InterventionOrigin
from confiance.operations.models import Intervention, InterventionType
from confiance.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return {
        "operator": make_actor(communes=[world.commune], role="csu_operator", password=None),
        "chef": make_actor(communes=[world.commune], role="shift_supervisor", password=None),
        "elected": make_actor(communes=[world.commune], role="elected_official", password=None),
        "other": make_actor(communes=[world.other], role="csu_operator", password=None),
    }


def raise_alarm(world, **rule_fields) -> Alarm:
    make_rule(world.commune, **rule_fields)
    store("essonne-mennecy", [(0, 3.0)], now=T0)
    return Alarm.objects.get()


def steps(alarm: Alarm) -> list[tuple[str, str | None]]:
    return [(step.kind, step.by.username if step.by else None) for step in alarm.steps.select_related("by")]


def test_acknowledge_then_the_condition_goes_resolves_it(world, people):
    alarm = raise_alarm(world)
    operator = people["operator"]
    alarm = alarm_acknowledge(actor=operator, alarm_id=alarm.pk, note="Équipe prévenue",
                              now=T0 + timedelta(minutes=1))
    assert (alarm.state, alarm.acknowledged_by_id) == (AlarmState.ACKNOWLEDGED, operator.agent.pk)
    audit = AuditEntry.objects.get(action="devices.alarm_acknowledge")
    assert (audit.target_id, audit.commune_id, audit.extra["note"]) == (str(alarm.pk), world.commune.pk,
                                                                        "Équipe prévenue")
    store("essonne-mennecy", [(60, 1.0)], now=T0 + timedelta(minutes=2))
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.RESOLVED and alarm.resolved_at is not None
    assert steps(alarm) == [(AlarmStepKind.RAISED, None), (AlarmStepKind.ACKNOWLEDGED, operator.agent.username),
                            (AlarmStepKind.CLEARED, None), (AlarmStepKind.RESOLVED, None)]


def test_acknowledging_an_alarm_whose_condition_went_resolves_it(world, people):
    alarm = raise_alarm(world)
    store("essonne-mennecy", [(60, 1.0)], now=T0 + timedelta(minutes=2))
    alarm = alarm_acknowledge(actor=people["operator"], alarm_id=alarm.pk)
    assert alarm.state == AlarmState.RESOLVED
    assert [kind for kind, _ in steps(alarm)][-2:] == [AlarmStepKind.ACKNOWLEDGED, AlarmStepKind.RESOLVED]


def test_resolve_by_hand_while_the_condition_holds_is_not_raised_again_until_it_comes_back(world, people):
    alarm = raise_alarm(world)
    alarm = alarm_resolve(actor=people["chef"], alarm_id=alarm.pk, note="Fausse alarme, capteur recalé")
    assert alarm.state == AlarmState.RESOLVED
    assert Device.objects.get(pk=world.gauge.pk).state == DeviceState.OK
    assert AuditEntry.objects.filter(action="devices.alarm_resolve", target_id=str(alarm.pk)).exists()
    store("essonne-mennecy", [(60, 3.2)])
    assert Alarm.objects.count() == 1
    store("essonne-mennecy", [(120, 1.0), (180, 3.5)])
    assert Alarm.objects.count() == 2 and Alarm.objects.filter(resolved_at__isnull=True).count() == 1


@pytest.mark.parametrize("service", [alarm_acknowledge, alarm_resolve])
def test_a_resolved_alarm_refuses_further_steps(world, people, service):
    alarm = raise_alarm(world)
    alarm_resolve(actor=people["operator"], alarm_id=alarm.pk)
    with pytest.raises(ApplicationError) as error:
        service(actor=people["operator"], alarm_id=alarm.pk)
    assert error.value.code == "devices_alarm_resolved" and error.value.status_code == 409


def test_acknowledging_twice_is_refused_and_a_long_note_too(world, people):
    alarm = raise_alarm(world)
    with pytest.raises(ApplicationError):
        alarm_acknowledge(actor=people["operator"], alarm_id=alarm.pk, note="x" * 501)
    alarm_acknowledge(actor=people["operator"], alarm_id=alarm.pk)
    with pytest.raises(ApplicationError) as error:
        alarm_acknowledge(actor=people["chef"], alarm_id=alarm.pk)
    assert error.value.code == "devices_alarm_already_acknowledged"


@pytest.mark.parametrize(("who", "error"), [("other", NotFoundError), ("elected", PermissionDeniedError)])
def test_who_may_not_handle_an_alarm_changes_nothing(world, people, who, error):
    alarm = raise_alarm(world)
    for service in (alarm_acknowledge, alarm_resolve, alarm_open_intervention):
        with pytest.raises(error):
            service(actor=people[who], alarm_id=alarm.pk)
    alarm.refresh_from_db()
    assert (alarm.state, alarm.intervention_id, alarm.steps.count()) == (AlarmState.RAISED, None, 1)
    assert not AuditEntry.objects.filter(action__startswith="devices.").exists()


def test_escalation_once_to_the_chefs_de_poste(world, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    chef = make_agent(communes=[world.commune], role="shift_supervisor", password=None)
    chef.email = "chef@mennecy.example"
    chef.save()
    alarm = raise_alarm(world, escalate_after_min=10)
    assert escalation_sweep(now=T0 + timedelta(minutes=9)) == 0
    assert escalation_sweep(now=T0 + timedelta(minutes=10)) == 1
    assert escalation_sweep(now=T0 + timedelta(minutes=30)) == 0
    assert devices_sweep(now=T0 + timedelta(minutes=40))["escalated"] == 0
    alarm.refresh_from_db()
    assert alarm.escalated_at == T0 + timedelta(minutes=10)
    assert [kind for kind, _ in steps(alarm)] == [AlarmStepKind.RAISED, AlarmStepKind.ESCALATED]
    event = OutboxEvent.objects.get(event_type="devices.alarm_escalated")
    assert (event.commune_id, event.payload["id"], event.payload["minutes"]) == (world.commune.pk, alarm.pk, 10)
    assert [message.to for message in mail.outbox] == [["chef@mennecy.example"]]


def test_an_acknowledged_or_cleared_alarm_is_not_escalated(world, people):
    alarm = raise_alarm(world, escalate_after_min=5)
    alarm_acknowledge(actor=people["operator"], alarm_id=alarm.pk)
    make_rule(world.commune, name="Autre", device=world.gauge, threshold=2.5, escalate_after_min=5)
    store("essonne-mennecy", [(10, 2.8), (20, 1.0)], now=T0)  # raised and cleared at once
    assert escalation_sweep(now=T0 + timedelta(hours=1)) == 0


@pytest.fixture
def sensor_type(world):
    return InterventionType.objects.create(commune=world.commune, code="capteur", label="Alarme capteur")


def test_one_click_opens_an_intervention_at_the_sensor(world, people, sensor_type):
    alarm = raise_alarm(world)
    alarm = alarm_open_intervention(actor=people["operator"], alarm_id=alarm.pk)
    intervention = Intervention.objects.get()
    assert alarm.intervention_id == intervention.pk
    assert (intervention.intervention_type_id, intervention.origin) == (sensor_type.pk, InterventionOrigin.ALARM)
    assert (intervention.lat, intervention.lon) == (world.gauge.lat, world.gauge.lon)
    assert f"n° {alarm.pk}" in intervention.description and alarm.rule.name in intervention.description
    assert intervention.created_by_id == people["operator"].agent.pk
    assert AuditEntry.objects.filter(action="devices.alarm_open_intervention").exists()
    assert AuditEntry.objects.filter(action="operations.intervention_create").exists()
    with pytest.raises(ApplicationError) as error:
        alarm_open_intervention(actor=people["operator"], alarm_id=alarm.pk)
    assert error.value.code == "devices_alarm_has_intervention"


def test_one_click_without_any_intervention_type_says_what_to_do(world, people):
    alarm = raise_alarm(world)
    with pytest.raises(ApplicationError) as error:
        alarm_open_intervention(actor=people["operator"], alarm_id=alarm.pk)
    assert "capteur" in error.value.message
    assert not Intervention.objects.exists()


def test_a_rule_opens_its_intervention_by_itself_with_its_own_type(world, sensor_type):
    flood = InterventionType.objects.create(commune=world.commune, code="crue", label="Crue")
    alarm = raise_alarm(world, opens_intervention=True, intervention_type_code="crue")
    intervention = Intervention.objects.get()
    assert (alarm.intervention_id, intervention.intervention_type_id) == (intervention.pk, flood.pk)
    assert intervention.created_by_id is None
    audit = AuditEntry.objects.get(action="operations.intervention_create")
    assert "Crue de l'Essonne" in audit.actor_label
    assert [kind for kind, _ in steps(alarm)] == [AlarmStepKind.RAISED, AlarmStepKind.INTERVENTION]
    assert OutboxEvent.objects.filter(event_type="devices.alarm").last().payload["intervention_id"] == intervention.pk


def test_an_automatic_intervention_that_cannot_open_leaves_the_alarm_and_the_values(world):
    alarm = raise_alarm(world, opens_intervention=True)  # no intervention type in the commune
    assert alarm.intervention_id is None
    Device.objects.filter(pk=world.gauge.pk).update(lat=48.58, lon=2.445)  # now in Ormoy
    InterventionType.objects.create(commune=world.commune, code="capteur", label="Capteur")
    make_rule(world.commune, name="Autre", threshold=2.5, opens_intervention=True)
    result = store("essonne-mennecy", [(10, 2.8)])
    assert result.stored == 1 and Alarm.objects.count() == 2 and not Intervention.objects.exists()


def test_alarm_events_reach_every_sensor_viewer_and_escalations_the_chefs_only(world, people):
    from confiance.core.live_rules import stream_filter_for

    elected, chef = (stream_filter_for(people[who]) for who in ("elected", "chef"))
    other = stream_filter_for(people["other"])
    assert elected.allows(world.commune.pk, "devices.alarm") and elected.allows(world.commune.pk,
                                                                                "devices.device_state")
    assert not elected.allows(world.commune.pk, "devices.alarm_escalated")
    assert chef.allows(world.commune.pk, "devices.alarm_escalated")
    assert not other.allows(world.commune.pk, "devices.alarm")
