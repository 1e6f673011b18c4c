"""Figures, dates and yes/no as the reader reads them (French by default: "1 234", "28 %", "1 décembre 2026"), for
the analytics pages, their sentences and their CSV exports. Stored results keep ISO dates and plain numbers; only
what a person reads goes through here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from confiance.core.numbers import number

NBSP = "\u00a0"


def percent(value: float | int | None, decimals: int = 0) -> str:
    """A percentage already multiplied by 100: "28 %" (French keeps a non-breaking space before the sign)."""
    if value is None:
        return "—"
    # Translators: a percentage; French puts a non-breaking space before the sign, English none.
    # The no-break space itself, not its escape: makemessages would key the catalogue on the escape's text.
    template = pgettext("percentage", "%(number)s %%")  # noqa: RUF001
    return template % {"number": number(value, decimals)}


def as_date(value: date | str | None) -> date | None:
    """A date from a date or an ISO string (as results store them)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def day(value: date | str | None, *, short: bool = False) -> str:
    """A date as the reader writes it: "1 décembre 2026", or "01/12/2026" when short."""
    moment = as_date(value)
    if moment is None:
        return ""
    return formats.date_format(moment, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT", use_l10n=True)


def moment(value: datetime | str | None) -> str:
    """A time in Paris (the site's zone) as the reader writes it: "01/12/2026 14:05"."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT", use_l10n=True)


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("oui") if value else _("non")


def csv_value(value: Any, *, decimals: int = 6) -> Any:
    """A cell of a CSV export as a spreadsheet in the reader's language shows it: yes/no in words, dates and
    times local, decimal comma in French; text and whole numbers unchanged; nothing for no value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return day(value, short=True)
    if isinstance(value, float):
        return number(value, decimals, grouping=False)
    return value


def csv_row(row: dict[str, Any], *, dates: tuple[str, ...] = (), moments: tuple[str, ...] = (),
            decimals: int = 6) -> dict[str, Any]:
    """A CSV row localised; `dates` and `moments` name the fields holding ISO text to show as dates or times."""
    out = {}
    for key, value in row.items():
        if key in moments and isinstance(value, str) and value:
            out[key] = moment(value)
        elif key in dates and isinstance(value, str) and value:
            out[key] = day(value, short=True)
        else:
            out[key] = csv_value(value, decimals=decimals)
    return out
