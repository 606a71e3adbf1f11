"""Outbound value objects: a question with its buttons, as every platform renders it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
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
    link: str | None = None  # for channels that send the survey's page (e-mail): a fresh link's token
    language: str | None = None  # the catalog the text is in, for channels that say more around it (e-mail)


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Ack:
    """The answer to an event, in two parts, so adapters can acknowledge the moment the work is
    committed (Slack wants an ack within 3 s) and talk afterwards.

    `note` is the short answer: a toast for a press, a reply message otherwise. `follow_up`
    sends what comes next (the chosen answer shown, the next question) and must be awaited
    after acknowledging. `failed` says nothing was stored (the database was down or slow, or the
    handler failed): the note asks the person to try again, and a page must say so rather than
    show the question again as if the answer had counted.
    """

    note: str | None = None
    follow_up: Callable[[], Awaitable[None]] = _nothing
    failed: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """Part of a report: an optional heading and lines of plain text."""

    heading: str | None
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A longer message such as the digest. Adapters lay it out (Block Kit, HTML) and split it
    between sections where the platform's limits require."""

    title: str
    sections: tuple[Section, ...]
    rtl: bool = False

    def plain(self) -> str:
        parts = [self.title]
        for section in self.sections:
            head = [section.heading] if section.heading else []
            parts.append("\n".join([*head, *section.lines]))
        return "\n\n".join(parts)


def pack(pieces: Iterable[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Join pieces into as few messages of at most `limit` characters as possible, breaking only
    between pieces; a piece longer than `limit` is broken at lines, then at words, then anywhere
    (never inside an escaped entity such as `&amp;`)."""
    messages: list[str] = []
    for piece in pieces:
        for part in split_long(piece, limit):
            if messages and len(messages[-1]) + len(separator) + len(part) <= limit:
                messages[-1] += separator + part
            else:
                messages.append(part)
    return messages


# An HTML or mrkdwn character entity, which a cut must not split.
_ENTITY_TAIL = re.compile(r"&[#a-zA-Z0-9]{0,8}$")


def split_long(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters, cut at the last newline or space that keeps a
    part at least half full, else at the limit (moved back before an entity it would split)."""
    parts = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
            if (entity := _ENTITY_TAIL.search(text[:cut])) is not None and entity.start() > 0:
                cut = entity.start()
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return [part for part in parts if part] or [""]
