"""CSV exports a spreadsheet opens as text, never as a formula (CSV injection, OWASP): a text cell starting with
`= + - @`, a tab or a carriage return gets a leading apostrophe. Plain numbers (`-12`, `-1,5`) stay numbers.
Every CSV export of the platform writes through these writers."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """The value as a spreadsheet must show it: text that would start a formula is prefixed with `'`."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose cells go through `csv_cell`."""

    def __init__(self, file: Any, **options: Any):
        options.setdefault("delimiter", ";")
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """`csv.DictWriter` whose cells go through `csv_cell` (the header is ours and written as is)."""

    def __init__(self, file: Any, fieldnames: Iterable[str], **options: Any):
        options.setdefault("delimiter", ";")
        super().__init__(file, fieldnames, **options)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: csv_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)
