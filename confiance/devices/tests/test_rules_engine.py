"""The rule engine's verdicts, without the database: thresholds with hysteresis and minimum duration, rates,
combinations of a zone's sensors."""

from datetime import UTC, datetime, timedelta

import pytest

from confiance.devices.choices import Combination, Comparison, RuleKind
from confiance.devices.rules import CLEAR, RAISE, RuleEntry, Track, condition_holds, run_combination, run_single

T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def rule(*, kind=RuleKind.THRESHOLD, comparison=Comparison.ABOVE, threshold=2.0, clear=None, min_duration=0,
         combination=Combination.ANY) -> RuleEntry:
    return RuleEntry(id=1, commune_id=1, name="r", kind=kind, quantity="water_level", device_id=None, zone_id=7,
                     comparison=comparison, threshold=threshold, clear_threshold=clear, min_duration_s=min_duration,
                     silence_intervals=3, combination=combination, severity=2, opens_intervention=False)


def events(entry: RuleEntry, series, track: Track | None = None) -> list[tuple[str, int]]:
    """(event, second) for `(second, value)` pairs."""
    track = track or Track()
    values = [(T0 + timedelta(seconds=second), value) for second, value in series]
    return [(o.event, int((o.at - T0).total_seconds())) for o in run_single(entry, track, "device:1", 1, values)]


@pytest.mark.parametrize(("comparison", "threshold", "clear", "value", "was_on", "expected"), [
    (Comparison.ABOVE, 2.0, None, 2.01, False, True),
    (Comparison.ABOVE, 2.0, None, 2.0, False, False),  # at the threshold: not beyond it
    (Comparison.ABOVE, 2.0, None, 2.0, True, False),  # no hysteresis: back at the threshold clears
    (Comparison.ABOVE, 2.0, 1.5, 1.8, True, True),  # in the dead band: stays on
    (Comparison.ABOVE, 2.0, 1.5, 1.8, False, False),  # in the dead band: stays off
    (Comparison.ABOVE, 2.0, 1.5, 1.5, True, False),  # at the clear threshold: off
    (Comparison.ABOVE, 2.0, 3.0, 2.5, True, True),  # a clear threshold on the wrong side counts as the threshold
    (Comparison.BELOW, 0.2, None, 0.19, False, True),
    (Comparison.BELOW, 0.2, None, 0.2, False, False),
    (Comparison.BELOW, 0.2, 0.5, 0.4, True, True),
    (Comparison.BELOW, 0.2, 0.5, 0.5, True, False),
    (Comparison.BELOW, 0.2, 0.5, 0.4, False, False),
])
def test_condition_with_hysteresis(comparison, threshold, clear, value, was_on, expected):
    assert condition_holds(rule(comparison=comparison, threshold=threshold, clear=clear), value, was_on) is expected


@pytest.mark.parametrize(("min_duration", "series", "expected"), [
    (0, [(0, 1.0), (10, 2.5), (20, 2.6), (30, 1.0)], [(RAISE, 10), (CLEAR, 30)]),
    (0, [(0, 2.5)], [(RAISE, 0)]),
    # the condition must have lasted 60 s between observations
    (60, [(0, 2.5), (30, 2.5), (59, 2.5)], []),
    (60, [(0, 2.5), (30, 2.5), (60, 2.5), (90, 2.5)], [(RAISE, 60)]),
    # it broke before the minimum: no alarm, and no clear either; the count starts again
    (60, [(0, 2.5), (50, 1.0), (70, 2.5), (120, 2.5), (130, 2.5)], [(RAISE, 130)]),
    # a long condition raises once
    (0, [(second, 3.0) for second in range(0, 600, 10)], [(RAISE, 0)]),
    # raised, cleared, raised again
    (0, [(0, 3.0), (10, 1.0), (20, 3.0)], [(RAISE, 0), (CLEAR, 10), (RAISE, 20)]),
])
def test_threshold_with_minimum_duration(min_duration, series, expected):
    assert events(rule(min_duration=min_duration), series) == expected


