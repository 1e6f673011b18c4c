"""Time helpers: stored in UTC, shown in Europe/Paris."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

PARIS = ZoneInfo("Europe/Paris")


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return timezone.now()


def to_paris(moment: datetime) -> datetime:
    """A stored UTC moment as local time in Paris."""
    return moment.astimezone(PARIS)
