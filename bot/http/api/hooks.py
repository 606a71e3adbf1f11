"""Helpdesk connectors: a helpdesk's own "conversation resolved" webhook becomes an interaction.

Chatwoot posts a fixed payload (its `conversation_status_changed` account webhook). Zendesk and
Freshdesk can send a body of our choosing from a trigger or an automation, so they call
`/api/v1/interactions` directly with the bodies shown in the README.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from bot.http.api.interactions import report
from bot.http.deps import ServicesDep
from bot.http.models import API_ERRORS, HookIgnored, InteractionOut
from handlers.i18n import negotiate
from handlers.survey.trigger import TriggerRequest

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/hooks", tags=["connectors"])

CHATWOOT_TELEGRAM = "Channel::Telegram"
# Inboxes whose customers are not in a chat Sayso can write to: surveyed by e-mail, at the contact's address.
CHATWOOT_BY_EMAIL = ("Channel::Email", "Channel::WebWidget")


@dataclass(frozen=True, slots=True)
class Ignored:
    """A delivery acknowledged and left alone, and why (said in the response, for the helpdesk's log)."""

    reason: str


def from_chatwoot(payload: dict[str, Any]) -> TriggerRequest | Ignored:
    """A resolved Chatwoot conversation as an interaction for its contact: in a Telegram inbox by
    Telegram, in an e-mail or web-widget inbox by e-mail (the contact's address).

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
    if channel not in (CHATWOOT_TELEGRAM, *CHATWOOT_BY_EMAIL):
        return Ignored(f"inbox channel {channel!r} is neither Telegram nor e-mail or the web widget")
    meta = _object(payload.get("meta"))
    contact = _object(meta.get("sender"))
    attributes = _object(contact.get("additional_attributes"))
    conversation = payload.get("id")
    messages = payload.get("messages")
    account = _object(messages[0]).get("account_id") if isinstance(messages, list) and messages else None
    assignee = _object(meta.get("assignee"))
    interaction = f"chatwoot-{account or 'a'}-{payload.get('inbox_id')}-{conversation}"
    agent = str(assignee.get("available_name") or assignee.get("name") or "")[:128] or None
    if channel in CHATWOOT_BY_EMAIL:  # `meta.sender` is the contact, with their `email` if Chatwoot has one
        address = contact.get("email")
        if not isinstance(address, str) or "@" not in address or not isinstance(conversation, int):
            return Ignored("no e-mail address of the contact or no conversation id in the payload")
        touchpoint = "email" if channel == "Channel::Email" else "online"
        return TriggerRequest(
            interaction_id=interaction,
            platform="email",
            user_id=address.strip().lower(),
            touchpoint=touchpoint,
            agent=agent,
        )
    telegram_id = attributes.get("social_telegram_user_id") or _object(payload.get("contact_inbox")).get("source_id")
    if not isinstance(telegram_id, int | str) or not str(telegram_id).isdigit() or not isinstance(conversation, int):
        return Ignored("no Telegram user id or conversation id in the payload")
    return TriggerRequest(
        interaction_id=interaction,
        platform="telegram",
        user_id=str(telegram_id),
        touchpoint="chat",
        agent=agent,
        language=negotiate(str(attributes.get("language_code") or "")),  # the client's language, if we ship it
    )


def _object(value: object) -> dict[str, Any]:
    """A JSON object of the payload, or an empty one where something else (or nothing) is."""
    return value if isinstance(value, dict) else {}


@router.post(
    "/chatwoot",
    status_code=202,
    response_model=InteractionOut | HookIgnored,
    response_model_exclude_none=True,
    responses={
        200: {"description": "Already reported, or not a resolved Telegram conversation (see `ignored`)"},
        **API_ERRORS,
    },
)
async def chatwoot(
    payload: Annotated[dict[str, Any], Body()], services: ServicesDep, response: Response
) -> InteractionOut | HookIgnored:
    """Chatwoot's `conversation_status_changed` account webhook. Point it at
    `/api/v1/hooks/chatwoot?secret=$SAYSO_HOOK_SECRET`; a resolved conversation in a Telegram
    inbox surveys its contact (agent from the assignee); anything else is acknowledged with
    the reason it was ignored. (The secret is checked by `RequestGuard`, before the body is read.)"""
    translated = from_chatwoot(payload)
    if isinstance(translated, Ignored):
        response.status_code = 200
        log.info("helpdesk webhook ignored", extra={"source": "chatwoot", "reason": translated.reason})
        return HookIgnored(ignored=translated.reason)
    return await report(services, translated, response, source="chatwoot")
