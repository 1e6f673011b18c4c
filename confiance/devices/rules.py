"""The rule engine: run on the new measurements of a batch, inside the transaction that stores them.

A commune's rules say when an alarm is raised:
- **threshold**: the value is above (or below) `threshold`; with hysteresis, the condition only goes once the value
  is back beyond `clear_threshold` (between the two, it stays as it was); with `min_duration_s`, the condition must
  hold that long (measured between observations) before the alarm is raised;
- **rate**: the change per minute from the previous value is above (or below) `threshold`, with the same
  hysteresis (`clear_threshold`) and minimum duration;
- **combination**: any (or all) of the sensors of a zone measuring the quantity are beyond the threshold (each
  with its hysteresis); the subject is the zone, the minimum duration counts for the zone;
- **silence**: no data for `silence_intervals` reporting intervals: evaluated by the sweep (`services/sweeps.py`);
  here only its end, when a silent device speaks again.

Where a rule stands for a subject is a `RuleState` row (since when its condition holds, the last value and time),
locked for the batch (`SELECT ... FOR UPDATE` in key order on PostgreSQL; SQLite writers take turns) and written
back in one statement (`sql.upsert_rule_states`). Values of a
batch are evaluated in observation order; a value older than the state's last one (a late or redelivered message
that another worker overtook) changes nothing. An alarm is raised when the condition has held `min_duration_s` for
the first time since it began (a transition, not a level), and cleared when it goes: so a condition that lasts for
hours raises one alarm, and one resolved by hand is not raised again until the condition goes and comes back.

Cheap per batch: the active rules are kept per process (`RevisionedCache` on `RegistryRevision`, which every save
of a rule, a device or a quantity moves), indexed by (device, quantity); a batch touching no rule costs one query
(the revision), one that does costs three (states locked, states written, and the revision), whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from confiance.core.numbers import number
from confiance.core.revisions import RevisionedCache, Revisions
from confiance.devices.choices import QUANTITY_UNITS, Combination, Comparison, Quantity, RuleKind
from confiance.devices.models import Device, DeviceQuantity, RegistryRevision, Rule, RuleState
from confiance.devices.services.alarms import Verdict, alarm_clear, alarm_raise
from confiance.devices.sql import Row, upsert_rule_states
from confiance.privacy.services import audit_chains_reserve
from confiance.territory.models import Zone

RAISE, CLEAR = "raise", "clear"


@dataclass(frozen=True, slots=True)
class RuleEntry:
    id: int
    commune_id: int
    name: str
    kind: str
    quantity: str
    device_id: int | None
    zone_id: int | None
    comparison: str
    threshold: float | None
    clear_threshold: float | None
    min_duration_s: int
    silence_intervals: int
    combination: str
    severity: int
    opens_intervention: bool


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: int
    commune_id: int
    name: str
    zone_id: int | None
    reporting_interval_s: int


@dataclass(frozen=True)
class ActiveRules:
    rules: dict[int, RuleEntry]
    devices: dict[int, DeviceInfo]
    # (device id, quantity) -> threshold, rate and combination rules evaluated on its values
    by_key: dict[tuple[int, str], tuple[RuleEntry, ...]]
    # device id -> its silence rules (their end is seen here, their start by the sweep)
    silence_by_device: dict[int, tuple[RuleEntry, ...]]
    # silence or combination rule id -> the devices it watches
    members: dict[int, tuple[int, ...]]
    zone_names: dict[int, str]


def _applies(rule: RuleEntry, device: DeviceInfo, measured: set[str]) -> bool:
    if rule.kind == RuleKind.COMBINATION:
        return device.zone_id is not None and device.zone_id == rule.zone_id and rule.quantity in measured
    if rule.device_id is not None:
        return rule.device_id == device.id and (not rule.quantity or rule.quantity in measured)
    return device.commune_id == rule.commune_id and (not rule.quantity or rule.quantity in measured)


def _build(revisions: Revisions) -> ActiveRules:
    measured: dict[int, set[str]] = defaultdict(set)
    for device_id, quantity in DeviceQuantity.objects.values_list("device_id", "quantity"):
        measured[device_id].add(quantity)
    devices = {pk: DeviceInfo(pk, commune_id, name, zone_id, interval) for pk, commune_id, name, zone_id, interval
               in Device.objects.filter(active=True).values_list("id", "commune_id", "name", "zone_id",
                                                                 "reporting_interval_s")}
    rules = {}
    for row in Rule.objects.filter(active=True).values_list(
            "id", "commune_id", "name", "kind", "quantity", "device_id", "zone_id", "comparison", "threshold",
            "clear_threshold", "min_duration_s", "silence_intervals", "combination", "severity", "opens_intervention"):
        rule = RuleEntry(*row)
        if rule.kind != RuleKind.SILENCE and (rule.threshold is None or not rule.quantity):
            continue  # incomplete (the admin refuses it): nothing to compare with
        rules[rule.id] = rule
    by_commune: dict[int, list[DeviceInfo]] = defaultdict(list)
    for device in devices.values():
        by_commune[device.commune_id].append(device)
    by_key: dict[tuple[int, str], list[RuleEntry]] = defaultdict(list)
    silence: dict[int, list[RuleEntry]] = defaultdict(list)
    members: dict[int, tuple[int, ...]] = {}
    for rule in rules.values():
        watched = [device.id for device in by_commune[rule.commune_id] if _applies(rule, device, measured[device.id])]
        if rule.kind == RuleKind.SILENCE:
            for device_id in watched:
                silence[device_id].append(rule)
        else:
            for device_id in watched:
                by_key[(device_id, rule.quantity)].append(rule)
        members[rule.id] = tuple(sorted(watched))
    zone_ids = {rule.zone_id for rule in rules.values() if rule.zone_id is not None}
    zone_names = dict(Zone.objects.filter(pk__in=zone_ids).values_list("id", "name")) if zone_ids else {}
    return ActiveRules(rules=rules, devices=devices, by_key={key: tuple(value) for key, value in by_key.items()},
                       silence_by_device={key: tuple(value) for key, value in silence.items()}, members=members,
                       zone_names=zone_names)


rules_cache: RevisionedCache[ActiveRules] = RevisionedCache(RegistryRevision, build=_build)


def active_rules() -> ActiveRules:
    return rules_cache.current()


def device_subject(device_id: int) -> str:
    return f"device:{device_id}"


def zone_subject(zone_id: int | None) -> str:
    return f"zone:{zone_id}"


def member_subject(zone_id: int | None, device_id: int) -> str:
    return f"zone:{zone_id}/device:{device_id}"


# --- Pure evaluation ----------------------------------------------------------------------------


@dataclass
class Track:
    """A rule's state for one subject, in memory while a batch is evaluated."""

    condition_since: datetime | None = None
    last_value: float | None = None
    last_at: datetime | None = None
    changed: bool = field(default=False, compare=False)