@pytest.mark.parametrize(("clear", "series", "expected"), [
    # without hysteresis, a value wavering around the threshold flaps
    (None, [(0, 2.1), (10, 1.9), (20, 2.1), (30, 1.9)], [(RAISE, 0), (CLEAR, 10), (RAISE, 20), (CLEAR, 30)]),
    # with it, one alarm until the value is really back down
    (1.5, [(0, 2.1), (10, 1.9), (20, 2.1), (30, 1.9), (40, 1.5)], [(RAISE, 0), (CLEAR, 40)]),
])
def test_hysteresis_stops_flapping(clear, series, expected):
    assert events(rule(clear=clear), series) == expected


def test_values_older_than_the_state_change_nothing():
    track = Track()
    assert events(rule(), [(100, 3.0)], track) == [(RAISE, 100)]
    assert events(rule(), [(50, 1.0), (100, 1.0)], track) == []  # late messages, overtaken
    assert track.condition_since == T0 + timedelta(seconds=100)
    assert events(rule(), [(110, 1.0)], track) == [(CLEAR, 110)]


@pytest.mark.parametrize(("comparison", "threshold", "clear", "series", "expected"), [
    # a rise of more than 0.1 m per minute: 0.2 m in 60 s is 0.2/min
    (Comparison.ABOVE, 0.1, None, [(0, 1.0), (60, 1.2), (120, 1.25)], [(RAISE, 60), (CLEAR, 120)]),
    # the first value has no rate: nothing
    (Comparison.ABOVE, 0.1, None, [(0, 5.0)], []),
    # per minute, whatever the spacing: 0.05 m in 10 s is 0.3/min
    (Comparison.ABOVE, 0.1, None, [(0, 1.0), (10, 1.05)], [(RAISE, 10)]),
    # a fall faster than 0.5 per minute, with hysteresis down to -0.1
    (Comparison.BELOW, -0.5, -0.1, [(0, 10), (60, 9), (120, 8.8), (180, 8.75)], [(RAISE, 60), (CLEAR, 180)]),
])
def test_rate_of_change(comparison, threshold, clear, series, expected):
    entry = rule(kind=RuleKind.RATE, comparison=comparison, threshold=threshold, clear=clear)
    assert events(entry, series) == expected


def test_a_rate_continues_from_the_stored_previous_value():
    entry = rule(kind=RuleKind.RATE, threshold=0.1)
    track = Track()
    assert events(entry, [(0, 1.0)], track) == []
    assert events(entry, [(60, 1.5)], track) == [(RAISE, 60)]  # previous value from the state, not the batch


@pytest.mark.parametrize(("combination", "series", "expected"), [
    # any: one sensor over the threshold is enough; it clears when none is
    (Combination.ANY, [(0, 1, 3.0), (5, 2, 1.0), (10, 1, 1.0)], [(RAISE, 0), (CLEAR, 10)]),
    # all: only when both are over
    (Combination.ALL, [(0, 1, 3.0), (5, 2, 1.0), (10, 2, 3.0), (20, 1, 1.0)], [(RAISE, 10), (CLEAR, 20)]),
    # all, a sensor never heard of counts as not over
    (Combination.ALL, [(0, 1, 3.0), (10, 1, 3.5)], []),
])
def test_combination_of_a_zone(combination, series, expected):
    entry = rule(kind=RuleKind.COMBINATION, combination=combination)
    zone, members = Track(), {1: Track(), 2: Track()}
    values = [(T0 + timedelta(seconds=second), device, value) for second, device, value in series]
    got = [(o.event, int((o.at - T0).total_seconds())) for o in run_combination(entry, zone, members, values)]
    assert got == expected


def test_a_combination_keeps_its_minimum_duration_for_the_zone():
    entry = rule(kind=RuleKind.COMBINATION, min_duration=30)
    zone, members = Track(), {1: Track(), 2: Track()}
    values = [(T0, 1, 3.0), (T0 + timedelta(seconds=20), 1, 1.0), (T0 + timedelta(seconds=25), 2, 3.0),
              (T0 + timedelta(seconds=60), 2, 3.1)]
    outcomes = run_combination(entry, zone, members, values)
    assert [(o.event, o.device_id, o.at) for o in outcomes] == [(RAISE, 2, T0 + timedelta(seconds=60))]
