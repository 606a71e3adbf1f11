"""The configured chat platforms, built from the settings; adding a platform means one entry here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import APIRouter

from bot.console import ConsoleChannel
from bot.wiring import Services
from handlers.core.ports import Outbound


class Adapter(Protocol):
    """A platform's lifecycle around its outbound channel."""

    @property
    def channel(self) -> Outbound:
        """The platform's side of the outbound port."""

    async def initialize(self) -> None:
        """Connect for sending only (used by `sayso send`)."""

    async def start(self) -> None:
        """Connect and start receiving."""

    async def stop(self) -> None: ...

    def router(self) -> APIRouter: ...


def build_adapters(services: Services) -> list[Adapter]:
    settings = services.config.settings
    adapters: list[Adapter] = []
    if settings.telegram_enabled:
        from bot.telegram_adapter.app import TelegramAdapter

        adapters.append(TelegramAdapter(settings, services.boundary))
    if settings.slack_enabled:
        from bot.slack_adapter.app import SlackAdapter

        adapters.append(SlackAdapter(settings, services.boundary))
    for adapter in adapters:
        services.channels.add(adapter.channel)
    return adapters


@asynccontextmanager
async def outbound_only(services: Services) -> AsyncIterator[None]:
    """Register every configured platform's sending side, for processes that only schedule surveys."""
    services.channels.add(ConsoleChannel())
    adapters = build_adapters(services)
    try:
        for adapter in adapters:
            await adapter.initialize()
        yield
    finally:
        for adapter in adapters:
            await adapter.stop()
