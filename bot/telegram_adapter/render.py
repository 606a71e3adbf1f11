"""Prompts as Telegram messages with inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.core.replies import Prompt, Report, pack
from handlers.i18n import RLM

MAX_TEXT = 4096


def prompt_text(prompt: Prompt) -> str:
    text = f"{prompt.text}\n\n{prompt.hint}" if prompt.hint else prompt.text
    return text[:MAX_TEXT]


def keyboard(prompt: Prompt) -> InlineKeyboardMarkup | None:
    """Labelled scales one per row (full labels stay readable on a phone); bare numbers in rows."""
    if not prompt.options:
        return None
    labelled = any(option.label != option.key for option in prompt.options)
    if prompt.rows:
        sizes = list(prompt.rows)
    elif labelled:
        sizes = [1] * len(prompt.options)
    else:
        sizes = [len(prompt.options)]
    buttons, start = [], 0
    for size in sizes:
        row = prompt.options[start : start + size]
        buttons.append(
            [
                _button(prompt, option.label if labelled and not prompt.rows else option.key, option.data)
                for option in row
            ]
        )
        start += size
    return InlineKeyboardMarkup(buttons)


def _button(prompt: Prompt, text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(RLM + text if prompt.rtl else text, callback_data=data)


def report_html(report: Report) -> list[str]:
    """A report as HTML messages of at most 4096 characters, split between sections (or lines)."""
    mark = RLM if report.rtl else ""
    parts = [f"{mark}<b>{html.escape(report.title)}</b>"]
    for section in report.sections:
        lines = [f"{mark}{html.escape(line)}" for line in section.lines]
        if section.heading:
            lines.insert(0, f"{mark}<b>{html.escape(section.heading)}</b>")
        parts.append("\n".join(lines))
    return pack(parts, MAX_TEXT)
