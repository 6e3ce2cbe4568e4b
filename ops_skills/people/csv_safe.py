"""The one CSV writer of the app, safe to open in a spreadsheet (OWASP "CSV injection").

A spreadsheet runs a cell starting with ``= + - @``, a tab or a carriage return as a formula, so
a holder's email like ``-2+3@example.com`` would be computed, or worse, call out. ``writer``
prefixes such a text cell with ``'``, which spreadsheets show as text and drop when the sheet is
saved again. Numbers are written as they are (-3 stays -3). A string is text even when it looks
like a number: a name "-3" is written ``'-3``, so a value meant as a number is passed as one.

Every CSV the app writes goes through here (``tests/test_csv_writers.py`` checks it), and the
matrix import reads cells back with ``unneutralise``, so exporting and importing is exact.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a leading ``'`` when it would start a formula.

    A cell that already starts with quotes before a formula start gets one more, so that
    ``unneutralise`` can tell the two apart and give back exactly what was written."""
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def unneutralise(cell: str) -> str:
    """Undo ``neutralise``."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def safe_cell(value: Any) -> Any:
    """A value as ``writer`` writes it: numbers unchanged, anything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


class SafeWriter:
    """``csv.writer``'s ``writerow`` and ``writerows``, every cell through ``safe_cell``."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> SafeWriter:
    """A CSV writer on ``out`` (a file, a StringIO or an HttpResponse) that neutralises formulas."""
    return SafeWriter(out, **options)
