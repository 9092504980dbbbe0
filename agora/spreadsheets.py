"""Cells that every spreadsheet export writes safely: what openpyxl cannot store is replaced, and text that a
spreadsheet would run as a formula is defused (OWASP's CSV injection advice), for events, consultations and surveys
alike."""

from __future__ import annotations

import re
from typing import Any

# A cell starting with one of these is read as a formula by Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters, lone surrogates and non-characters: openpyxl refuses them and XML cannot hold them.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def writable(text: str) -> str:
    return UNWRITABLE.sub(REPLACEMENT, text)


def safe_text(value: Any) -> str:
    """Text a spreadsheet shows as it is: unwritable characters replaced, formulas defused (after replacing, so
    that a removed character cannot uncover a formula)."""
    text = writable("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_value(value: Any) -> Any:
    """Numbers stay numbers (a spreadsheet can compute with them); everything else as `safe_text`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return safe_text(value)
