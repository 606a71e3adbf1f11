"""Compact button payloads. Telegram allows 64 bytes of callback data; these stay near 20.

Payloads come back from clients and are never trusted: decoding is strict and anything
else is reported as forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANSWER = re.compile(r"^a\|(?P<token>[A-Za-z0-9_-]{8,16})\|(?P<q>\d{1,2})\|(?P<v>-|\d{1,2})$")
_LANGUAGE = re.compile(r"^l\|(?P<code>[a-z]{2,3})$")
_ALERT = re.compile(r"^al\|(?P<action>[cr])\|(?P<id>\d{1,12})$")
_CHECK = re.compile(r"^k\|(?P<token>[A-Za-z0-9_-]{8,16})\|(?P<sorted>[01])$")
_POLL = re.compile(r"^p\|(?P<week>\d{4}-W\d{2})\|(?P<percent>\d{1,3})$")
SUGGEST = "s|open"
MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class AnswerPress:
    token: str
    question_index: int
    value: int | None  # None: skip a text question


@dataclass(frozen=True, slots=True)
class LanguagePress:
    code: str


@dataclass(frozen=True, slots=True)
class SuggestPress:
    """The button under a suggestion prompt: opens the suggestion flow."""


@dataclass(frozen=True, slots=True)
class PollPress:
    """A staff member's estimate in the weekly perception poll."""

    week: str
    percent: int


@dataclass(frozen=True, slots=True)
class AlertPress:
    """Claim (`c`) or Resolve (`r`) under a low-score alert in a staff channel."""

    action: str
    alert_id: int


@dataclass(frozen=True, slots=True)
class CheckPress:
    """The customer's answer to "Is it sorted now?" after staff resolved their alert."""

    token: str
    sorted: bool


Payload = AnswerPress | LanguagePress | SuggestPress | PollPress | AlertPress | CheckPress


def answer_data(token: str, question_index: int, value: int | None) -> str:
    return f"a|{token}|{question_index}|{'-' if value is None else value}"


def language_data(code: str) -> str:
    return f"l|{code}"


def poll_data(week: str, percent: int) -> str:
    return f"p|{week}|{percent}"


def alert_data(action: str, alert_id: int) -> str:
    return f"al|{action}|{alert_id}"


def check_data(token: str, is_sorted: bool) -> str:
    return f"k|{token}|{int(is_sorted)}"


def decode(data: str) -> Payload | None:
    if len(data.encode()) > MAX_BYTES:
        return None
    if match := _ANSWER.match(data):
        raw = match["v"]
        return AnswerPress(match["token"], int(match["q"]), None if raw == "-" else int(raw))
    if match := _LANGUAGE.match(data):
        return LanguagePress(match["code"])
    if match := _ALERT.match(data):
        return AlertPress(match["action"], int(match["id"]))
    if match := _CHECK.match(data):
        return CheckPress(match["token"], match["sorted"] == "1")
    if (match := _POLL.match(data)) and int(match["percent"]) <= 100:
        return PollPress(match["week"], int(match["percent"]))
    return SuggestPress() if data == SUGGEST else None
