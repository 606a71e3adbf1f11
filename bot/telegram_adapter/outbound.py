"""The outbound port on the Telegram Bot API, with Telegram's errors made the project's own."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.telegram_adapter.inbound import PLATFORM
from bot.telegram_adapter.render import keyboard, prompt_text, report_html
from handlers.core.events import MessageRef
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Prompt, Report

log = logging.getLogger(__name__)
T = TypeVar("T")

# Errors that mean the request never reached Telegram: safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A BadRequest about the chat itself: the person cannot be reached, whatever we retry.
_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate conversation")
_SEND_ENDPOINTS = frozenset({"sendMessage", "sendPhoto"})


class PerChatRateLimiter(AIORateLimiter):
    """PTB's limiter (30 messages/s overall, 20/min per group, RetryAfter retries) plus at most one
    new message per second into any one private chat, as Telegram asks; edits and callback
    answers are not messages and pass straight through.

    A chat's second is counted from when its last message *left*, not from when it was let into
    PTB's overall queue: a message held there behind other chats' sends would otherwise reach
    Telegram less than a second before the next one. Holding the chat's turn across the send also
    keeps one person's messages in order (the next question before the thanks)."""

    def __init__(self, *, per_chat_rate: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gap = 1 / per_chat_rate
        self._chats: dict[int, _ChatTurn] = {}

    def _turn(self, chat_id: int) -> _ChatTurn:
        if len(self._chats) > 4096:  # forget chats that are quiet again
            now = asyncio.get_running_loop().time()
            for key, turn in list(self._chats.items()):
                if not turn.lock.locked() and turn.next_at <= now:
                    del self._chats[key]
        return self._chats.setdefault(chat_id, _ChatTurn())

    async def process_request(
        self,
        callback: Callable[..., Any],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = str(data.get("chat_id", ""))
        if endpoint not in _SEND_ENDPOINTS or not chat_id.isdigit():  # private chats have positive ids
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        turn = self._turn(int(chat_id))
        loop = asyncio.get_running_loop()
        async with turn.lock:
            await asyncio.sleep(max(0.0, turn.next_at - loop.time()))
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            finally:
                turn.next_at = loop.time() + self._gap


@dataclass
class _ChatTurn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0  # loop time before which this chat gets no new message


class TelegramChannel:
    """Sends prompts as messages with inline keyboards; people must press Start before we can write."""

    platform = PLATFORM
    reaches_unknown_users = False

    def __init__(self, bot: Bot, *, send_retries: int = 3) -> None:
        self._bot = bot
        self._send_retries = send_retries

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef:
        message = await self._deliver(
            lambda: self._bot.send_message(int(chat_id), prompt_text(prompt), reply_markup=keyboard(prompt))
        )
        return self._ref(message)

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        """Edit the question to show the answer (dropping its keyboard); the next one is a new message."""
        try:
            chat_id, message_id = int(message.chat_id), int(message.message_id)
            await self._deliver(lambda: self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id))
        except DeliveryFailed as failure:
            if "message is not modified" not in failure.reason:  # a double click: already shown
                raise
        return await self.ask(message.chat_id, then) if then is not None else None

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        chat_id, message_id = int(message.chat_id), int(message.message_id)
        edit = partial(
            self._bot.edit_message_text,
            prompt_text(prompt),
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=keyboard(prompt),
        )
        try:
            await self._deliver(edit)
        except DeliveryFailed as failure:
            if "message is not modified" not in failure.reason:
                raise

    async def send_text(self, chat_id: str, text: str) -> MessageRef:
        return self._ref(await self._deliver(lambda: self._bot.send_message(int(chat_id), text[:4096])))

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        sent = []
        for text in report_html(report):
            message = await self._deliver(
                partial(self._bot.send_message, int(chat_id), text, parse_mode=ParseMode.HTML)
            )
            sent.append(self._ref(message))
        return sent

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef:
        return self._ref(await self._deliver(lambda: self._bot.send_photo(int(chat_id), image, caption=caption[:1024])))

    async def open_chat(self, user_id: str) -> str:
        return user_id  # a private chat's id is the user's id

    def contact(self, user_id: str) -> str:
        return f"tg://user?id={user_id}"

    async def turn(self) -> None:
        return None

    def start_link(self, payload: str) -> str | None:
        try:
            username = self._bot.username  # known once the bot is initialized (getMe)
        except RuntimeError:
            return None
        return f"https://t.me/{username}?start={payload}"

    async def answer_press(self, query_id: str, note: str | None) -> None:
        """Every press gets an answer, or the client shows a spinner; the note is a short toast."""
        try:
            await self._bot.answer_callback_query(query_id, text=note[:200] if note else None)
        except TelegramError as exc:  # the query is older than Telegram keeps it: nothing to undo
            log.info("callback answer failed: %s", exc)

    @staticmethod
    def _ref(message: Message) -> MessageRef:
        return MessageRef(PLATFORM, str(message.chat_id), str(message.message_id))

    async def _deliver(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run one Bot API call, retrying only what certainly did not reach Telegram."""
        for attempt in range(self._send_retries + 1):
            try:
                return await call()
            except RetryAfter as exc:  # the rate limiter already retried; let the survey sender wait
                raise DeliveryFailed(PLATFORM, "rate limited", retry_after=_seconds(exc)) from exc
            except InvalidToken:  # the token was revoked while running
                log.error("the Bot API rejected TELEGRAM_BOT_TOKEN; nothing can be sent until it is replaced")
                raise DeliveryFailed(PLATFORM, "token rejected", misconfigured=True) from None
            except Forbidden as exc:
                raise DeliveryFailed(PLATFORM, exc.message, permanent=True) from exc
            except BadRequest as exc:
                gone = any(marker in exc.message.lower() for marker in _GONE)
                raise DeliveryFailed(PLATFORM, exc.message, permanent=gone) from exc
            except (TimedOut, NetworkError) as exc:
                if not _certainly_not_sent(exc):
                    raise DeliveryFailed(PLATFORM, str(exc) or type(exc).__name__, maybe_delivered=True) from exc
                if attempt == self._send_retries:
                    raise DeliveryFailed(PLATFORM, str(exc) or type(exc).__name__) from exc
                await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")


def _certainly_not_sent(exc: TelegramError) -> bool:
    """A connection that never opened, or an HTTP error status from Telegram's front (502 and the like)."""
    cause = exc.__cause__
    if cause is None:
        return not isinstance(exc, TimedOut)
    return isinstance(cause, _NOT_SENT)


def _seconds(exc: RetryAfter) -> float:
    """RetryAfter's pause; PTB 22 hands out an int or a timedelta depending on PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pause = exc.retry_after
    return pause.total_seconds() if isinstance(pause, timedelta) else float(pause)
