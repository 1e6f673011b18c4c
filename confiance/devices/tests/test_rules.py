"""Rules evaluated as measurements are stored: alarms raised and cleared once, device states, rule states, live
events, silence found by the sweep, and the cost per batch."""

from datetime import timedelta

import pytest

from confiance.core.models import OutboxEvent
from confiance.devices.choices import AlarmState, AlarmStepKind, Combination, DeviceState, RuleKind
from confiance.devices.models import Alarm, AlarmStep, Device, RuleState
from confiance.devices.rules import active_rules
from confiance.devices.services.sweeps import silence_sweep
from confiance.devices.tests.factories import make_device
from confiance.devices.tests.rules_helpers import T0, make_rule, make_zone, store

pytestmark = pytest.mark.django_db


def alarm_events():
    return [row.payload for row in OutboxEvent.objects.filter(event_type="devices.alarm").order_by("id")]


def test_a_threshold_raises_one_alarm_then_clears_it(world):
    rule = make_rule(world.commune, threshold=2.0, clear_threshold=1.8)
    store("essonne-mennecy", [(0, 1.5), (10, 2.2), (20, 2.4)])
    alarm = Alarm.objects.get()
    assert (alarm.rule_id, alarm.subject, alarm.device_id, alarm.state, alarm.value) == (
        rule.pk, f"device:{world.gauge.pk}", world.gauge.pk, AlarmState.RAISED, 2.2)
    assert "essonne mennecy" in alarm.message and "2,2 m (au-dessus de 2 m)" in alarm.message
    assert "2.2" not in alarm.message
    assert Device.objects.get(pk=world.gauge.pk).state == DeviceState.ALARM
    event = alarm_events()[-1]
    assert (event["id"], event["state"], event["severity_label"], event["device_name"]) == (
        alarm.pk, "raised", "Vigilance", "essonne mennecy")
    assert (event["lat"], event["lon"]) == (world.gauge.lat, world.gauge.lon)
    state = OutboxEvent.objects.filter(event_type="devices.device_state").last().payload
    assert (state["device_id"], state["state"], state["state_label"]) == (world.gauge.pk, "alarm", "En alarme")

    store("essonne-mennecy", [(30, 2.5), (40, 1.9)])  # above, then in the dead band: still raised
    assert Alarm.objects.count() == 1 and Alarm.objects.get().cleared_at is None
    store("essonne-mennecy", [(50, 1.7)])
    alarm.refresh_from_db()
    assert alarm.cleared_at is not None and alarm.resolved_at is None  # open until someone looks
    assert [step.kind for step in alarm.steps.all()] == [AlarmStepKind.RAISED, AlarmStepKind.CLEARED]
    assert Device.objects.get(pk=world.gauge.pk).state == DeviceState.OK
    state = RuleState.objects.get(rule=rule)
    assert state.condition_since is None and state.last_value == 1.7


def test_a_condition_coming_back_before_anyone_looked_raises_the_same_alarm_again(world):
    make_rule(world.commune)
    store("essonne-mennecy", [(0, 3.0), (10, 1.0), (20, 3.0)])
    alarm = Alarm.objects.get()
    assert alarm.cleared_at is None
    assert [step.kind for step in alarm.steps.all()] == [AlarmStepKind.RAISED, AlarmStepKind.CLEARED,
                                                         AlarmStepKind.RAISED]


def test_a_rule_for_every_gauge_of_the_commune_keeps_one_alarm_per_device(world):
    make_rule(world.commune)  # no device: every device of Mennecy measuring the water level
    second = make_device(world.commune, "essonne-mennecy-aval")
    store("essonne-mennecy", [(0, 3.0)])
    store("essonne-mennecy-aval", [(0, 3.5)])
    store("essonne-ormoy", [(0, 9.0)])  # another commune: its own rules only
    assert sorted(Alarm.objects.values_list("device_id", flat=True)) == sorted([world.gauge.pk, second.pk])


def test_a_rule_of_one_device_ignores_the_others_and_other_quantities(world):
    make_rule(world.commune, device=world.gauge)
    make_device(world.commune, "essonne-mennecy-aval")
    store("essonne-mennecy-aval", [(0, 3.0)])
    store("essonne-mennecy", [(0, 95.0)], quantity="battery")
    assert not Alarm.objects.exists()


def test_minimum_duration_across_batches(world):
    make_rule(world.commune, min_duration_s=120)
    store("essonne-mennecy", [(0, 3.0)])
    store("essonne-mennecy", [(60, 3.0)])
    assert not Alarm.objects.exists()
    store("essonne-mennecy", [(120, 3.0)])
    assert Alarm.objects.count() == 1


def test_a_burst_in_one_batch_raises_one_alarm(world):
    make_rule(world.commune)
    store("essonne-mennecy", [(i / 100, 3.0 + i / 1000) for i in range(1000)])
    assert Alarm.objects.count() == 1 and AlarmStep.objects.count() == 1


