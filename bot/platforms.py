"""Which platforms this process can send to, from the settings."""

from __future__ import annotations

from bot.console import ConsoleChannel
from bot.wiring import Services


def register_outbound(services: Services) -> None:
    """Register the sending side of every configured platform, for processes that only schedule."""
    services.channels.add(ConsoleChannel())
