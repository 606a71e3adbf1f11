"""The Telegram side of the process: PTB's Application on the shared loop, polling or webhook."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.config import Settings
from bot.errors import PlatformUnreachable, StartupError
from bot.telegram_adapter.inbound import to_event
from bot.telegram_adapter.outbound import PerChatRateLimiter, TelegramChannel
from handlers.boundary import ErrorBoundary
from handlers.core.commands import COMMANDS
from handlers.core.events import ButtonPressed
from handlers.core.replies import Ack
from handlers.i18n import DEFAULT, SHIPPED, lang

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]


class TelegramAdapter:
    """Owns the PTB Application: turns updates into inbound events and provides the outbound channel."""

    def __init__(self, settings: Settings, boundary: ErrorBoundary) -> None:
        assert settings.telegram_bot_token is not None
        self._settings = settings
        self._boundary = boundary
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(settings.telegram_api_base_url)
            .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
            # One message every 1/30 s rather than 30 at once then 30/s: Telegram counts bursts.
            .rate_limiter(PerChatRateLimiter(overall_max_rate=1, overall_time_period=1 / 30, max_retries=3))
            .concurrent_updates(64)
            .connect_timeout(5)
            .read_timeout(15)
            .write_timeout(15)
        )
        if settings.telegram_webhook_url:
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.channel = TelegramChannel(self.application.bot)

    @property
    def webhook_mode(self) -> bool:
        return self._settings.telegram_webhook_url is not None

    async def initialize(self) -> None:
        """Connect to the Bot API (getMe) without receiving updates: enough for sending."""
        try:
            await self.application.initialize()
        except InvalidToken:
            # PTB's own message repeats the token; this one does not, and nothing chains to it.
            await self.application.bot.shutdown()
            raise StartupError(
                "TELEGRAM_BOT_TOKEN: the Bot API rejected this token (401 Unauthorized); copy it again from @BotFather"
            ) from None
        except NetworkError as exc:
            raise PlatformUnreachable(f"Bot API did not answer ({type(exc).__name__})") from None

    async def start(self) -> None:
        await self.initialize()
        try:
            await self._start_receiving()
        except NetworkError as exc:
            raise PlatformUnreachable(f"Bot API did not answer ({type(exc).__name__})") from None
        mode = "webhook" if self.webhook_mode else "polling"
        log.info("telegram bot @%s started (%s)", self.application.bot.username, mode)

    async def _start_receiving(self) -> None:
        await self._register_commands()
        if self.webhook_mode:
            secret = self._settings.telegram_webhook_secret
            await self.application.bot.set_webhook(
                url=self._settings.telegram_webhook_url,
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            if self._settings.database_url.startswith(("postgresql", "postgres")):
                # Telegram hands each update to one getUpdates caller: two polling replicas steal
                # each other's updates (and Telegram answers 409 Conflict).
                log.warning(
                    "telegram polls for updates: run ONE process like this; with several replicas "
                    "set TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET instead"
                )
            assert self.application.updater is not None
            await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=20)
        await self.application.start()

    async def stop(self) -> None:
        """Stop fetching, finish the updates in hand, then close the HTTP client."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _register_commands(self) -> None:
        for code in SHIPPED:
            language = lang(code)
            commands = [BotCommand(name, language.gettext(description)) for name, description in COMMANDS]
            await self.application.bot.set_my_commands(commands, language_code=None if code == DEFAULT else code)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        event = to_event(update, bot_username=self.application.bot.username)
        if event is None:
            if update.callback_query is not None:
                await self.channel.answer_press(update.callback_query.id, None)
            return
        press = update.callback_query if isinstance(event, ButtonPressed) else None
        chat = event.sender.chat_id

        async def acknowledge(ack: Ack) -> None:  # a press's note shows on the pressed button
            if press is not None:
                await self.channel.answer_press(press.id, ack.note)

        async def tell(note: str) -> None:
            await self.channel.send_text(chat, note)

        await self._boundary.receive(event, acknowledge=acknowledge, tell=None if press else tell)

    def router(self) -> APIRouter:
        """`POST /telegram/webhook`: the secret header is checked before anything is parsed."""
        router = APIRouter(tags=["platforms"])
        secret = self._settings.telegram_webhook_secret

        @router.post(
            "/telegram/webhook",
            include_in_schema=self.webhook_mode,
            responses={
                400: {"description": "not a Telegram update"},
                403: {"description": "wrong or missing X-Telegram-Bot-Api-Secret-Token"},
                404: {"description": "polling mode: webhook not enabled"},
                413: {"description": "body over 1 MiB"},
            },
        )
        async def telegram_webhook(
            request: Request,
            x_telegram_bot_api_secret_token: str | None = Header(default=None),
        ) -> Response:
            if not self.webhook_mode or secret is None:
                raise HTTPException(404, "Telegram webhook mode is not enabled (set TELEGRAM_WEBHOOK_URL)")
            given = (x_telegram_bot_api_secret_token or "").encode()
            if not hmac.compare_digest(given, secret.get_secret_value().encode()):
                raise HTTPException(403, "wrong or missing X-Telegram-Bot-Api-Secret-Token")
            try:
                payload = await request.json()
                update = Update.de_json(payload, self.application.bot)
            except Exception as exc:  # whatever PTB's parser raised: say so once, echo nothing of it
                log.warning("telegram webhook refused: not a Telegram update (%s)", type(exc).__name__)
                raise HTTPException(400, "not a Telegram update") from None
            # Processed before answering, so Telegram redelivers if we fail; redeliveries are deduplicated.
            await self.application.process_update(update)
            return Response(status_code=200)

        return router