def condition_holds(rule: RuleEntry, value: float, was_on: bool) -> bool:
    """Beyond the threshold: on; back beyond the clear threshold: off; in between (hysteresis): as it was."""
    assert rule.threshold is not None
    trip = rule.threshold
    if rule.comparison == Comparison.BELOW:
        back = max(trip, rule.clear_threshold) if rule.clear_threshold is not None else trip
        return True if value < trip else (False if value >= back else was_on)
    back = min(trip, rule.clear_threshold) if rule.clear_threshold is not None else trip
    return True if value > trip else (False if value <= back else was_on)


def advance(rule: RuleEntry, track: Track, at: datetime, on: bool, value: float) -> str | None:
    """Move a subject's state to an observation at `at`; RAISE when the condition has just held `min_duration_s`,
    CLEAR when a condition that had (so an alarm was raised) goes."""
    event = None
    since = track.condition_since
    if on:
        armed_before = since is not None and track.last_at is not None and (
            (track.last_at - since).total_seconds() >= rule.min_duration_s)
        if since is None:
            since = track.condition_since = at
        if not armed_before and (at - since).total_seconds() >= rule.min_duration_s:
            event = RAISE
    elif since is not None:
        if track.last_at is not None and (track.last_at - since).total_seconds() >= rule.min_duration_s:
            event = CLEAR
        track.condition_since = None
    track.last_value, track.last_at, track.changed = value, at, True
    return event


def rate_per_minute(track: Track, at: datetime, value: float) -> float | None:
    if track.last_at is None or track.last_value is None:
        return None
    seconds = (at - track.last_at).total_seconds()
    return (value - track.last_value) * 60 / seconds if seconds > 0 else None


def _stale(track: Track, at: datetime) -> bool:
    return track.last_at is not None and at <= track.last_at


