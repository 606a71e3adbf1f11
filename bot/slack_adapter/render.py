"""Block Kit for prompts, App Home and modals, within Slack's limits."""

from __future__ import annotations

import re
from typing import Any

from handlers.core import notes
from handlers.core.callbacks import language_data
from handlers.core.replies import Prompt, Report, pack
from handlers.i18n import SHIPPED, Lang, lang

Block = dict[str, Any]
# Slack's limits: section text 3000 characters, button text 75, 25 elements in an actions block,
# header text 150, 50 blocks in a message.
_SECTION, _BUTTON, _ACTIONS, _HEADER, _BLOCKS = 3000, 75, 25, 150, 50
OPEN_TEXT = "open_text"
ANSWER_ACTION = "answer-{}"
ANSWER_ACTIONS = re.compile(r"^answer-\d+$")  # every ANSWER_ACTION
SUGGEST_MODAL = "suggest_modal"
ANSWER_MODAL = "answer_text"
TEXT_BLOCK, TEXT_INPUT = "text", "value"  # where our modals' one text input sits in `view.state.values`
HOME_LANGUAGE = "home_language"
HOME_OPT = "home_opt"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit] or " ", "emoji": True}


def section(text: str) -> Block:
    """mrkdwn, escaped so people's words show as typed; user mentions (<@U…>, as in an alert's
    customer handle) stay live, so staff can click through to the person."""
    shown = _MENTION.sub(r"<@\1>", _escape(text))
    return {"type": "section", "text": {"type": "mrkdwn", "text": shown[:_SECTION] or " "}}


def _escape(text: str) -> str:
    """mrkdwn treats &, < and > as control characters: people's comments must show as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A user mention as escaped by `_escape`; channel-wide pings (<!channel>) are never restored.
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,})&gt;")


def report_messages(report: Report) -> list[list[Block]]:
    """A report as Block Kit messages: a header, a section per part (split at lines where a part
    passes 3000 characters), and a new message every 50 blocks."""
    blocks: list[Block] = [{"type": "header", "text": _plain(report.title, _HEADER)}]
    for part in report.sections:
        lines = [_escape(line) for line in part.lines]
        if part.heading:
            lines.insert(0, f"*{_escape(part.heading)}*")
        for text in pack(lines, _SECTION, "\n"):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return [blocks[start : start + _BLOCKS] for start in range(0, len(blocks), _BLOCKS)]


def prompt_blocks(prompt: Prompt, language: Lang | None = None) -> list[Block]:
    blocks = [section(prompt.text)]
    if prompt.hint:
        blocks.append({"type": "context", "elements": [_plain(prompt.hint, _SECTION)]})
    buttons = [
        {
            "type": "button",
            "action_id": ANSWER_ACTION.format(i),
            "text": _plain(option.label, _BUTTON),
            "value": option.data,
        }
        for i, option in enumerate(prompt.options)
    ]
    if prompt.free_text:
        label = (language or lang("en")).gettext(notes.WRITE_ANSWER)
        buttons.insert(
            0, {"type": "button", "action_id": OPEN_TEXT, "text": _plain(label, _BUTTON), "style": "primary"}
        )
    for start in range(0, len(buttons), _ACTIONS):
        blocks.append({"type": "actions", "elements": buttons[start : start + _ACTIONS]})
    return blocks


def answered_blocks(text: str, then: Prompt | None, language: Lang | None) -> list[Block]:
    """The answered question, and below it the next one: one message that moves on."""
    blocks = [section(text)]
    if then is not None:
        blocks += [{"type": "divider"}, *prompt_blocks(then, language)]
    return blocks


def modal(callback_id: str, language: Lang, *, title: str, label: str, metadata: str = "") -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": _plain(language.gettext(title), 24),
        "submit": _plain(language.gettext(notes.SEND), 24),
        "close": _plain(language.gettext(notes.CANCEL), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": TEXT_BLOCK,
                "label": _plain(language.gettext(label), 2000),
                "element": {"type": "plain_text_input", "action_id": TEXT_INPUT, "multiline": True, "max_length": 3000},
            }
        ],
    }


def confirmation(language: Lang, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _plain(language.gettext(notes.SUGGEST_TITLE), 24),
        "close": _plain("OK", 24),
        "blocks": [section(text)],
    }


def home(language: Lang, *, opted_out: bool) -> dict[str, Any]:
    options = [{"text": _plain(lang(code).name, 75), "value": language_data(code)} for code in SHIPPED]
    current = next(option for option in options if option["value"] == language_data(language.code))
    picker = {"type": "static_select", "action_id": HOME_LANGUAGE, "options": options, "initial_option": current}
    toggle = notes.HOME_RESUME if opted_out else notes.HOME_STOP
    button = {
        "type": "button",
        "action_id": HOME_OPT,
        "text": _plain(language.gettext(toggle), _BUTTON),
        "value": "start" if opted_out else "stop",
    }
    status = notes.HOME_SURVEYS_OFF if opted_out else notes.HOME_SURVEYS_ON
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": _plain(language.gettext(notes.HOME_TITLE), 150)},
            {"type": "section", "text": _plain(language.gettext(notes.HOME_LANGUAGE), _SECTION), "accessory": picker},
            {"type": "divider"},
            section(language.gettext(status)),
            {"type": "actions", "elements": [button]},
        ],
    }
