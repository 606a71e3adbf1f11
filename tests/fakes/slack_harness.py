"""A Slack harness: the real Bolt app and slack-sdk client on our HTTP app, the fake Web API behind them,
and really signed requests in front."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from bot.config import Config, Settings
from bot.http import create_app
from bot.platforms import build_adapters
from bot.wiring import Services, build_services
from handlers.core.surveys import BUILTIN
from handlers.survey.trigger import TriggerRequest
from tests.conftest import file_config
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack, block_actions, form, sign


@dataclass
class Slack:
    services: Services
    fake: FakeSlack
    http: httpx.AsyncClient

    async def post(self, body: bytes, *, content_type: str, headers: dict[str, str] | None = None) -> httpx.Response:
        signed = {"Content-Type": content_type, **sign(body), **(headers or {})}
        return await self.http.post("/slack/events", content=body, headers=signed)

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.post(form(payload), content_type="application/x-www-form-urlencoded")

    async def event(self, payload: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.post(json.dumps(payload).encode(), content_type="application/json", headers=headers)

    async def trigger(self, user: str, **kw: Any):
        result = await self.services.trigger(
            TriggerRequest(
                interaction_id=f"sl-{user}-{time.monotonic_ns()}", platform="slack", user_id=user, delay_seconds=0, **kw
            )
        )
        await self.services.survey_sender.send_due()
        return result

    def message(self, channel: str) -> tuple[str, dict[str, Any]]:
        """The survey message in a DM: (ts, message)."""
        ts, message = next(
            (key[1], m)
            for key, m in reversed(self.fake.messages.items())
            if key[0] == channel and any(b["type"] == "actions" for b in m["blocks"])
        )
        return ts, message

    def buttons(self, channel: str) -> list[dict[str, Any]]:
        _, message = self.message(channel)
        return [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]

    async def press(self, user: str, channel: str, face: str) -> httpx.Response:
        ts, _ = self.message(channel)
        button = next(b for b in self.buttons(channel) if b["text"]["text"].startswith(face))
        action = {
            "type": "button",
            "action_id": button["action_id"],
            "value": button.get("value", ""),
            "text": button["text"],
        }
        return await self.interact(block_actions(user, channel, ts, action))


def slack_config(db_url: str, fake: FakeSlack, **extra: str) -> Config:
    env = {
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": fake.base_url,
        **extra,
    }
    return Config(settings=Settings(_env_file=None, **env), file=file_config(), surveys=dict(BUILTIN))  # type: ignore[arg-type]


async def slack_harness(db_url: str, analyzer, **env: str) -> AsyncIterator[Slack]:
    fake = await FakeSlack().start()
    try:
        async with build_services(slack_config(db_url, fake, **env), analyzer=analyzer) as services:
            (adapter,) = build_adapters(services)
            await adapter.start()
            app = create_app(services, [adapter.router()])
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
                yield Slack(services, fake, http)
            await adapter.stop()
    finally:
        await fake.stop()
