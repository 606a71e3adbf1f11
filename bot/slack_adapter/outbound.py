"""The outbound port on Slack's Web API, with Slack's errors made the project's own."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_adapter.inbound import PLATFORM
from bot.slack_adapter.render import answered_blocks, prompt_blocks, report_messages, section
from handlers.core.events import MessageRef
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Prompt, Report

log = logging.getLogger(__name__)

# Errors that say this person or channel cannot be reached, whatever we retry.
GONE = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "account_inactive",
        "is_archived",
        "not_in_channel",
        "cannot_dm_bot",
        "user_disabled",
        "messages_tab_disabled",
        "restricted_action",
    }
)
# Errors that say our own bot token is no good: fatal at start, never retried when sending.
# (account_inactive is ours only from auth.test; from chat.postMessage it is the recipient's.)
REJECTED_TOKEN = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired"})


class SlackChannel:
    """Surveys in DMs with Block Kit; Slack lets a bot open a DM with anyone in the workspace."""

    platform = PLATFORM
    reaches_unknown_users = True

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef:
        response = await self._call(
            lambda: self.client.chat_postMessage(channel=chat_id, text=prompt.text, blocks=prompt_blocks(prompt))
        )
        return MessageRef(PLATFORM, response["channel"], response["ts"])

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        """Update the message in place: the answer given, and the next question under it."""
        await self._call(
            lambda: self.client.chat_update(
                channel=message.chat_id,
                ts=message.message_id,
                text=then.text if then else text,
                blocks=answered_blocks(text, then, None),
            )
        )
        return message if then is not None else None

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        update = partial(
            self.client.chat_update,
            channel=message.chat_id,
            ts=message.message_id,
            text=prompt.text,
            blocks=prompt_blocks(prompt),
        )
        await self._call(update)

    async def send_text(self, chat_id: str, text: str) -> MessageRef:
        response = await self._call(
            lambda: self.client.chat_postMessage(channel=chat_id, text=text, blocks=[section(text)])
        )
        return MessageRef(PLATFORM, response["channel"], response["ts"])

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        sent = []
        for blocks in report_messages(report):
            post = partial(self.client.chat_postMessage, channel=chat_id, text=report.title, blocks=blocks)
            response = await self._call(post)
            sent.append(MessageRef(PLATFORM, response["channel"], response["ts"]))
        return sent

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef:
        response = await self._call(
            lambda: self.client.files_upload_v2(
                channel=chat_id, content=image, filename="sayso.png", title=caption[:250], initial_comment=caption
            )
        )
        return MessageRef(PLATFORM, chat_id, str(response.get("file", {}).get("id", "")))

    async def open_chat(self, user_id: str) -> str:
        response = await self._call(lambda: self.client.conversations_open(users=user_id))
        return str(response["channel"]["id"])

    def contact(self, user_id: str) -> str:
        return f"<@{user_id}>"

    async def turn(self) -> None:
        return None

    def start_link(self, payload: str) -> str | None:
        return None

    async def whisper(self, chat_id: str, user_id: str, text: str) -> None:
        """An ephemeral note only the person sees (the answer to a press)."""
        try:
            await self._call(lambda: self.client.chat_postEphemeral(channel=chat_id, user=user_id, text=text))
        except DeliveryFailed as failure:
            log.info("ephemeral note not shown: %s", failure.reason)

    async def _call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call()
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            error = str(data.get("error") or f"http_{exc.response.status_code}")
            if error == "ratelimited":  # still limited after slack-sdk's own retries
                retry_after = float(exc.response.headers.get("Retry-After", 30))
                raise DeliveryFailed(PLATFORM, error, retry_after=retry_after) from exc
            if error in REJECTED_TOKEN:
                log.error("Slack rejected SLACK_BOT_TOKEN (%s); nothing can be sent until it is replaced", error)
                raise DeliveryFailed(PLATFORM, error, misconfigured=True) from exc
            raise DeliveryFailed(PLATFORM, error, permanent=error in GONE) from exc
        except aiohttp.ClientConnectorError as exc:  # never reached Slack: safe to retry
            raise DeliveryFailed(PLATFORM, f"connection failed: {exc}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:  # reached Slack, answer lost: may have been posted
            raise DeliveryFailed(PLATFORM, f"no answer from Slack: {exc!r}", maybe_delivered=True) from exc
