"""A number as the reader reads it, in the active locale: "1 234", "2,5", "2" (never "2,0"). Shared by every page
that shows a measured or computed figure (analyses, sensors, operations)."""

from __future__ import annotations

from django.utils import formats


def number(value: float | int | None, decimals: int = 0, *, grouping: bool = True) -> str:
    """A number in the active locale, rounded to `decimals` places, trailing zeros dropped ("2", not "2,0")."""
    if value is None:
        return "—"
    rounded = round(float(value), decimals)
    if rounded.is_integer():
        return formats.number_format(int(rounded), 0, use_l10n=True, force_grouping=grouping)
    text = formats.number_format(rounded, decimals, use_l10n=True, force_grouping=grouping)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return text.rstrip("0").rstrip(separator) if separator in text else text
