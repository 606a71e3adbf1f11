"""Telegram updates as inbound events."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, MessageRef, Sender, TextReceived

PLATFORM = "telegram"


def to_event(update: Update, *, bot_username: str | None) -> InboundEvent | None:
    """Map one update; None for what Sayso does not handle (edits, joins, other bots' commands)."""
    event_id = str(update.update_id)
    if (query := update.callback_query) is not None:
        chat = query.message.chat if query.message else None
        sender = Sender(
            PLATFORM,
            str(query.from_user.id),
            str(chat.id if chat else query.from_user.id),
            query.from_user.language_code,
            private=chat is None or chat.type == ChatType.PRIVATE,
            name=query.from_user.full_name,
        )
        pressed_on = MessageRef(PLATFORM, sender.chat_id, str(query.message.message_id)) if query.message else None
        return ButtonPressed(sender, query.data or "", message=pressed_on, event_id=event_id)
    message = update.message
    if message is None or message.from_user is None or message.text is None or message.from_user.is_bot:
        return None
    private = message.chat.type == ChatType.PRIVATE
    sender = Sender(PLATFORM, str(message.from_user.id), str(message.chat.id), message.from_user.language_code, private)
    text = message.text
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        command, _, addressee = head.partition("@")
        if addressee and bot_username and addressee.lower() != bot_username.lower():
            return None  # meant for another bot in a group
        return CommandReceived(sender, command.lower(), args.strip(), event_id=event_id)
    replied = message.reply_to_message
    to_us = (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.is_bot
        and (bot_username is None or (replied.from_user.username or "").lower() == bot_username.lower())
    )
    if not private and not to_us:
        return None  # group chatter is not for us; a reply to the bot is (an alert's resolution note)
    return TextReceived(sender, text, event_id=event_id)