@dataclass(frozen=True)
class Outcome:
    rule: RuleEntry
    subject: str
    event: str
    device_id: int | None
    value: float
    at: datetime
    detail: float  # the value compared: the measurement, or the rate per minute


def run_single(rule: RuleEntry, track: Track, subject: str, device_id: int,
               values: Sequence[tuple[datetime, float]]) -> list[Outcome]:
    """A threshold or rate rule over one device's values (time order)."""
    outcomes = []
    for at, value in values:
        if _stale(track, at):
            continue
        compared = value
        if rule.kind == RuleKind.RATE:
            rate = rate_per_minute(track, at, value)
            if rate is None:
                track.last_value, track.last_at, track.changed = value, at, True
                continue
            compared = rate
        on = condition_holds(rule, compared, track.condition_since is not None)
        event = advance(rule, track, at, on, value)
        if event:
            outcomes.append(Outcome(rule, subject, event, device_id, value, at, compared))
    return outcomes


def run_combination(rule: RuleEntry, zone: Track, members: dict[int, Track],
                    values: Sequence[tuple[datetime, int, float]]) -> list[Outcome]:
    """A combination over the zone's sensors: each member on or off (with hysteresis), the zone any or all."""
    outcomes = []
    for at, device_id, value in values:
        member = members[device_id]
        if _stale(member, at) or (zone.last_at is not None and at < zone.last_at):
            continue
        member_on = condition_holds(rule, value, member.condition_since is not None)
        member.condition_since = (member.condition_since or at) if member_on else None
        member.last_value, member.last_at, member.changed = value, at, True
        states = [track.condition_since is not None for track in members.values()]
        on = all(states) if rule.combination == Combination.ALL else any(states)
        event = advance(rule, zone, at, on, value)
        if event:
            outcomes.append(Outcome(rule, zone_subject(rule.zone_id), event, device_id, value, at, value))
    return outcomes


# --- Batch --------------------------------------------------------------------------------------


def load_tracks(pairs: Iterable[tuple[int, str]], *, create: set[tuple[int, str]]) -> dict[tuple[int, str], Track]:
    """The states of these (rule, subject) pairs, locked until the transaction ends; the missing ones among
    `create` are inserted first (two workers inserting the same one: the second does nothing)."""
    pairs = set(pairs)
    if not pairs:
        return {}

    def read(wanted: set[tuple[int, str]]) -> dict[tuple[int, str], Track]:
        rows = (RuleState.objects.select_for_update(no_key=True)
                .filter(rule_id__in={rule for rule, _ in wanted}, subject__in={subject for _, subject in wanted})
                .order_by("rule_id", "subject")
                .values_list("rule_id", "subject", "condition_since", "last_value", "last_at"))
        return {(rule, subject): Track(since, value, at) for rule, subject, since, value, at in rows
                if (rule, subject) in wanted}

    found = read(pairs)
    missing = (pairs & create) - found.keys()
    if missing:
        RuleState.objects.bulk_create([RuleState(rule_id=rule, subject=subject) for rule, subject in sorted(missing)],
                                      ignore_conflicts=True)
        found.update(read(missing))
    return found


def save_tracks(tracks: dict[tuple[int, str], Track]) -> None:
    """Write back the states a batch moved (one statement, `sql.upsert_rule_states`)."""
    rows = [(rule_id, subject, track.condition_since, track.last_value, track.last_at)
            for (rule_id, subject), track in tracks.items() if track.changed]
    if rows:
        upsert_rule_states(rows)


def _figure(value: float | None, *, signed: bool = False) -> str:
    """A measured value or threshold as a French reader reads it: "2,5", "2,232", "50" (at most 3 decimals)."""
    if value is None:
        return "?"
    text = number(value, 3, grouping=False)
    return f"+{text}" if signed and round(value, 3) > 0 else text


