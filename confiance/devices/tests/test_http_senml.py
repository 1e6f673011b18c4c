"""SenML (RFC 8428) resolution: base fields, relative and absolute times, names, values and units."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from confiance.devices.adapters.http.senml import RELATIVE_LIMIT, parse_senml, split_name
from confiance.devices.choices import DeadLetterReason

NOW = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
EPOCH = NOW.timestamp()


def parse(pack, **kwargs):
    return parse_senml(json.dumps(pack), now=NOW, **kwargs)


def only(pack, **kwargs):
    parsed = parse(pack, **kwargs)
    assert not parsed.rejected, parsed.rejected
    return parsed.readings


def refused(pack, **kwargs):
    parsed = parse(pack, **kwargs)
    assert not parsed.readings and len(parsed.rejected) == 1, parsed
    return parsed.rejected[0]


def test_base_name_base_time_and_base_unit_apply_to_the_following_records_until_replaced():
    readings = only([
        {"bn": "essonne-mennecy/", "bt": EPOCH - 100, "bu": "m", "n": "water_level", "v": 1.5},
        {"n": "water_level", "t": 10, "v": 1.6},
        {"bn": "air-mennecy/", "n": "pm10", "u": "ug/m3", "v": 12, "t": 20},
        {"n": "no2", "u": "ug/m3", "v": 30},
    ])
    assert [(r.device, r.quantity, r.observed_at, r.value) for r in readings] == [
        ("essonne-mennecy", "water_level", NOW - timedelta(seconds=100), 1.5),
        ("essonne-mennecy", "water_level", NOW - timedelta(seconds=90), 1.6),
        ("air-mennecy", "pm10", NOW - timedelta(seconds=80), 12.0),
        ("air-mennecy", "no2", NOW - timedelta(seconds=100), 30.0),
    ]


@pytest.mark.parametrize(("record", "expected"), [
    ({"t": 0}, NOW),  # no absolute time: "roughly now"
    ({}, NOW),  # t and bt absent: zero
    ({"t": -60}, NOW - timedelta(seconds=60)),
    ({"t": 120}, NOW + timedelta(seconds=120)),  # relative, in the future
    ({"t": RELATIVE_LIMIT - 1}, NOW + timedelta(seconds=RELATIVE_LIMIT - 1)),
    ({"t": RELATIVE_LIMIT}, datetime.fromtimestamp(RELATIVE_LIMIT, tz=UTC)),  # from 2**28 on: absolute
    ({"t": EPOCH - 30}, NOW - timedelta(seconds=30)),
    ({"bt": EPOCH, "t": -30.5}, NOW - timedelta(seconds=30.5)),
    ({"bt": -600, "t": 60}, NOW - timedelta(seconds=540)),  # relative base time plus a time
])
def test_time_resolution(record, expected):
    (reading,) = only([{"bn": "essonne-mennecy/", "n": "water_level", "v": 1.0, **record}])
    assert reading.observed_at == expected


@pytest.mark.parametrize("time", ["10", True, 1e300, -1e300, float("inf")])
def test_unreadable_times_are_refused(time):
    rejection = refused([{"bn": "essonne-mennecy/", "n": "water_level", "v": 1.0, "t": time}])
    assert rejection.reason == DeadLetterReason.TIME_INVALID


def test_base_value_is_added_and_booleans_are_one_or_zero():
    readings = only([
        {"bn": "essonne-mennecy/", "bv": 1.0, "n": "water_level", "v": 0.25, "t": -2},
        {"n": "water_level", "t": -1},  # no value: the base value (RFC 8428: a missing field counts as zero)
        {"bn": "smoke-1/", "n": "smoke", "vb": True},
        {"n": "smoke", "vb": False, "t": -5},
    ])
    assert [r.value for r in readings] == [1.25, 1.0, 1.0, 0.0]


@pytest.mark.parametrize(("record", "reason"), [
    ({"vs": "high"}, DeadLetterReason.WRONG_TYPE),
    ({"vd": "aGk"}, DeadLetterReason.WRONG_TYPE),
    ({"s": 12.0}, DeadLetterReason.WRONG_TYPE),
    ({"v": "1.0"}, DeadLetterReason.WRONG_TYPE),
    ({"v": True}, DeadLetterReason.WRONG_TYPE),
    ({"v": 10 ** 400}, DeadLetterReason.WRONG_TYPE),
    ({"vb": 1}, DeadLetterReason.WRONG_TYPE),
    ({}, DeadLetterReason.MALFORMED),
])
def test_values_that_are_not_measurements_are_refused(record, reason):
    rejection = refused([{"bn": "essonne-mennecy/", "n": "water_level", **record}])
    assert rejection.reason == reason and rejection.device == "essonne-mennecy"


@pytest.mark.parametrize(("unit", "value", "expected"), [
    ("m", 1.5, 1.5), ("cm", 150, 1.5), ("mm", 1500, 1.5),
])
def test_water_level_units_are_converted_to_metres(unit, value, expected):
    (reading,) = only([{"bn": "essonne-mennecy/", "n": "water_level", "u": unit, "v": value}])
    assert reading.value == pytest.approx(expected)


@pytest.mark.parametrize(("quantity", "unit", "value", "expected"), [
    ("temperature", "Cel", 21.5, 21.5), ("temperature", "K", 294.65, 21.5),
    ("humidity", "%RH", 55, 55), ("noise_laeq", "dB", 61, 61), ("noise_laeq", "Bspl", 6.1, 61),
    ("rainfall", "mm", 2, 2), ("pm25", "ug/m3", 9, 9), ("battery", "%EL", 80, 80),
    ("signal", "dBm", -90, -90), ("signal", "dBW", -120, -90), ("wind_speed", "km/h", 36, 10),
    ("flow", "m3/s", 4.2, 4.2), ("flow", "l/s", 4200, 4.2),
])
def test_senml_units_map_to_the_platform_units(quantity, unit, value, expected):
    (reading,) = only([{"bn": "station-1/", "n": quantity, "u": unit, "v": value}])
    assert reading.value == pytest.approx(expected)


def test_the_record_unit_wins_over_the_base_unit_and_a_wrong_unit_is_refused():
    parsed = parse([{"bn": "essonne-mennecy/", "bu": "cm", "n": "water_level", "v": 100, "t": -2},
                    {"n": "water_level", "u": "m", "v": 1.1, "t": -1},
                    {"n": "water_level", "u": "Cel", "v": 1.2}])
    assert [r.value for r in parsed.readings] == [pytest.approx(1.0), 1.1]
    (rejection,) = parsed.rejected
    assert rejection.reason == DeadLetterReason.WRONG_TYPE and "« Cel » incompatible avec water_level" in (
        rejection.detail)


def test_unknown_quantity():
    assert refused([{"bn": "essonne-mennecy/", "n": "colour", "v": 1}]).reason == DeadLetterReason.UNKNOWN_QUANTITY


@pytest.mark.parametrize(("name", "parts"), [
    ("essonne-mennecy/water_level", ("essonne-mennecy", "water_level")),
    ("essonne-mennecy:water_level", ("essonne-mennecy", "water_level")),
    ("essonne-mennecy.water_level", ("essonne-mennecy", "water_level")),
    ("urn:dev:ow:10e2073a01080063:temperature", ("10e2073a01080063", "temperature")),
    ("urn:dev:mac:essonne-mennecy/water_level", ("essonne-mennecy", "water_level")),
    ("water_level", None),
    ("essonne-mennecy/", None),
])
def test_names_split_into_device_and_quantity(name, parts):
    assert split_name(name) == parts


def test_a_device_token_may_send_bare_quantity_names():
    (reading,) = only([{"n": "water_level", "v": 1.0}], device="essonne-mennecy")
    assert reading.device == "essonne-mennecy"
    rejection = refused([{"bn": "air-mennecy/", "n": "pm10", "v": 1.0}], device="essonne-mennecy")
    assert rejection.reason == DeadLetterReason.FORBIDDEN and rejection.device == "air-mennecy"


@pytest.mark.parametrize("name", ["-bad/water_level", "essonne mennecy/water_level", "é/water_level", ""])
def test_names_outside_the_rfc_character_set_are_refused(name):
    assert refused([{"n": name, "v": 1}]).reason == DeadLetterReason.MALFORMED


def test_a_gateway_record_naming_no_device_is_refused():
    assert "ne désigne aucun capteur" in refused([{"n": "water_level", "v": 1}]).detail


@pytest.mark.parametrize(("pack", "detail"), [
    ([{"bn": "essonne-mennecy/", "n": "water_level", "v": 1, "crit_": True}], "crit_"),
    ([{"bver": 11, "bn": "essonne-mennecy/", "n": "water_level", "v": 1}], "version SenML 11"),
    ([{"bver": "10", "bn": "essonne-mennecy/", "n": "water_level", "v": 1}], "version SenML invalide"),
    ({"bn": "essonne-mennecy/"}, "tableau JSON"),
    ([], "tableau JSON"),
])
def test_packs_refused_whole(pack, detail):
    rejection = refused(pack)
    assert rejection.reason == DeadLetterReason.MALFORMED and detail in rejection.detail


def test_version_ten_and_unknown_optional_fields_are_accepted():
    readings = only([{"bver": 10, "bn": "essonne-mennecy/", "n": "water_level", "v": 1, "ut": 300, "extra": 1}])
    assert len(readings) == 1


def test_a_bad_record_does_not_stop_the_pack():
    parsed = parse([{"bn": "essonne-mennecy/", "n": "water_level", "v": "x"}, 17,
                    {"n": "water_level", "v": 2.0}])
    assert [r.value for r in parsed.readings] == [2.0]
    assert [r.reason for r in parsed.rejected] == [DeadLetterReason.WRONG_TYPE, DeadLetterReason.MALFORMED]


def test_malformed_json_and_oversize():
    assert parse_senml(b"[{", now=NOW).rejected[0].reason == DeadLetterReason.MALFORMED
    big = json.dumps([{"n": "a/water_level", "v": 1}] * 5001)
    assert parse_senml(big, now=NOW).rejected[0].reason == DeadLetterReason.OVERSIZE
