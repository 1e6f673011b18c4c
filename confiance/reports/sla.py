"""Service level targets in working days: weekends and French public holidays are not counted."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.france import France  # imported now: the package's lazy loader costs the first report

PARIS = ZoneInfo("Europe/Paris")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(France(years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start` (Paris time).

    A report received on a non-working day starts counting at the beginning of the next working day.
    """
    local = start.astimezone(PARIS)
    day = local.date()
    moment = local.timetz()
    if not is_working_day(day):
        while not is_working_day(day):
            day += timedelta(days=1)
        moment = time(0, 0)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, moment.replace(tzinfo=None), tzinfo=PARIS)
