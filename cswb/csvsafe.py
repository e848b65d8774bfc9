"""CSV in and out. Cells that a spreadsheet would run as a formula are neutralised on export
(OWASP's advice: prefix with an apostrophe); on import they are stored as the text they are."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A number a spreadsheet reads as a number, not a formula: "-1.00", "+3", "-2.5e3".
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """The cell as text; a string a spreadsheet would run as a formula gets an apostrophe in
    front, while numbers (negative ones too) stay numbers."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_write(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
