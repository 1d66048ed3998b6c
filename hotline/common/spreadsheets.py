"""Cells that a spreadsheet must show as text, never run.

A value that begins with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel, WPS and
LibreOffice (a tab or carriage return in front hides such a value from a quick look): an
appeal's title or a knowledge entry written by someone outside the centre could then
fetch data or open links on the computer of whoever opens the export (CSV/formula
injection).  Every xlsx export writes its text cells through ``escape_formula``, which
puts an apostrophe in front — the spreadsheet convention for "this is text".
``unescape_formula`` takes it off again when a workbook we exported is imported back.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """``value`` with an apostrophe in front if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """The inverse of ``escape_formula`` for a cell read back from one of our exports."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
