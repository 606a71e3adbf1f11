"""Text no database can store as typed, and numbers as people type them in the shipped scripts."""

from __future__ import annotations

import re

# NUL, which PostgreSQL text refuses, and lone surrogates, which no UTF-8 encoder accepts: stored
# as is they fail the whole transaction, so they are refused up front with a clear note.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Digits a person may type for a scale value: ASCII, and the digits of the scripts Sayso asks in
# (Urdu's extended Arabic-Indic, Hindi's Devanagari). Other Unicode digits (fullwidth, Thai, …)
# are not read as numbers, though Python's int() would take them.
_DIGITS = {"ur": "۰۱۲۳۴۵۶۷۸۹", "hi": "०१२३४५६७८९"}


def unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def typed_number(text: str, language: str | None) -> int | None:
    """The integer a person typed ("7", "-1", or "۷" in an Urdu survey); None for anything else."""
    digits = _DIGITS.get(language or "", "")
    text = text.translate({ord(ch): str(value) for value, ch in enumerate(digits)})
    return int(text) if re.fullmatch(r"-?[0-9]{1,6}", text) else None
