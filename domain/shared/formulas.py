"""Spreadsheet formula injection (OWASP "CSV injection"): a cell a spreadsheet would run.

A name or work unit beginning with `=`, `+`, `-`, `@`, tab or CR is a formula to Excel and
WPS when a CSV is opened. Export prefixes such a value with a single quote, which they show
as text; import takes the quote off again, so a value survives the round trip unchanged.
A value that already begins with quotes before such a character gets one more, so that
taking one off always gives back what was exported.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def _looks_like_formula(text: str) -> bool:
    return text.lstrip(_QUOTE).startswith(FORMULA_STARTS)


def neutralise_formula(text: str) -> str:
    """The value as a CSV cell that no spreadsheet runs."""
    return _QUOTE + text if _looks_like_formula(text) else text


def restore_formula(text: str) -> str:
    """The value `neutralise_formula` was given (other text is returned unchanged)."""
    if text.startswith(_QUOTE) and _looks_like_formula(text[1:]):
        return text[1:]
    return text
