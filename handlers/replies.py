"""Outbound value objects: a question with its buttons, as every platform renders it."""

from __future__ import annotations

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