def _message(cache: ActiveRules, outcome: Outcome) -> str:
    rule = outcome.rule
    device = cache.devices.get(outcome.device_id) if outcome.device_id is not None else None
    unit = QUANTITY_UNITS.get(rule.quantity, "")
    quantity = str(Quantity(rule.quantity).label) if rule.quantity in Quantity.values else rule.quantity
    words = {"rule": rule.name, "device": device.name if device else "?", "quantity": quantity,
             "value": _figure(outcome.value), "unit": unit, "threshold": _figure(rule.threshold),
             "direction": str(Comparison(rule.comparison).label), "rate": _figure(outcome.detail, signed=True),
             "zone": cache.zone_names.get(rule.zone_id or 0, "?"),
             "combination": str(Combination(rule.combination).label)}
    if rule.kind == RuleKind.RATE:
        text = _("%(rule)s : %(device)s, %(quantity)s varie de %(rate)s %(unit)s/min (%(direction)s %(threshold)s "
                 "%(unit)s/min), dernière valeur %(value)s %(unit)s.")
    elif rule.kind == RuleKind.COMBINATION:
        text = _("%(rule)s : zone %(zone)s, %(combination)s %(direction)s %(threshold)s %(unit)s (%(device)s : "
                 "%(value)s %(unit)s).")
    else:
        text = _("%(rule)s : %(device)s, %(quantity)s %(value)s %(unit)s (%(direction)s %(threshold)s %(unit)s).")
    return " ".join((text % words).split())


def _apply(cache: ActiveRules, outcomes: Sequence[Outcome], now: datetime) -> None:
    # Alarms are published as they are raised; the interventions some of them open are audited after that.
    audit_chains_reserve(outcome.rule.commune_id for outcome in outcomes
                         if outcome.event == RAISE and outcome.rule.opens_intervention)
    for outcome in outcomes:
        rule = outcome.rule
        if outcome.event == RAISE:
            alarm_raise(verdict=Verdict(
                rule_id=rule.id, commune_id=rule.commune_id, subject=outcome.subject, device_id=outcome.device_id,
                value=outcome.value, message=_message(cache, outcome), severity=rule.severity,
                opens_intervention=rule.opens_intervention), now=now)
        else:
            alarm_clear(rule_id=rule.id, subject=outcome.subject, value=outcome.value, now=now,
                        note=_("Dernière valeur : %(value)s.") % {"value": _figure(outcome.value)})


def evaluate(rows: Sequence[Row], *, now: datetime) -> None:
    """Evaluate the rules touching these new measurements (device, quantity, observation time, value)."""
    cache = active_rules()
    by_key: dict[tuple[int, str], list[tuple[datetime, float]]] = defaultdict(list)
    heard: set[int] = set()
    for device_id, quantity, observed_at, value in rows:
        heard.add(device_id)
        if (device_id, quantity) in cache.by_key:
            by_key[(device_id, quantity)].append((observed_at, value))
    silent_pairs = {(rule.id, device_subject(device_id)) for device_id in heard
                    for rule in cache.silence_by_device.get(device_id, ())}
    if not by_key and not silent_pairs:
        return
    singles: dict[tuple[int, str], tuple[RuleEntry, int, list[tuple[datetime, float]]]] = {}
    zones: dict[int, list[tuple[datetime, int, float]]] = defaultdict(list)
    for (device_id, _quantity), values in by_key.items():
        values.sort()
        for rule in cache.by_key[(device_id, _quantity)]:
            if rule.kind == RuleKind.COMBINATION:
                zones[rule.id].extend((at, device_id, value) for at, value in values)
            else:
                singles[(rule.id, device_subject(device_id))] = (rule, device_id, values)
    needed = set(singles)
    for rule_id in zones:
        rule = cache.rules[rule_id]
        needed.add((rule_id, zone_subject(rule.zone_id)))
        needed.update((rule_id, member_subject(rule.zone_id, member)) for member in cache.members[rule_id])
    tracks = load_tracks(needed | silent_pairs, create=needed)
    outcomes: list[Outcome] = []
    for key, (rule, device_id, values) in singles.items():
        outcomes += run_single(rule, tracks[key], key[1], device_id, values)
    for rule_id, zone_values in zones.items():
        rule = cache.rules[rule_id]
        members = {member: tracks[(rule_id, member_subject(rule.zone_id, member))]
                   for member in cache.members[rule_id]}
        outcomes += run_combination(rule, tracks[(rule_id, zone_subject(rule.zone_id))], members,
                                    sorted(zone_values))
    back = [key for key in silent_pairs if key in tracks and tracks[key].condition_since is not None]
    for key in back:
        tracks[key].condition_since, tracks[key].changed = None, True
    save_tracks(tracks)
    _apply(cache, outcomes, now)
    for rule_id, subject in sorted(back):
        alarm_clear(rule_id=rule_id, subject=subject, value=None, now=now, note=_("Le capteur émet de nouveau."))
