"""Helpdesk connectors: a helpdesk's own "conversation resolved" webhook becomes an interaction.

Chatwoot posts a fixed payload (its `conversation_status_changed` account webhook). Zendesk and
Freshdesk can send a body of our choosing from a trigger or an automation, so they call
`/api/v1/interactions` directly with the bodies shown in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.i18n import negotiate
from handlers.survey.trigger import TriggerRequest

CHATWOOT_TELEGRAM = "Channel::Telegram"


@dataclass(frozen=True, slots=True)
class Ignored:
    """A delivery acknowledged and left alone, and why (said in the response, for the helpdesk's log)."""

    reason: str


def from_chatwoot(payload: dict[str, Any]) -> TriggerRequest | Ignored:
    """A resolved Chatwoot conversation in a Telegram inbox, as an interaction for its contact.

    Where Chatwoot puts the Telegram user id (chatwoot/chatwoot, read 2026-12):
    `app/services/telegram/incoming_message_service.rb` creates the contact inbox with
    `source_id: telegram_params_from_id` (the sender's Telegram user id) and stores the same id
    in the contact's `additional_attributes.social_telegram_user_id`; the webhook body is
    `Conversations::EventDataPresenter#push_data` (`app/presenters/conversations/
    event_data_presenter.rb`) merged with `event` and `changed_attributes`
    (`app/listeners/webhook_listener.rb`): `contact_inbox.source_id`, `meta.sender` (the contact)
    and `meta.assignee` (the agent), `channel` (the inbox's channel type) and `id` (the
    conversation's display id, unique within its account).
    """
    event = payload.get("event")
    if event != "conversation_status_changed":
        return Ignored(f"event {event!r} is not conversation_status_changed")
    if payload.get("status") != "resolved":
        return Ignored(f"status {payload.get('status')!r} is not resolved")
    channel = payload.get("channel")
    if channel != CHATWOOT_TELEGRAM:
        return Ignored(f"inbox channel {channel!r} is not Telegram: its customers cannot be surveyed in chat")
    meta = _object(payload.get("meta"))
    attributes = _object(_object(meta.get("sender")).get("additional_attributes"))
    telegram_id = attributes.get("social_telegram_user_id") or _object(payload.get("contact_inbox")).get("source_id")
    conversation = payload.get("id")
    if not isinstance(telegram_id, int | str) or not str(telegram_id).isdigit() or not isinstance(conversation, int):
        return Ignored("no Telegram user id or conversation id in the payload")
    messages = payload.get("messages")
    account = _object(messages[0]).get("account_id") if isinstance(messages, list) and messages else None
    assignee = _object(meta.get("assignee"))
    return TriggerRequest(
        interaction_id=f"chatwoot-{account or 'a'}-{payload.get('inbox_id')}-{conversation}",
        platform="telegram",
        user_id=str(telegram_id),
        touchpoint="chat",
        agent=str(assignee.get("available_name") or assignee.get("name") or "")[:128] or None,
        language=negotiate(str(attributes.get("language_code") or "")),  # the client's language, if we ship it
    )


def _object(value: object) -> dict[str, Any]:
    """A JSON object of the payload, or an empty one where something else (or nothing) is."""
    return value if isinstance(value, dict) else {}
