"""The platform JSON format: every payload gives readings or reasons, never an exception."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.devices.choices import DeadLetterReason
from confiance.devices.readings import MAX_PAYLOAD_BYTES, parse_payload, parse_time


def test_one_message_with_several_values():
    parsed = parse_payload(b'{"time": "2026-12-01T10:15:00Z", "values": {"water_level": 1.42, "battery": 87}}',
                           device="essonne-mennecy")
    assert [(r.device, r.quantity, r.observed_at, r.value) for r in parsed.readings] == [
        ("essonne-mennecy", "water_level", datetime(2026, 12, 1, 10, 15, tzinfo=UTC), 1.42),
        ("essonne-mennecy", "battery", datetime(2026, 12, 1, 10, 15, tzinfo=UTC), 87.0),
    ]
    assert parsed.rejected == []


def test_a_batch_keeps_the_good_messages_and_says_why_it_refuses_the_others():
    batch = {"messages": [
        {"device": "a", "time": 1764584100, "values": {"noise_laeq": 61.5}},
        {"device": "b", "time": "2026-12-01T10:15:00", "values": {"noise_laeq": 61.5}},  # no time zone
        {"device": "c", "time": "2026-12-01T11:15:00+01:00", "values": {"noise_laeq": "fort"}},
        ["not", "an", "object"],
    ]}
    parsed = parse_payload(json.dumps(batch))
    assert [r.device for r in parsed.readings] == ["a"]
    assert [r.reason for r in parsed.rejected] == [DeadLetterReason.TIME_INVALID, DeadLetterReason.WRONG_TYPE,
                                                   DeadLetterReason.MALFORMED]


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{oops", DeadLetterReason.MALFORMED),
    (b"\xff\xfe", DeadLetterReason.MALFORMED),
    (b"[" * 100_000 + b"]" * 100_000, DeadLetterReason.MALFORMED),
    (b" " * (MAX_PAYLOAD_BYTES + 1), DeadLetterReason.OVERSIZE),
    (b'{"device": "other", "time": 0, "values": {"x": 1}}', DeadLetterReason.MALFORMED),  # topic says another
])
def test_unreadable_payloads_are_refused_with_their_reason(raw, reason):
    parsed = parse_payload(raw, device="essonne-mennecy", topic="confiance/v1/essonne-mennecy/up")
    assert parsed.readings == [] and [r.reason for r in parsed.rejected] == [reason]
    assert parsed.rejected[0].topic == "confiance/v1/essonne-mennecy/up"


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-12-01T10:15:00Z", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
    ("2026-12-01T11:15:00+01:00", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
    (0, datetime(1970, 1, 1, tzinfo=UTC)),
    ("2026-12-01T10:15:00", None), ("hier", None), (True, None), (float("inf"), None), (-1, None),
    (10**20, None), (None, None), ("9" * 60, None),
])
def test_times_need_a_zone_and_a_sane_range(value, expected):
    assert parse_time(value) == expected


json_values = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=20)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(document=json_values | st.fixed_dictionaries({"device": st.text(max_size=70), "time": json_values,
                                                     "values": json_values}))
def test_any_json_gives_readings_or_reasons_never_an_exception(document):
    parsed = parse_payload(json.dumps(document, allow_nan=True))
    for reading in parsed.readings:
        assert reading.observed_at.tzinfo is not None and isinstance(reading.value, float)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_readings_or_reasons(raw):
    parse_payload(raw, device="d")
