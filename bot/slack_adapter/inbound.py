"""Slack payloads (block_actions, view_submission, slash commands, events) as inbound events."""

from __future__ import annotations

from typing import Any

from bot.slack_adapter.render import TEXT_BLOCK, TEXT_INPUT
from handlers.core.events import ButtonPressed, CommandReceived, MessageRef, Sender, TextReceived

PLATFORM = "slack"


def _sender(user_id: str, chat_id: str) -> Sender:
    # Slack sends no locale unless asked per user; the person's /language choice or the default applies.
    return Sender(PLATFORM, user_id, chat_id, None, private=chat_id.startswith("D"))


def press(body: dict[str, Any], value: str) -> ButtonPressed:
    """A button in a survey message (a DM) or in the App Home (no channel)."""
    user = body["user"]["id"]
    container = body.get("container") or {}
    chat = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    message_ts = container.get("message_ts")
    action_ts = body["actions"][0].get("action_ts", "")
    message = MessageRef(PLATFORM, chat, message_ts) if chat and message_ts else None
    name = body["user"].get("name") or body["user"].get("username")
    sender = Sender(PLATFORM, user, chat or user, None, private=not chat or chat.startswith("D"), name=name)
    return ButtonPressed(sender, value, message=message, event_id=f"action:{user}:{action_ts}")


def direct_message(event: dict[str, Any], event_id: str | None) -> TextReceived | None:
    """A message a person typed in their DM with the bot; anything else is not for Sayso."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return None
    return TextReceived(_sender(event["user"], event["channel"]), event.get("text") or "", event_id=event_id)


def slash_command(body: dict[str, Any]) -> CommandReceived:
    """`/suggest text`: answered ephemerally, so it is private wherever it was typed."""
    sender = Sender(PLATFORM, body["user_id"], body.get("channel_id") or body["user_id"], None, private=True)
    name = body["command"].lstrip("/")
    return CommandReceived(sender, name, (body.get("text") or "").strip(), event_id=f"command:{body['trigger_id']}")


def submitted_text(body: dict[str, Any]) -> tuple[Sender, str, str]:
    """The text typed into one of our modals, with who typed it and the modal's private metadata."""
    view = body["view"]
    text = view["state"]["values"][TEXT_BLOCK][TEXT_INPUT]["value"] or ""
    chat = view.get("private_metadata") or body["user"]["id"]
    return Sender(PLATFORM, body["user"]["id"], chat, None, private=True), text, view["id"]
