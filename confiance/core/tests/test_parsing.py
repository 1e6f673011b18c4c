"""The bounded parsers: every value from outside is read within its bounds or refused with ParseError."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.core import parsing
from confiance.core.parsing import MAX_ID, ParseError


@pytest.mark.parametrize("raw", ["²", "-1", "0", "1e3", " ", "١٢", str(2**63), "999999999999999999999", "1.0"])
def test_ids_outside_ascii_digits_or_the_bigint_are_refused(raw):
    if not raw.strip():
        assert parsing.parse_id(raw) is None
        return
    with pytest.raises(ParseError):
        parsing.parse_id(raw)
    assert parsing.id_or_none(raw) is None


def test_ids_within_bounds_are_read():
    assert parsing.parse_id(" 42 ") == 42
    assert parsing.parse_id(str(MAX_ID)) == MAX_ID
    assert parsing.parse_ids("3,1,3,,2") == (3, 1, 2)
    with pytest.raises(ParseError):
        parsing.parse_ids("1,²")
    with pytest.raises(ParseError):
        parsing.parse_ids(",".join(str(i) for i in range(1, 1003)))


def test_pages_are_capped():
    assert parsing.parse_page("999999999999999999") == parsing.MAX_PAGE
    assert parsing.parse_page("²") == parsing.parse_page("") == parsing.parse_page("-3") == 1
    assert parsing.parse_int("12", minimum=1, maximum=20) == 12
    with pytest.raises(ParseError):
        parsing.parse_int("999999999999999999999999")
    with pytest.raises(ParseError):
        parsing.parse_int("21", minimum=1, maximum=20)


@pytest.mark.parametrize("raw", ["2026-02-30", "0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "26-1-1",
                                 "2026-13-01", "\uff12\uff10\uff12\uff16-01-01"])
def test_dates_out_of_range_or_inexistent_are_refused(raw):
    with pytest.raises(ParseError):
        parsing.parse_date(raw)
    assert parsing.date_or_none(raw) is None


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "2026-02-30T00:00:00Z",
                                 "2000-01-01T00:30:00+01:00", "2026-01-01", "2026-01-01T25:00:00", "yesterday"])
def test_datetimes_out_of_range_or_inexistent_are_refused(raw):
    with pytest.raises(ParseError):
        parsing.parse_datetime(raw)


def test_datetimes_are_read_aware():
    assert parsing.parse_datetime("2026-01-31T08:00:00Z") == datetime(2026, 1, 31, 8, tzinfo=UTC)
    assert parsing.parse_datetime("2026-01-31 09:00:00+01:00") == datetime(2026, 1, 31, 8, tzinfo=UTC)
    assert parsing.parse_datetime("2026-01-31T08:00").tzinfo is not None
    assert parsing.parse_date("2026-02-28") == date(2026, 2, 28)
    with pytest.raises(ParseError):
        parsing.parse_datetime("2026-01-31T08:00", require_zone=True)


def test_json_nested_thousands_deep_is_refused_without_recursion():
    for depth in (33, 900, 5000, 100_000):
        with pytest.raises(ParseError):
            parsing.parse_json("[" * depth + "]" * depth)
        with pytest.raises(ParseError):
            parsing.parse_json('{"a":' * depth + "1" + "}" * depth)
    assert parsing.parse_json("[" * 32 + "]" * 32) == parsing.parse_json("[" * 32 + "]" * 32)
    with pytest.raises(ParseError):
        parsing.parse_json(b"\xff")


def test_nul_in_json_strings_and_keys_is_refused():
    with pytest.raises(ParseError):
        parsing.parse_json('{"description": "a\\u0000b"}')
    with pytest.raises(ParseError):
        parsing.parse_json('{"a\\u0000": 1}')
    assert parsing.parse_json('{"a": ["b", {"c": 1}]}') == {"a": ["b", {"c": 1}]}
    for encoding in ("utf-8", "utf-16", "utf-16-le", "utf-32"):  # the bytes the decoder reads, the fast path too
        with pytest.raises(ParseError):
            parsing.parse_json('{"a": "\\u0000"}'.encode(encoding))
        with pytest.raises(ParseError):
            parsing.parse_json(("[" * 33 + "]" * 33).encode(encoding))
        assert parsing.parse_json('{"a": "\\\\u0000"}'.encode(encoding)) == {"a": "\\u0000"}  # an escaped backslash


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children,
                                                                                     max_size=3), max_leaves=40))
def test_json_fast_path_agrees_with_the_walk(document):
    import json

    for body in (json.dumps(document), json.dumps(document).encode(), json.dumps(document, ensure_ascii=False)):
        try:
            walked = parsing.check_document(json.loads(body))
        except ParseError:
            with pytest.raises(ParseError):
                parsing.parse_json(body)
        else:
            assert parsing.parse_json(body) == walked


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=30), st.integers().map(str), st.datetimes().map(datetime.isoformat),
                 st.dates().map(date.isoformat)))
def test_parsers_answer_a_value_or_parse_error_never_anything_else(raw):
    for parser in (parsing.parse_id, parsing.parse_int, parsing.parse_date, parsing.parse_datetime, parsing.parse_ids):
        try:
            value = parser(raw)
        except ParseError:
            continue
        if isinstance(value, datetime | date):
            assert parsing.MIN_YEAR <= value.year <= parsing.MAX_YEAR
        elif isinstance(value, int):
            assert -MAX_ID <= value <= MAX_ID
    assert 1 <= parsing.parse_page(raw) <= parsing.MAX_PAGE
