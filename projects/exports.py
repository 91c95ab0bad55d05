"""Cells of exported spreadsheets (CSV, XLSX) never carry a formula typed in by a user."""

from __future__ import annotations

from typing import Any

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection); tab and
# carriage return can hide such a start from the eye.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula, prefixed with an apostrophe (shown as
    text, as Excel itself does); numbers, dates and everything else as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
