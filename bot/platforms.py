"""The configured chat platforms, built from the settings; adding a platform means one entry here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import APIRouter

from bot.console import ConsoleChannel
from bot.errors import PlatformUnreachable, StartupError
from bot.wiring import Services
from handlers.core.ports import Outbound
from handlers.operations.health import PlatformHealth, PlatformStatus

log = logging.getLogger(__name__)


class Adapter(Protocol):
    """A platform's lifecycle around its outbound channel."""

    @property
    def channel(self) -> Outbound:
        """The platform's side of the outbound port."""

    async def initialize(self) -> None:
        """Connect for sending only (used by `sayso send`). Raises `StartupError` for a token the
        platform rejects, `PlatformUnreachable` when it does not answer."""

    async def start(self) -> None:
        """Connect and start receiving; raises as `initialize` does. Safe to call again after
        `PlatformUnreachable`."""

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


START_RETRY_MAX = 60.0  # seconds between attempts to reach a platform that was down at start


async def start_all(adapters: list[Adapter], states: dict[str, PlatformHealth]) -> list[asyncio.Task[None]]:
    """Start every adapter. A rejected token stops start-up (`StartupError`); a platform that does
    not answer is shown as degraded in `states` (and /healthz) and retried in the background."""
    retrying = []
    for adapter in adapters:
        name = adapter.channel.platform
        try:
            await adapter.start()
        except StartupError:
            for built in adapters:  # close their HTTP sessions before the process exits
                with contextlib.suppress(Exception):
                    await built.stop()
            raise
        except PlatformUnreachable as exc:
            states[name] = PlatformHealth(PlatformStatus.DEGRADED, f"{exc}; retrying")
            log.warning("%s did not answer at start (%s); retrying in the background", name, exc)
            retrying.append(asyncio.create_task(_keep_trying(adapter, states), name=f"start {name}"))
        else:
            states[name] = PlatformHealth(PlatformStatus.OK)
    return retrying


async def _keep_trying(adapter: Adapter, states: dict[str, PlatformHealth]) -> None:
    name, delay = adapter.channel.platform, 1.0
    while True:
        await asyncio.sleep(delay)
        try:
            await adapter.start()
        except PlatformUnreachable as exc:
            states[name] = PlatformHealth(PlatformStatus.DEGRADED, f"{exc}; retrying")
            delay = min(delay * 2, START_RETRY_MAX)
            continue
        except StartupError as exc:
            states[name] = PlatformHealth(PlatformStatus.FAILED, "token rejected")
            log.error("%s", exc)
            return
        states[name] = PlatformHealth(PlatformStatus.OK)
        log.info("%s reached after all", name)
        return


@asynccontextmanager
async def outbound_only(services: Services) -> AsyncIterator[None]:
    """Register every configured platform's sending side, for processes that only schedule surveys."""
    services.channels.add(ConsoleChannel())
    adapters = build_adapters(services)
    try:
        for adapter in adapters:
            try:
                await adapter.initialize()
            except PlatformUnreachable as exc:  # its sends will fail and be retried like any other
                log.warning("%s did not answer (%s)", adapter.channel.platform, exc)
        yield
    finally:
        for adapter in adapters:
            await adapter.stop()