def test_a_redelivered_batch_is_not_evaluated_twice(world):
    make_rule(world.commune)
    store("essonne-mennecy", [(0, 3.0), (10, 1.0)])
    store("essonne-mennecy", [(0, 3.0), (10, 1.0)])
    assert AlarmStep.objects.count() == 2  # raised, cleared; the duplicates are not new rows


def test_a_rate_rule_raises_on_a_fast_rise(world):
    make_rule(world.commune, name="Montée rapide", kind=RuleKind.RATE, threshold=0.05)
    store("essonne-mennecy", [(0, 1.0), (60, 1.02)])
    assert not Alarm.objects.exists()
    store("essonne-mennecy", [(120, 1.2)])
    alarm = Alarm.objects.get()
    assert "/min" in alarm.message


@pytest.mark.parametrize(("combination", "raised"), [(Combination.ANY, True), (Combination.ALL, False)])
def test_a_combination_of_the_zone_sensors(world, combination, raised):
    zone = make_zone(world.commune)
    Device.objects.filter(pk=world.gauge.pk).update(zone=zone)
    make_device(world.commune, "essonne-mennecy-aval", zone=zone)
    rule = make_rule(world.commune, kind=RuleKind.COMBINATION, zone=zone, combination=combination)
    store("essonne-mennecy", [(0, 3.0)])
    store("essonne-mennecy-aval", [(5, 1.0)])
    assert Alarm.objects.filter(subject=f"zone:{zone.pk}").exists() is raised
    store("essonne-mennecy-aval", [(10, 3.0)])
    alarm = Alarm.objects.get(rule=rule)
    assert alarm.subject == f"zone:{zone.pk}" and zone.name in alarm.message


def test_silence_raises_once_marks_the_device_silent_and_ends_when_it_speaks(world):
    rule = make_rule(world.commune, name="Capteur muet", kind=RuleKind.SILENCE, quantity="", threshold=None,
                     silence_intervals=3, device=world.gauge)
    store("essonne-mennecy", [(0, 1.0)], now=T0)
    assert silence_sweep(now=T0 + timedelta(seconds=3 * 300)) == 0  # exactly three intervals: not yet
    assert silence_sweep(now=T0 + timedelta(seconds=3 * 300 + 1)) == 1
    assert silence_sweep(now=T0 + timedelta(seconds=3 * 300 + 60)) == 0  # once
    alarm = Alarm.objects.get(rule=rule)
    assert "ne donne plus de nouvelles" in alarm.message
    assert Device.objects.get(pk=world.gauge.pk).state == DeviceState.OFFLINE
    store("essonne-mennecy", [(1200, 1.0)], now=T0 + timedelta(seconds=1201))
    alarm.refresh_from_db()
    assert alarm.cleared_at is not None
    assert Device.objects.get(pk=world.gauge.pk).state == DeviceState.OK


def test_a_device_never_heard_of_is_not_silent(world):
    make_rule(world.commune, kind=RuleKind.SILENCE, quantity="", threshold=None)
    assert silence_sweep(now=T0 + timedelta(days=3)) == 0


def test_an_inactive_rule_is_not_evaluated_and_a_saved_rule_is_seen_at_the_next_batch(world):
    rule = make_rule(world.commune, active=False)
    store("essonne-mennecy", [(0, 3.0)])
    assert not Alarm.objects.exists()
    rule.active = True
    rule.save()  # appends a registry revision: every process rebuilds its rules
    store("essonne-mennecy", [(10, 1.0), (20, 3.0)])
    assert Alarm.objects.count() == 1


def test_a_batch_touching_no_rule_costs_one_query(world, django_assert_num_queries):
    make_rule(world.commune, device=world.gauge)
    from confiance.devices.rules import evaluate
    active_rules()
    with django_assert_num_queries(1):  # the newest revision
        evaluate([(world.air.pk, "pm10", T0, 20.0)] * 500, now=T0)


def test_a_batch_cost_does_not_grow_with_its_size(world, django_assert_num_queries):
    make_rule(world.commune)
    store("essonne-mennecy", [(0, 1.0)])  # the state exists
    from confiance.devices.rules import evaluate
    rows = [(world.gauge.pk, "water_level", T0 + timedelta(seconds=1 + i / 100), 1.0) for i in range(2000)]
    with django_assert_num_queries(3):  # the revision, the states locked, the states written
        evaluate(rows, now=T0)


def test_message_figures_are_written_the_french_way(world):
    make_rule(world.commune, threshold=2.3)
    store("essonne-mennecy", [(0, 1.5), (10, 2.2324)])
    assert not Alarm.objects.exists()
    store("essonne-mennecy", [(20, 2.5)])
    assert "2,5 m (au-dessus de 2,3 m)" in Alarm.objects.get().message


def test_figures_keep_three_decimals_at_most_and_no_trailing_zero():
    from confiance.devices.rules import _figure

    assert [_figure(2.5), _figure(2.2324), _figure(50.0), _figure(0.05, signed=True), _figure(-0.5, signed=True),
            _figure(None)] == ["2,5", "2,232", "50", "+0,05", "-0,5", "?"]
