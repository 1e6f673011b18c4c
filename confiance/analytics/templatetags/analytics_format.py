"""Template filters of the analytics pages: figures and dates as the reader writes them (``formatting``)."""

from django import template
from django.utils.translation import gettext as _

from confiance.analytics import formatting

register = template.Library()


@register.filter
def figure(value, decimals=0):
    """1234.5 -> "1 234,5" (French), trailing zeros dropped; None -> "—"."""
    try:
        return formatting.number(value, int(decimals))
    except (TypeError, ValueError):
        return value


@register.filter
def percentage(value, decimals=0):
    """28.04 -> "28 %"."""
    try:
        return formatting.percent(value, int(decimals))
    except (TypeError, ValueError):
        return value


@register.filter
def signed_percentage(value, decimals=0):
    """+12.5 -> "+12,5 %", -3 -> "-3 %" written with a minus sign."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    sign = "+" if number > 0 else "\u2212" if number < 0 else ""
    return sign + formatting.percent(abs(number), int(decimals))


@register.filter
def local_day(value, style=""):
    """An ISO date (or a date) -> "1 décembre 2026", or "01/12/2026" with "short"."""
    try:
        return formatting.day(value, short=style == "short")
    except (TypeError, ValueError):
        return value


@register.filter
def iso_week(value):
    """"2026-W48" -> "semaine 48 de 2026"."""
    text = str(value or "")
    year, _sep, week = text.partition("-W")
    if not (year.isdigit() and week.isdigit()):
        return text
    return _("semaine %(week)s de %(year)s") % {"week": int(week), "year": year}
