"""Cells of every spreadsheet the platform writes (xlsx and CSV), made safe in one place.

``safe_cell`` is applied to every value an export writes:

- text that a spreadsheet would run as a formula (beginning with ``= + - @``, a tab or a carriage
  return: OWASP "CSV injection") gets a leading apostrophe, so ``=HYPERLINK("http://evil/","x")``
  stays readable text and never becomes a live formula or link;
- characters that the xlsx format cannot hold (control characters, e.g. a ``\\x07`` pasted into a
  title long ago) are removed, so one stored row can no longer make the export fail for everyone;
- text longer than an Excel cell holds (32,767 characters) is cut;
- numbers, dates and booleans stay what they are (a negative amount is still a number).

``unescape_cell`` undoes the apostrophe when an exported file is imported again.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from lianmeng.core.cleaning import CONTROL_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
EXCEL_CELL_MAX = 32_767
_KEEP = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)


def safe_text(value: str) -> str:
    """Text that no spreadsheet runs as a formula and every spreadsheet can hold."""
    text = CONTROL_RE.sub("", value)
    if text.startswith(FORMULA_START):
        text = QUOTE + text
    return text[:EXCEL_CELL_MAX]


def safe_cell(value: Any) -> Any:
    """``value`` for a spreadsheet cell: numbers, dates and booleans unchanged, everything else as
    safe text (see the module's documentation); ``None`` stays empty."""
    if value is None or isinstance(value, _KEEP):
        return value
    return safe_text(str(value))


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def unescape_cell(value: Any) -> Any:
    """An imported cell without the apostrophe ``safe_cell`` put before formula-like text."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell`` (``None`` becomes an empty cell)."""

    def __init__(self, handle: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(["" if v is None else v for v in safe_row(row)])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """Rows as CSV in UTF-8 (with a BOM by default, so that Excel on Windows opens Chinese correctly)."""
    out = io.StringIO()
    SafeCsvWriter(out).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
