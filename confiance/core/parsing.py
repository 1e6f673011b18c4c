"""Bounded parsers for everything that comes in from outside: every interface (API schemas, pages' GET parameters,
Open311, the tracker and device endpoints) reads ids, integers, pages, dates and JSON through these, so that bad
input is a clear refusal and never a server error.

The bounds: dates from 2000 to 2100 (no conversion overflows, no SQL date out of range), ids and integers below 2**63
(the database's bigint), pages capped, JSON nested at most MAX_JSON_DEPTH deep, text without NUL (PostgreSQL refuses
it). Parsers return None for an absent value and raise ParseError (a ValueError) for a bad one; the `*_or_none`
forms read a bad value as absent, for filters of pages that simply ignore what they cannot read.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from pydantic import AfterValidator, Field

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_ID = 2**63 - 1
MAX_PAGE = 100_000
MAX_JSON_DEPTH = 32

_DIGITS = re.compile(r"[0-9]{1,19}")
_INTEGER = re.compile(r"[-+]?[0-9]{1,19}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?"
                       r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?", re.IGNORECASE)


class ParseError(ValueError):
    """A value from outside that cannot be read within its bounds; the message is in French, for the user."""


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- ids and integers -------------------------------------------------------------------------------------------

def parse_id(value: object) -> int | None:
    """A database id: ASCII decimal digits only (not '²', not '-1', not '1e3'), from 1 to 2**63 - 1."""
    raw = _text(value)
    if not raw:
        return None
    if not _DIGITS.fullmatch(raw) or not 0 < int(raw) <= MAX_ID:
        raise ParseError(f"Identifiant invalide : {raw[:40]!r} (entier de 1 à {MAX_ID} attendu).")
    return int(raw)


def id_or_none(value: object) -> int | None:
    """parse_id, a bad value read as absent."""
    try:
        return parse_id(value)
    except ParseError:
        return None


def parse_ids(value: object, *, limit: int = 1000) -> tuple[int, ...]:
    """Ids separated by commas, in their order, without repeats, at most `limit` of them."""
    ids = tuple(dict.fromkeys(parse_id(part) for part in _text(value).split(",") if part.strip()))
    if len(ids) > limit:
        raise ParseError(f"Au plus {limit} identifiants.")
    return ids  # type: ignore[return-value]


def parse_int(value: object, *, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int | None:
    """An integer in [minimum, maximum], written in ASCII decimal digits."""
    raw = _text(value)
    if not raw:
        return None
    if not _INTEGER.fullmatch(raw):
        raise ParseError(f"Entier attendu : {raw[:40]!r}.")
    number = int(raw)
    if not minimum <= number <= maximum:
        raise ParseError(f"Entier entre {minimum} et {maximum} attendu.")
    return number


def parse_page(value: object, *, maximum: int = MAX_PAGE) -> int:
    """A page number from 1 to `maximum`; absent or unreadable: page 1, beyond the last: the last allowed."""
    raw = _text(value)
    if not _DIGITS.fullmatch(raw):
        return 1
    return max(1, min(int(raw), maximum))


def parse_bbox(value: object, *, max_span: float = 1.0) -> tuple[float, float, float, float] | None:
    """A WGS84 box "west,south,east,north" in decimal degrees, at most `max_span` degrees wide and high."""
    raw = _text(value)
    if not raw:
        return None
    parts = raw.split(",")
    if len(parts) != 4 or not all(re.fullmatch(r"[-+]?[0-9]{1,3}(\.[0-9]{1,15})?", part.strip()) for part in parts):
        raise ParseError(f"Emprise invalide : {raw[:80]!r} (ouest,sud,est,nord en degrés décimaux attendu).")
    west, south, east, north = (float(part) for part in parts)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ParseError("Emprise invalide : ouest < est et sud < nord attendus, en degrés WGS84.")
    if east - west > max_span or north - south > max_span:
        raise ParseError(f"Emprise trop grande : {max_span} degré(s) au plus de côté.")
    return west, south, east, north


# --- dates --------------------------------------------------------------------------------------------------------

def check_date(value: date) -> date:
    """A date (or date and time) between MIN_YEAR and MAX_YEAR, else ParseError."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ParseError(f"Date hors limites : entre {MIN_YEAR} et {MAX_YEAR}.")
    return value


