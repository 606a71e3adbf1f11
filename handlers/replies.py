"""Outbound value objects: a question with its buttons, as every platform renders it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Option:
    """One button. `key` is the short face (\"4\"), `label` the full meaning (\"4 — Satisfied\")."""

    key: str
    label: str
    data: str  # callback payload, at most 64 bytes (Telegram's limit)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question to show. Platforms without buttons number the options instead."""

    text: str
    options: tuple[Option, ...] = ()
    rows: tuple[int, ...] = ()  # how many options per row, e.g. (6, 5) for 0–10
    hint: str | None = None  # e.g. how to answer in free text
    rtl: bool = False
    free_text: bool = False  # the answer is typed; platforms may offer a text box for it


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Ack:
    """The answer to an event, in two parts, so adapters can acknowledge the moment the work is
    committed (Slack wants an ack within 3 s) and talk afterwards.

    `note` is the short answer: a toast for a press, a reply message otherwise. `follow_up`
    sends what comes next (the chosen answer shown, the next question) and must be awaited
    after acknowledging.
    """

    note: str | None = None
    follow_up: Callable[[], Awaitable[None]] = _nothing
