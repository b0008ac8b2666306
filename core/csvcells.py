"""Cells for CSV files people open in a spreadsheet. Excel, LibreOffice and Google Sheets run a
cell that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage return, the same) as a
formula: a customer's address `=cmd|' /C calc'!A0@example.com` in an export would run on the
manager's machine. Every CSV writer passes its values through `csv_cell` (OWASP's advice: a
leading single quote makes the cell text)."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value to write: None as empty, text that a spreadsheet would run as a formula with a
    leading `'`, anything else (numbers, dates) as it is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