def check_datetime(value: datetime) -> datetime:
    """An aware date and time between MIN_YEAR and MAX_YEAR (a naive one is read in the current time zone)."""
    check_date(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    check_date(value.astimezone(UTC))
    return value


def parse_date(value: object) -> date | None:
    """YYYY-MM-DD, a real day (not 2026-02-30) between MIN_YEAR and MAX_YEAR."""
    raw = _text(value)
    if not raw:
        return None
    if not _DATE.fullmatch(raw):
        raise ParseError(f"Date attendue au format AAAA-MM-JJ : {raw[:40]!r}.")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ParseError(f"Date inexistante : {raw}.") from None
    return check_date(day)


def date_or_none(value: object) -> date | None:
    """parse_date, a bad value read as absent."""
    try:
        return parse_date(value)
    except ParseError:
        return None


def parse_datetime(value: object, *, require_zone: bool = False) -> datetime | None:
    """An ISO 8601 date and time, aware (naive: the current time zone, or refused with require_zone), between
    MIN_YEAR and MAX_YEAR."""
    raw = _text(value)
    if not raw:
        return None
    if not _DATETIME.fullmatch(raw):
        raise ParseError(f"Date et heure ISO 8601 attendues (ex. 2026-01-31T08:00:00+01:00) : {raw[:40]!r}.")
    try:
        moment = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1] in "zZ" else raw)
    except ValueError:
        raise ParseError(f"Date et heure inexistantes : {raw}.") from None
    if require_zone and timezone.is_naive(moment):
        raise ParseError(f"Fuseau horaire attendu (ex. 2026-01-31T08:00:00+01:00) : {raw}.")
    return check_datetime(moment)


def datetime_or_none(value: object) -> datetime | None:
    """parse_datetime, a bad value read as absent."""
    try:
        return parse_datetime(value)
    except ParseError:
        return None


# --- JSON and text --------------------------------------------------------------------------------------------------

def check_document(document: Any, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The document, if its arrays and objects nest at most `max_depth` deep and no string (key or value) holds
    a NUL; walked without recursion."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            check_text(node)
        elif isinstance(node, dict | list):
            if depth > max_depth:
                raise ParseError(f"JSON imbriqué trop profondément (au plus {max_depth} niveaux).")
            if isinstance(node, dict):
                stack.extend((key, depth) for key in node)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return document


def parse_json(body: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON document nested at most `max_depth` deep, without NUL in its strings; ParseError otherwise."""
    try:
        document = json.loads(body)
    except RecursionError:
        raise ParseError(f"JSON imbriqué trop profondément (au plus {max_depth} niveaux).") from None
    except (ValueError, UnicodeDecodeError):
        raise ParseError("Corps JSON illisible.") from None
    if _plainly_safe(body, max_depth):
        return document
    return check_document(document, max_depth=max_depth)


def _plainly_safe(body: bytes | str, max_depth: int) -> bool:
    """True when the text alone shows what `check_document` would find, without walking the document: a NUL can
    only reach a decoded string through a `\\u0000` escape (the decoder refuses raw control characters in strings),
    and the nesting is at most the number of opening brackets. Conservative: false means walk."""
    if isinstance(body, str):
        return "\\u0000" not in body and body.count("{") + body.count("[") <= max_depth
    # bytes: UTF-8 only (UTF-16 and UTF-32, which the decoder also reads, put zero bytes beside ASCII characters)
    return (b"\x00" not in body and b"\\u0000" not in body
            and body.count(b"{") + body.count(b"[") <= max_depth)


def check_query(params: Any) -> Any:
    """A QueryDict (or any mapping of lists) whose keys and values hold no NUL."""
    for key, values in params.lists():
        check_text(key)
        for value in values:
            if isinstance(value, str):
                check_text(value)
    return params


def check_text(value: str) -> str:
    """Text without NUL characters (PostgreSQL refuses them in text columns)."""
    if "\x00" in value:
        raise ParseError("Caractère nul interdit dans un texte.")
    return value


# --- pydantic types for the API schemas ------------------------------------------------------------------------------

#: A database id in an API schema: 1 to 2**63 - 1.
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
#: An integer that fits a bigint column.
BigInt = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]
#: A date between MIN_YEAR and MAX_YEAR.
BoundedDate = Annotated[date, AfterValidator(check_date)]
#: An aware date and time between MIN_YEAR and MAX_YEAR.
BoundedDatetime = Annotated[datetime, AfterValidator(check_datetime)]
#: Text without NUL.
SafeText = Annotated[str, AfterValidator(check_text)]


class BoundedParser(Parser):
    """django-ninja's parser, bounded: JSON bodies through parse_json, query strings and forms without NUL."""

    def parse_body(self, request):
        return parse_json(request.body)

    def parse_querydict(self, data, list_fields, request):
        try:
            check_query(data)
        except ParseError as error:
            raise HttpError(400, str(error)) from None
        return super().parse_querydict(data, list_fields, request)


class BoundedPagination(PageNumberPagination):
    """django-ninja's page-number pagination with the page capped at MAX_PAGE (no SQL OFFSET overflow)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)
