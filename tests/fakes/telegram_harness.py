"""Driving the real Telegram adapter against the fake Bot API, as a person in a chat would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bot.config import Config, Settings
from bot.platforms import build_adapters
from bot.telegram_adapter.app import TelegramAdapter
from bot.wiring import Services, build_services
from handlers.core.surveys import BUILTIN
from handlers.survey.trigger import TriggerRequest
from tests.conftest import file_config
from tests.fakes.telegram_api import TOKEN, FakeTelegram, callback_update, message_update, user

RLM = "\u200f"


@dataclass
class Harness:
    services: Services
    adapter: TelegramAdapter
    fake: FakeTelegram
    _ids: Any = field(default_factory=lambda: iter(range(1, 10**6)))

    async def trigger(self, user_id: int, **kw: Any):
        result = await self.services.trigger(
            TriggerRequest(
                interaction_id=f"tg-{next(self._ids)}", platform="telegram", user_id=str(user_id), delay_seconds=0, **kw
            )
        )
        await self.services.survey_sender.send_due()
        return result


@dataclass
class TgUser:
    h: Harness
    id: int
    language_code: str | None = "en"

    @property
    def json(self) -> dict[str, Any]:
        return user(self.id, self.language_code)

    def last_question(self) -> dict[str, Any]:
        asks = [c for c in self.h.fake.sent(chat_id=self.id) if "reply_markup" in c.params]
        assert asks, "no question was sent to this chat"
        last = asks[-1]
        message_id = max(
            mid
            for (chat, mid) in self.h.fake.messages
            if chat == self.id and self.h.fake.messages[(chat, mid)].get("text") == last.params["text"]
        )
        return self.h.fake.messages[(self.id, message_id)] | {"reply_markup": last.params["reply_markup"]}

    def buttons(self, message: dict[str, Any] | None = None) -> list[list[dict[str, str]]]:
        return (message or self.last_question())["reply_markup"]["inline_keyboard"]

    async def answers(self, *faces: str) -> None:
        """Press each face on the latest question, each after the bot has sent its next message
        here (the survey's next question, or the comment prompt after the last)."""
        for face in faces:
            before = len(self.h.fake.sent(chat_id=self.id))
            await self.press(face)
            await self.h.fake.wait_for("sendMessage", before + 1, chat_id=self.id)

    async def press(self, face: str, message: dict[str, Any] | None = None, *, redeliver: bool = False) -> dict:
        message = message or self.last_question()
        button = next(b for row in self.buttons(message) for b in row if b["text"].lstrip(RLM).startswith(face))
        before = len(self.h.fake.sent("answerCallbackQuery"))
        update = self.h.fake.push(callback_update(self.json, message, button["callback_data"]))
        if redeliver:
            self.h.fake.push(dict(update))
        answers = await self.h.fake.wait_for("answerCallbackQuery", before + 1 + redeliver)
        return answers[-1].params

    async def press_data(self, data: str) -> dict:
        message = self.last_question()
        before = len(self.h.fake.sent("answerCallbackQuery"))
        self.h.fake.push(callback_update(self.json, message, data))
        return (await self.h.fake.wait_for("answerCallbackQuery", before + 1))[-1].params

    async def says(self, text: str, *, expect: int = 1, chat_id: int | None = None) -> list[str]:
        chat = chat_id if chat_id is not None else self.id
        before = len(self.h.fake.sent(chat_id=chat))
        self.h.fake.push(message_update(self.json, text, chat_id=chat))
        replies = await self.h.fake.wait_for("sendMessage", before + expect, chat_id=chat)
        return [c.params["text"] for c in replies[before:]]


def telegram_config(db_url: str, **env: str) -> Config:
    settings = Settings(_env_file=None, **{"DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": TOKEN, **env})  # type: ignore[arg-type]
    return Config(settings=settings, file=file_config(), surveys=dict(BUILTIN))


async def telegram_harness(db_url: str, fake: FakeTelegram, analyzer, **env: str) -> AsyncIterator[Harness]:
    config = telegram_config(db_url, TELEGRAM_API_BASE_URL=fake.base_url, **env)
    async with build_services(config, analyzer=analyzer) as services:
        (adapter,) = build_adapters(services)
        await adapter.start()
        try:
            yield Harness(services, adapter, fake)  # type: ignore[arg-type]
        finally:
            await adapter.stop()
